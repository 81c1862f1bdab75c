// IndexedDB: everything a device must not lose.
//
// Stores (one database per origin, shared by the campaigns served from it):
//   drafts     the respondent in progress, one per campaign (key: campaign), saved on every answer
//   outbox     finished submissions awaiting upload (key: uuid), in order of creation
//   attention  submissions the server refused (409/422...), kept for export, never deleted by the app
//   meta       device id, sent counter, station settings (key: key)
//
// The schema is versioned: MIGRATIONS[v] upgrades a database from v - 1 to v inside
// `onupgradeneeded`. A new app version adds a step; it never deletes a store that
// holds respondents' data (migrate, don't drop). The service worker never touches
// IndexedDB.

const DB_NAME = "cips";
export const DB_VERSION = 1;

const MIGRATIONS = {
  1(db) {
    db.createObjectStore("drafts", { keyPath: "campaign" });
    const outbox = db.createObjectStore("outbox", { keyPath: "uuid" });
    outbox.createIndex("createdAt", "createdAt");
    db.createObjectStore("attention", { keyPath: "uuid" });
    db.createObjectStore("meta", { keyPath: "key" });
  },
  // 2(db, tx) { ... tx.objectStore("outbox").openCursor() ... rewrite records in place ... },
};

/** 32-bit FNV-1a of a uuid; the XOR of these over a set of uuids is its fingerprint.
 *  XOR is order-free and can be updated one record at a time; it says nothing of how many
 *  records there are. The same function is in cips/services/station.py (uuid_fingerprint). */
export function fingerprintOf(uuid) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < uuid.length; i++) {
    hash ^= uuid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function formatFingerprint(value) {
  const hex = (value >>> 0).toString(16).padStart(8, "0");
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

function settle(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException("transaction aborted", "AbortError"));
  });
}

export function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => {
      for (let v = event.oldVersion + 1; v <= DB_VERSION; v += 1) MIGRATIONS[v](request.result, request.transaction);
    };
    request.onsuccess = () => {
      const db = request.result;
      // A newer app version in another tab wants to migrate: let it (our draft is saved),
      // then reload into the new version instead of blocking it forever.
      db.onversionchange = () => {
        db.close();
        location.reload();
      };
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  });
}

export class Store {
  constructor(db) {
    this.db = db;
  }

  tx(stores, mode = "readonly") {
    return this.db.transaction(stores, mode, { durability: "strict" });
  }

  async getDraft(campaign) {
    return settle(this.tx("drafts").objectStore("drafts").get(campaign));
  }

  /** Called on every answer: a put per change, in order (IndexedDB orders overlapping writes). */
  async putDraft(draft) {
    const tx = this.tx("drafts", "readwrite");
    tx.objectStore("drafts").put({ ...draft, updatedAt: new Date().toISOString() });
    return committed(tx);
  }

  async deleteDraft(campaign) {
    const tx = this.tx("drafts", "readwrite");
    tx.objectStore("drafts").delete(campaign);
    return committed(tx);
  }

  /** Submit: the record enters the outbox and the draft leaves, atomically. */
  async finish(record) {
    const tx = this.tx(["outbox", "drafts"], "readwrite");
    tx.objectStore("outbox").add({ ...record, createdAt: new Date().toISOString(), attempts: 0, lastError: null });
    tx.objectStore("drafts").delete(record.campaign);
    return committed(tx);
  }

  async oldestWaiting() {
    const cursor = await settle(this.tx("outbox").objectStore("outbox").index("createdAt").openCursor());
    return cursor ? cursor.value : null;
  }

  async all(storeName) {
    return settle(this.tx(storeName).objectStore(storeName).getAll());
  }

  async noteFailure(uuid, message) {
    const tx = this.tx("outbox", "readwrite");
    const store = tx.objectStore("outbox");
    store.get(uuid).onsuccess = (event) => {
      const record = event.target.result;
      if (record) store.put({ ...record, attempts: (record.attempts || 0) + 1, lastError: message });
    };
    return committed(tx);
  }

  /** The server stored it (200/201): only now does the record leave the device. Its uuid
   *  joins the campaign's fingerprint of acknowledged records (see fingerprintOf). */
  async acknowledge(uuid) {
    const tx = this.tx(["outbox", "meta"], "readwrite");
    const outbox = tx.objectStore("outbox");
    const meta = tx.objectStore("meta");
    outbox.get(uuid).onsuccess = (event) => {
      const record = event.target.result;
      if (!record) return;
      outbox.delete(uuid);
      const key = `acked:${record.campaign}`;
      meta.get(key).onsuccess = (e) => {
        const before = e.target.result ? e.target.result.value : 0;
        meta.put({ key, value: (before ^ fingerprintOf(uuid)) >>> 0 });
      };
      meta.get("sent").onsuccess = (e) => {
        const sent = e.target.result ? e.target.result.value : 0;
        meta.put({ key: "sent", value: sent + 1 });
      };
    };
    return committed(tx);
  }

  /** The fingerprint of the records of `campaign` the server acknowledged, as the stations page shows it. */
  async ackedFingerprint(campaign) {
    return formatFingerprint(await this.getMeta(`acked:${campaign}`, 0));
  }

  /** The server refused it (409/422...): move it, with the answer, to the attention list. */
  async toAttention(uuid, status, response) {
    const tx = this.tx(["outbox", "attention"], "readwrite");
    const outbox = tx.objectStore("outbox");
    outbox.get(uuid).onsuccess = (event) => {
      const record = event.target.result;
      if (!record) return;
      tx.objectStore("attention").put({ ...record, status, response, refusedAt: new Date().toISOString() });
      outbox.delete(uuid);
    };
    return committed(tx);
  }

  /** Enumerator's "try again" (e.g. after the campaign was fixed on the server). */
  async retryAttention() {
    const tx = this.tx(["outbox", "attention"], "readwrite");
    const attention = tx.objectStore("attention");
    attention.getAll().onsuccess = (event) => {
      for (const record of event.target.result) {
        const { status, response, refusedAt, ...rest } = record;
        tx.objectStore("outbox").put({ ...rest, lastError: `${status} (${refusedAt})` });
        attention.delete(record.uuid);
      }
    };
    return committed(tx);
  }

  async counts() {
    const tx = this.tx(["outbox", "attention", "meta"]);
    const [waiting, failed, sent] = await Promise.all([
      settle(tx.objectStore("outbox").count()),
      settle(tx.objectStore("attention").count()),
      settle(tx.objectStore("meta").get("sent")),
    ]);
    return { waiting, failed, sent: sent ? sent.value : 0 };
  }

  async getMeta(key, fallback = null) {
    const row = await settle(this.tx("meta").objectStore("meta").get(key));
    return row ? row.value : fallback;
  }

  async setMeta(key, value) {
    const tx = this.tx("meta", "readwrite");
    tx.objectStore("meta").put({ key, value });
    return committed(tx);
  }

  /** Generated once per device (browser profile) and kept: identifies the tablet, not the person. */
  async deviceId() {
    const tx = this.tx("meta", "readwrite");
    const meta = tx.objectStore("meta");
    let id = null;
    meta.get("device_id").onsuccess = (event) => {
      if (event.target.result) {
        id = event.target.result.value;
      } else {
        id = crypto.randomUUID();
        meta.add({ key: "device_id", value: id });
      }
    };
    await committed(tx);
    return id;
  }
}
