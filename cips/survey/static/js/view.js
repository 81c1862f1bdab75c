// What is on screen: the screen stored state calls for (route), drawn into <main> (render),
// and the page's language and direction. The flow that changes state is app.js.

import { maybeApplyUpdate, renderFooter } from "./chrome.js";
import { SCREENS } from "./screens.js";
import { app, hasPin, IDLE_SCREENS, isStation, reviewPage, t } from "./state.js";
import { h } from "./ui.js";

export const main = document.getElementById("main");

// ---------------------------------------------------------------- language

export function pickLanguage(asked) {
  const offered = app.doc.languages;
  if (asked && offered.includes(asked)) return asked;
  if (isStation() && offered.includes(app.stationDefault)) return app.stationDefault;
  for (const wanted of navigator.languages || []) {
    const base = wanted.slice(0, 2).toLowerCase();
    if (offered.includes(base)) return base;
  }
  return offered[0];
}

export function applyLanguage() {
  document.documentElement.lang = app.lang;
  document.documentElement.dir = app.doc.directions[app.lang] || "ltr";
}

// ---------------------------------------------------------------- screen

function campaignOpen() {
  const { status, opens_at: opens, closes_at: closes } = app.doc;
  const now = Date.now(); // the device's clock: a tablet offline for weeks still opens on the day
  return status === "open" && (!opens || Date.parse(opens) <= now) && (!closes || now < Date.parse(closes));
}

/** Where the app belongs, from stored state: used at start and after each reset. */
export function route() {
  if (isStation() && app.stationClosed) app.screen = "station-closed";
  else if (app.draft) app.screen = app.draft.page === 0 ? "consent" : app.draft.page >= reviewPage() ? "review" : "section";
  else if (!campaignOpen()) app.screen = "closed";
  else if (isStation() && !hasPin()) app.screen = "station-no-pin"; // anyone could close an unlocked station
  else if (app.doc.mode === "online" && app.doc.invite_only && !app.invite) app.screen = "invite-needed";
  else app.screen = "start";
}

export function render({ focus = true } = {}) {
  const notice = app.notice ? h("p", { class: "notice", role: "status", dataset: { testid: app.notice } }, t()[app.notice]) : null;
  main.replaceChildren(...[notice, SCREENS[app.screen]()].flat(Infinity).filter(Boolean));
  main.dataset.screen = app.screen;
  if (focus) (main.querySelector("h1") || main).focus();
  renderFooter();
  if (IDLE_SCREENS.has(app.screen)) maybeApplyUpdate();
}

export function showErrors(errors) {
  app.errors = errors;
  render({ focus: false });
  main.querySelector('[data-testid="errors"]').focus();
}
