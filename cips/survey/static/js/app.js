// CIPS survey PWA: wiring of storage, sync, questionnaire flow and station mode.
//
// Screens: start (language, questionnaire) → consent → one page per section → review
// → thanks. The draft (respondent in progress) is written to IndexedDB on every answer,
// so a reload, a crash or a flat battery resumes where the respondent was. The app never
// pushes history entries: Back cannot walk into earlier pages, and in station mode the
// previous respondent's answers are gone from memory, storage, the DOM and the address
// bar at submit (history.replaceState).

import { checkStorage, maybeApplyUpdate, registerServiceWorker, renderStatus, showBanner } from "./chrome.js";
import { encryptionOf, seal } from "./crypto.js";
import { openDatabase, Store } from "./db.js";
import { forgetDraft, restoreDraft, saveDraft } from "./drafts.js";
import * as form from "./form.js";
import * as logic from "./logic.js";
import * as paradata from "./paradata.js";
import { actions, app, CFG, definition, IDLE_SCREENS, instrumentOf, isStation, metaKey, reviewPage, sections, t } from "./state.js";
import { Menu } from "./station.js";
import { Sync } from "./sync.js";
import { h } from "./ui.js";
import { applyLanguage, main, pickLanguage, render, route, showErrors } from "./view.js";

const STATION_RESET_MS = 30 * 1000;

// ---------------------------------------------------------------- language

function setLanguage(code) {
  app.lang = code;
  if (app.draft) {
    app.draft.language = code;
    saveDraft();
  }
  applyLanguage();
  render({ focus: false });
  const pressed = main.querySelector(`[data-testid="lang-${code}"]`);
  if (pressed) pressed.focus();
  renderStatus();
}

// ---------------------------------------------------------------- flow

async function begin(inst) {
  app.draft = {
    campaign: app.doc.slug, uuid: crypto.randomUUID(), instrument: inst.key, version: inst.version,
    language: app.lang, startedAt: new Date().toISOString(), consent: false, page: 0, answers: {},
    invite: app.invite || null,
    order: logic.drawOrder(inst.definition), // drawn once: a reload of the draft shows the same order
  }; // prettier-ignore
  await saveDraft();
  go(0);
}

/** Move to a page of the current respondent; never a history entry (see top of file). */
function go(page) {
  app.errors = {};
  app.notice = null;
  paradata.enter(app.draft, page >= 1 && page < reviewPage() ? sections()[page - 1].id : null);
  app.draft.page = page;
  if (page >= reviewPage()) delete app.draft.toReview;
  saveDraft();
  route();
  render();
  window.scrollTo(0, 0);
}

/** The page `direction` (+1/-1) away from `page`, passing over sections with nothing asked. */
function step(page, direction) {
  const state = logic.walk(definition(), app.draft.answers);
  let target = page + direction;
  while (target >= 1 && target < reviewPage() && !logic.shownSections({ sections: [sections()[target - 1]] }, state).length) {
    target += direction;
  }
  return target;
}

function next(section) {
  const errors = form.validate(definition(), section.items, app.draft.answers, t(), app.lang);
  if (Object.keys(errors).length) showErrors(errors);
  else if (app.draft.toReview) go(reviewPage());
  else go(step(app.draft.page, 1));
}

/** "Change" on the review page: that part, then straight back to the review (kept in the draft). */
function change(index) {
  app.draft.toReview = true;
  go(index + 1);
}

/** The section of the page on screen (answers are given only there). */
const currentSection = () => sections()[app.draft.page - 1].id;

function onAnswer(itemId, value, { text = false } = {}) {
  const before = logic.walk(definition(), app.draft.answers).asked;
  paradata.flush(app.draft);
  if (!text) paradata.choiceAnswered(app.draft, currentSection(), app.draft.answers[itemId] ?? null, value);
  if (value === null) delete app.draft.answers[itemId];
  else app.draft.answers[itemId] = value;
  const state = logic.walk(definition(), app.draft.answers);
  // Answers to items this answer hides are cleared: the draft never holds what will not be sent.
  for (const id of logic.staleAnswers(definition(), app.draft.answers, state)) delete app.draft.answers[id];
  const saved = saveDraft();
  const changed = before.size !== state.asked.size || [...state.asked].some((id) => !before.has(id));
  if (!changed) return;
  // Redrawn once the draft is stored: its transaction commits only after this task, so a redraw
  // here would hold the answer back (bench/pwa_answer.py); the tapped control shows it already.
  const draft = app.draft;
  saved.then(() => {
    if (app.draft !== draft || app.screen !== "section") return;
    const focused = document.activeElement && document.activeElement.id;
    render({ focus: false }); // show or hide the items whose condition changed
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  });
}

