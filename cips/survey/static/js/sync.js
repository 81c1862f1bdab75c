// Outbox upload: one record at a time, oldest first, to POST /api/v1/submissions.
//
// A record leaves the device only when the API acknowledges it: 200/201 *and* a JSON
// body naming the same uuid with status "stored" (a captive portal or proxy page that
// answers 200 is not an acknowledgement). A definitive refusal by the API (409, 422,
// and the 400/413/415 it quarantines, always with a JSON error body) moves the record
// to the "attention" store, where it is kept and exportable. Anything else — network
// error, 5xx, 408/429, a proxy's HTML — leaves it in the outbox and retries with
// exponential backoff and jitter, capped at 5 minutes. The server is idempotent on
// uuid, so a retry after a lost acknowledgement stores nothing twice.

const REFUSALS = new Set([400, 409, 413, 415, 422]);

export class Sync extends EventTarget {
  constructor(store, url, { baseDelayMs = 1000, capMs = 5 * 60 * 1000, intervalMs = 30 * 1000, timeoutMs = 60 * 1000 } = {}) {
    super();
    this.store = store;
    this.url = url;
    this.baseDelayMs = baseDelayMs;
    this.capMs = capMs;
    this.intervalMs = intervalMs;
    this.timeoutMs = timeoutMs;
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.running = false;
    this.again = false;
    this.lastError = null;
    this.retryTimer = null;
  }

  start() {
    window.addEventListener("online", () => this.now({ resetBackoff: true }));
    setInterval(() => {
      if (Date.now() >= this.nextAttemptAt) this.run();
    }, this.intervalMs);
    this.now();
  }

  /** Try at once: app start, `online`, a new submission, the "Send now" button. */
  now({ resetBackoff = false } = {}) {
    if (resetBackoff) this.failures = 0;
    this.nextAttemptAt = 0;
    return this.run();
  }

  delayFor(failures) {
    const ceiling = Math.min(this.capMs, this.baseDelayMs * 2 ** Math.min(failures - 1, 30));
    return ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter": spread tablets that fail together
  }

  async run() {
    if (this.running) {
      this.again = true; // a record added during an upload loop is picked up before it ends
      return;
    }
    this.running = true;
    this.emit();
    try {
      do {
        this.again = false;
        // One uploader per device even with several tabs open (harmless otherwise, but wasteful).
        if (navigator.locks) await navigator.locks.request("cips-outbox", () => this.drain());
        else await this.drain();
      } while (this.again && this.nextAttemptAt <= Date.now());
    } finally {
      this.running = false;
      this.emit();
    }
  }

  async drain() {
    for (;;) {
      const record = await this.store.oldestWaiting();
      if (!record) return;
      const outcome = await this.upload(record);
      if (outcome.kind === "stored") {
        await this.store.acknowledge(record.uuid);
        this.failures = 0;
        this.lastError = null;
      } else if (outcome.kind === "refused") {
        await this.store.toAttention(record.uuid, outcome.status, outcome.body);
      } else {
        await this.store.noteFailure(record.uuid, outcome.message);
        this.failures += 1;
        this.lastError = outcome.message;
        const delay = this.delayFor(this.failures);
        this.nextAttemptAt = Date.now() + delay;
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.run(), delay);
        this.emit();
        return;
      }
      this.dispatchEvent(new CustomEvent("record", { detail: { uuid: record.uuid, ...outcome } }));
      this.emit();
    }
  }

  async upload(record) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(record.payload),
        credentials: "omit",
        cache: "no-store",
        redirect: "error", // a redirect (login portal) is never an acknowledgement
        signal: AbortSignal.timeout(this.timeoutMs), // a stalled connection must not hold the outbox
      });
    } catch (error) {
      return { kind: "retry", message: `network: ${error.message || error}` };
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.status === 200 || response.status === 201) {
      if (body && body.uuid === record.uuid && body.status === "stored") return { kind: "stored", status: response.status };
      return { kind: "retry", message: `${response.status} without acknowledgement` };
    }
    if (REFUSALS.has(response.status) && body && typeof body === "object" && "error" in body) {
      return { kind: "refused", status: response.status, body };
    }
    return { kind: "retry", message: `HTTP ${response.status}` };
  }

  state() {
    return {
      running: this.running,
      failures: this.failures,
      nextAttemptAt: this.nextAttemptAt,
      lastError: this.lastError,
    };
  }

  emit() {
    this.dispatchEvent(new CustomEvent("change", { detail: this.state() }));
  }
}
