// The enumerator's side: PIN check (offline, WebCrypto), station menu, device panel.
//
// The PIN is a privacy lock on a shared tablet, not an authentication secret: the
// campaign document carries a salted PBKDF2-SHA256 verifier (see cips/services/station.py
// for the trade-off). Nothing here can change data on the server.

import { bytes, downloadJson, fmt, h } from "./ui.js";

const MAX_TRIES = 5;
const LOCKOUT_MS = 30 * 1000;

export async function verifyPin(pin, verifier) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(verifier.salt), iterations: verifier.iterations },
    key,
    256,
  );
  const hex = Array.from(new Uint8Array(bits), (b) => b.toString(16).padStart(2, "0")).join("");
  return hex === verifier.hash;
}

export class Menu {
  /** app: the state object (state.js); actions: {sendNow, retryAttention, setDefaultLanguage, discardDraft, exitStation, refreshStorage, closed}. */
  constructor(app, actions) {
    this.app = app;
    this.actions = actions;
    this.tries = 0;
    this.lockedUntil = 0;
    this.dialog = h("dialog", { class: "menu", "aria-labelledby": "menu-title", dataset: { testid: "menu" } });
    this.dialog.addEventListener("close", () => {
      this.dialog.replaceChildren();
      actions.closed();
    });
    document.body.append(this.dialog);
  }

  get t() {
    return this.app.doc.ui[this.app.lang];
  }

  get isOpen() {
    return this.dialog.open;
  }

  get station() {
    return this.app.doc.mode === "station";
  }

  /** A station with a PIN: only then may the menu close the station or discard a respondent's answers. */
  get locked() {
    return this.station && Boolean(this.app.doc.station && this.app.doc.station.pin);
  }

