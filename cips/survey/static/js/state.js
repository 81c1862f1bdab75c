// Shared state of the PWA, and the few helpers every screen needs.
//
// `actions` is filled by app.js (flow: begin, go, next, submit, decline, ...) so that
// screens.js and chrome.js can call the flow without importing app.js (no cycles).

export const CFG = { ...document.body.dataset }; // campaign, sw, scope, document, submit
export const IDLE_SCREENS = new Set(["start", "thanks", "declined", "closed", "station-closed", "station-no-pin", "invite-needed"]);

export const app = {
  doc: null, store: null, sync: null, menu: null, deviceId: null, storage: null,
  lang: "en", screen: "loading", draft: null, errors: {}, notice: null,
  invite: null, preselect: null, stationDefault: null, stationClosed: false,
  submitted: null, // {uuid, state: "waiting"|"sent"|"refused", body} of the last submission (thanks page)
  sw: { registration: null, version: null, updateReady: false, requested: false },
}; // prettier-ignore

export const actions = {};

export const t = () => app.doc.ui[app.lang];
export const isStation = () => app.doc.mode === "station";
/** Station campaigns carry the PIN verifier in the campaign document (null: none set). */
export const hasPin = () => Boolean(app.doc.station && app.doc.station.pin);
export const metaKey = (name) => `station:${app.doc.slug}:${name}`;

/** The questionnaire version a draft was started with (or the current one of the same key). */
export function instrumentOf(draft) {
  const exact = app.doc.instruments.find((i) => i.key === draft.instrument && i.version === draft.version);
  return exact || app.doc.instruments.find((i) => i.key === draft.instrument && i.current);
}

export const definition = () => instrumentOf(app.draft).definition;
export const sections = () => definition().sections;
/** Pages: 0 consent, 1..N one per section, N + 1 review. */
export const reviewPage = () => sections().length + 1;