/** A typed answer left its field changed (the control's change event): see paradata.js. */
function onCommit(itemId) {
  paradata.flush(app.draft);
  paradata.typedCommitted(app.draft, currentSection(), itemId);
  saveDraft();
}

function afterConsent() {
  if (!app.draft.consent) {
    app.errors = { consent: t().consent_required };
    render();
    return;
  }
  go(1);
}

/** Back to a clean start in station mode: default language, no query in the address. */
function resetStation() {
  history.replaceState(null, "", CFG.scope);
  app.lang = pickLanguage(null);
  applyLanguage();
}

/** The enumerator discards a walked-away draft: nothing of it is kept, the station starts afresh. */
async function discard() {
  await forgetDraft();
  await app.store.deleteDraft(app.doc.slug);
  if (isStation()) resetStation();
  route();
  render();
}

/** The respondent declines on the consent page: nothing is kept, and they are told so in their language. */
async function decline() {
  await forgetDraft();
  await app.store.deleteDraft(app.doc.slug);
  if (isStation()) history.replaceState(null, "", CFG.scope);
  app.screen = "declined";
  render();
  if (isStation()) scheduleStationReset();
}

async function submit(button) {
  const def = definition();
  const errors = form.validate(def, form.allItems(def), app.draft.answers, t(), app.lang);
  if (Object.keys(errors).length) {
    const first = def.sections.findIndex((s) => s.items.some((item) => errors[item.id]));
    go(first + 1);
    showErrors(form.validate(def, def.sections[first].items, app.draft.answers, t(), app.lang));
    return;
  }
  button.disabled = true;
  const draft = app.draft;
  const payload = {
    uuid: draft.uuid, campaign: app.doc.slug, instrument: draft.instrument, instrument_version: draft.version,
    language: draft.language, device_id: app.deviceId, started_at: draft.startedAt,
    submitted_at: new Date().toISOString(), answers: form.payloadAnswers(def, draft.answers, draft.order),
  }; // prettier-ignore
  if (draft.invite) payload.invite_token = draft.invite;
  const sections = paradata.payload(draft, app.doc.paradata_limits); // sealed with the answers when encrypted
  if (sections) payload.paradata = sections;
  // Encrypted campaign: only the sealed envelope enters the outbox (crypto.js).
  let record = payload;
  const encryption = encryptionOf(app.doc);
  if (encryption) {
    try {
      record = await seal(payload, encryption);
    } catch (error) {
      button.disabled = false; // the draft is intact: nothing was stored
      showBanner(`${t().encrypt_failed} (${error.name}: ${error.message})`);
      return;
    }
  }
  await forgetDraft();
  try {
    await app.store.finish({ uuid: draft.uuid, campaign: app.doc.slug, payload: record }); // outbox in, draft out: one transaction
  } catch (error) {
    // e.g. QuotaExceededError on a full device: the transaction rolled back, the draft is intact.
    restoreDraft(draft);
    button.disabled = false;
    showBanner(`${error.name}: ${error.message}`);
    return;
  }
  // From here nothing of this respondent stays in memory, on screen or in the address bar.
  app.submitted = { uuid: draft.uuid, state: "waiting", body: null };
  // The thanks page stays in the respondent's language; the next one starts in the default.
  if (isStation()) history.replaceState(null, "", CFG.scope);
  app.screen = "thanks";
  render();
  renderStatus();
  app.sync.now();
  if (isStation()) scheduleStationReset();
}

let resetTimer = null;
function scheduleStationReset() {
  clearTimeout(resetTimer);
  resetTimer = setTimeout(() => {
    if ((app.screen === "thanks" || app.screen === "declined") && !app.menu.isOpen) nextRespondent();
  }, STATION_RESET_MS);
}

