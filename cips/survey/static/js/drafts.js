// The respondent in progress (the draft), kept in IndexedDB so that a reload, a crash or a
// flat battery resumes where the respondent was. Writes are serialised and coalesced here, and
// a respondent once submitted or discarded is never written back by a save still on its way.

import { showBanner } from "./chrome.js";
import * as paradata from "./paradata.js";
import { app } from "./state.js";

const finished = new Set(); // uuids submitted or discarded: a late save must never resurrect their draft
let queued = null;
let inflight = null;

/** Save the draft now; writes are serialised and coalesced (typing writes at most one behind). */
export function saveDraft() {
  if (!app.draft) return Promise.resolve();
  queued = structuredClone(app.draft);
  if (!inflight) {
    inflight = (async () => {
      while (queued) {
        const snapshot = queued;
        queued = null;
        if (!finished.has(snapshot.uuid)) await app.store.putDraft(snapshot);
      }
      inflight = null;
    })().catch((error) => {
      inflight = null;
      showBanner(`${error.name}: ${error.message}`);
    });
  }
  return inflight;
}

/** Forget the current respondent everywhere (memory, pending writes); storage is the caller's. */
export async function forgetDraft() {
  paradata.stop();
  finished.add(app.draft.uuid);
  queued = null;
  await inflight;
  const draft = app.draft;
  app.draft = null;
  app.errors = {};
  app.notice = null;
  return draft;
}

/** Take back a forgotten draft whose submission failed: it is the current respondent again, and saved as before. */
export function restoreDraft(draft) {
  finished.delete(draft.uuid);
  app.draft = draft;
}