  /** Ask for the PIN when the campaign has one; resolves true once unlocked. */
  unlock() {
    const verifier = this.station && this.app.doc.station ? this.app.doc.station.pin : null;
    if (!this.station || !verifier) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = this.t;
      const input = h("input", { id: "pin", type: "password", inputmode: "numeric", autocomplete: "off",
        pattern: "[0-9]*", minlength: 4, maxlength: 8, required: true, dataset: { testid: "pin-input" } }); // prettier-ignore
      const message = h("p", { class: "error", role: "alert", dataset: { testid: "pin-error" } });
      const form = h("form", { class: "pin", method: "dialog" },
        h("h2", { id: "menu-title" }, t.station_menu),
        h("label", { for: "pin" }, t.enter_pin), input, message,
        h("div", { class: "pager" },
          h("button", { type: "button", class: "secondary", onclick: () => this.dialog.close() }, t.cancel),
          h("button", { type: "submit", dataset: { testid: "pin-submit" } }, t.unlock))); // prettier-ignore
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const wait = this.lockedUntil - Date.now();
        if (wait > 0) {
          message.textContent = fmt(t.pin_wait, { s: Math.ceil(wait / 1000) });
          return;
        }
        if (await verifyPin(input.value, verifier)) {
          this.tries = 0;
          resolve(true);
          return;
        }
        this.tries += 1;
        input.value = "";
        if (this.tries >= MAX_TRIES) {
          this.tries = 0;
          this.lockedUntil = Date.now() + LOCKOUT_MS;
          message.textContent = fmt(t.pin_wait, { s: LOCKOUT_MS / 1000 });
        } else {
          message.textContent = t.wrong_pin;
        }
        input.focus();
      });
      // Escape or Cancel closes the dialog: the caller hears "not unlocked".
      this.dialog.addEventListener("close", () => resolve(false), { once: true });
      this.dialog.replaceChildren(form);
      if (!this.dialog.open) this.dialog.showModal();
      input.focus();
    });
  }

  async open() {
    if (!(await this.unlock())) return;
    await this.actions.refreshStorage(); // what the menu says about storage is read now, not at start
    await this.render();
    if (!this.dialog.open) this.dialog.showModal();
    this.dialog.querySelector("#menu-title").focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  /** Re-drawn on every sync change while open. */
  async render() {
    const { app, actions } = this;
    const t = this.t;
    const counts = await app.store.counts();
    const acked = await app.store.ackedFingerprint(app.doc.slug);
    const attention = await app.store.all("attention");
    const sync = app.sync.state();
    const storage = app.storage || {};
    const retryIn = sync.nextAttemptAt > Date.now() ? fmt(t.retry_in, { s: Math.ceil((sync.nextAttemptAt - Date.now()) / 1000) }) : "";
    const noPin = this.station && !this.locked;
    const panel = h("div", { class: "panel", dataset: { testid: "menu-panel" } },
      h("h2", { id: "menu-title", tabindex: "-1" }, this.station ? t.station_menu : t.device_panel),
      noPin ? h("p", { class: "notice", dataset: { testid: "no-pin" } }, `${t.no_pin_title}. ${t.no_pin}`) : null,
      h("section", {},
        h("dl", { class: "counts" },
          h("dt", {}, t.waiting), h("dd", { dataset: { testid: "menu-waiting" } }, counts.waiting),
          h("dt", {}, t.sent), h("dd", { dataset: { testid: "menu-sent" } }, counts.sent),
          h("dt", {}, t.failed), h("dd", { dataset: { testid: "menu-failed" } }, counts.failed)),
        h("p", { class: "muted" }, sync.running ? t.sending : retryIn, sync.lastError ? ` (${sync.lastError})` : ""),
        h("button", { type: "button", dataset: { testid: "send-now" }, disabled: sync.running, onclick: () => actions.sendNow() },
          sync.running ? t.sending : t.send_now)),
      h("section", {},
        h("h3", {}, t.attention_title),
        attention.length
          ? h("ul", { class: "attention", dataset: { testid: "attention-list" } }, attention.map((rec) =>
              h("li", {}, h("code", {}, rec.uuid.slice(0, 8)), ` — ${rec.status}: `,
                (rec.response && (rec.response.errors || []).map((e) => `${e.field}: ${e.message}`).join("; ")) ||
                  (rec.response && rec.response.error) || ""))) // prettier-ignore
          : h("p", { class: "muted" }, t.attention_empty),
        attention.length ? h("div", { class: "row" },
          h("button", { type: "button", class: "secondary", dataset: { testid: "export-attention" },
            onclick: () => this.exportAttention(attention) }, t.export),
          h("button", { type: "button", class: "secondary", dataset: { testid: "retry-attention" },
            onclick: () => actions.retryAttention() }, t.retry)) : null),
      h("section", {},
        h("h3", {}, t.storage),
        h("p", { dataset: { testid: "storage-use" } },
          fmt(t.storage_use, { used: bytes(storage.usage), free: bytes((storage.quota || NaN) - (storage.usage || 0)) })),
        h("p", { class: storage.persisted ? "muted" : "warning" }, storage.persisted ? t.storage_persistent : t.storage_not_persistent),
        storage.low ? h("p", { class: "warning" }, t.storage_low) : null),
      this.locked && app.draft ? h("section", {},
        h("p", { class: "muted" }, t.discard_hint),
        h("button", { type: "button", class: "secondary danger", dataset: { testid: "discard-draft" },
          onclick: () => { this.close(); actions.discardDraft(); } }, t.discard)) : null,
      this.station ? h("section", {},
        h("h3", { id: "default-lang" }, t.default_language),
        h("div", { class: "languages", role: "group", "aria-labelledby": "default-lang" }, app.doc.languages.map((code) =>
          h("button", { type: "button", class: "lang", lang: code, "aria-pressed": String(code === app.stationDefault),
            dataset: { testid: `default-lang-${code}` }, onclick: () => actions.setDefaultLanguage(code) },
            app.doc.ui[code].language_name)))) : null,
      h("section", {},
        h("dl", { class: "facts" },
          h("dt", {}, t.device), h("dd", { dataset: { testid: "device-id" } }, app.deviceId),
          h("dt", {}, t.fingerprint), h("dd", { dataset: { testid: "acked-fingerprint" } }, acked),
          h("dt", {}, t.version), h("dd", {}, app.sw.version || "—")),
        app.sw.updateReady ? h("p", { class: "notice" }, t.update_pending) : null),
      h("div", { class: "pager" },
        this.locked ? h("button", { type: "button", class: "secondary danger", dataset: { testid: "exit-station" },
          onclick: () => { this.close(); actions.exitStation(); } }, t.exit_station) : h("span"),
        h("button", { type: "button", dataset: { testid: "close-menu" }, onclick: () => this.close() }, t.close_menu)),
    ); // prettier-ignore
    // Keep keyboard focus where it was across re-draws (sync progress re-draws the panel).
    const focused = this.dialog.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    this.dialog.replaceChildren(panel);
    const again = focused && panel.querySelector(`[data-testid="${focused}"]`);
    if (again) again.focus();
  }

  exportAttention(records) {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    downloadJson(`cips-attention-${this.app.doc.slug}-${this.app.deviceId.slice(0, 8)}-${stamp}.json`, {
      exported_at: new Date().toISOString(),
      campaign: this.app.doc.slug,
      device_id: this.app.deviceId,
      // Each record keeps the exact payload for POST /api/v1/submissions and the server's answer.
      records,
    });
  }
}