function nextRespondent() {
  clearTimeout(resetTimer);
  app.submitted = null;
  if (isStation()) resetStation();
  route();
  render();
}

async function openStation() {
  if (!(await app.menu.unlock())) return;
  app.menu.close();
  app.stationClosed = false;
  await app.store.setMeta(metaKey("closed"), false);
  route();
  render();
}

Object.assign(actions, {
  afterConsent, begin, change, decline, go, next, nextRespondent, onAnswer, onCommit, openStation, setLanguage, step, submit,
  setConsent: (checked) => {
    app.draft.consent = checked;
    saveDraft();
  },
  // The server no longer serves the campaign (closed): no new respondent, once nobody is mid-way.
  campaignGone: () => {
    if (app.draft || !IDLE_SCREENS.has(app.screen)) return;
    route();
    render({ focus: false });
  },
}); // prettier-ignore

// ---------------------------------------------------------------- start

function menuActions() {
  return {
    sendNow: () => app.sync.now({ resetBackoff: true }),
    retryAttention: async () => {
      await app.store.retryAttention();
      app.sync.now({ resetBackoff: true });
    },
    setDefaultLanguage: async (code) => {
      app.stationDefault = code;
      await app.store.setMeta(metaKey("lang"), code);
      if (!app.draft) {
        app.lang = code;
        applyLanguage();
        render({ focus: false });
      }
      app.menu.render();
    },
    discardDraft: () => app.draft && discard(),
    refreshStorage: () => checkStorage(),
    exitStation: async () => {
      app.stationClosed = true;
      await app.store.setMeta(metaKey("closed"), true);
      route();
      render();
    },
    closed: () => maybeApplyUpdate(),
  };
}

async function boot() {
  const params = new URLSearchParams(location.search);
  app.invite = params.get("t");
  app.preselect = params.get("i");
  try {
    app.store = new Store(await openDatabase());
    const response = await fetch(CFG.document, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    app.doc = await response.json();
  } catch (error) {
    // Only possible before the first complete online visit (or without IndexedDB).
    // The shell's language (the browser's): the campaign's own strings could not be read.
    main.replaceChildren(h("h1", {}, document.title), h("p", { class: "notice error", dataset: { testid: "app-error" } },
      `${CFG.notReady} (${error.message})`)); // prettier-ignore
    registerServiceWorker();
    return;
  }
  app.deviceId = await app.store.deviceId();
  app.stationDefault = await app.store.getMeta(metaKey("lang"));
  app.stationClosed = Boolean(await app.store.getMeta(metaKey("closed"), false));
  app.draft = (await app.store.getDraft(app.doc.slug)) || null;
  if (app.draft && !instrumentOf(app.draft)) app.draft = null; // questionnaire withdrawn from the campaign
  app.lang = app.draft ? app.draft.language : pickLanguage(params.get("lang"));
  if (app.draft) {
    app.invite = app.draft.invite || app.invite;
    if (app.draft.page > 0 || Object.keys(app.draft.answers).length) app.notice = "restored";
  }
  applyLanguage();
  app.sync = new Sync(app.store, CFG.submit);
  app.sync.addEventListener("change", renderStatus);
  app.sync.addEventListener("record", (event) => {
    const { uuid, kind, body } = event.detail;
    if (app.submitted && app.submitted.uuid === uuid) {
      app.submitted = { uuid, state: kind === "stored" ? "sent" : "refused", body };
      if (app.screen === "thanks") render({ focus: false });
    }
  });
  app.menu = new Menu(app, menuActions());
  // Active time only: a hidden page (screen off, another app in front) stops the section's clock.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") return paradata.resume();
    paradata.pause(app.draft);
    saveDraft();
  });
  window.addEventListener("online", renderStatus);
  window.addEventListener("offline", renderStatus);
  // Coming back through the back/forward cache: show what storage says, not an old DOM.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) location.reload();
  });
  route();
  if (app.screen === "section") paradata.enter(app.draft, currentSection()); // a reload continues the count
  render();
  renderStatus();
  app.sync.start();
  checkStorage();
  registerServiceWorker();
}

boot();
