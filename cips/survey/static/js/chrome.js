// Around the questionnaire: status bar (connectivity), error banner, footer (offline
// readiness, menu button) and service-worker updates.

import { actions, app, CFG, IDLE_SCREENS, isStation, t } from "./state.js";
import { h } from "./ui.js";

const statusEl = document.getElementById("status");
const bannerEl = document.getElementById("banner");
const footEl = document.getElementById("foot");
const LOW_SPACE_BYTES = 50 * 1024 * 1024;

/**
 * The status bar says only what a respondent may care about: online or offline. Counts of
 * records, "Send now" and storage are the enumerator's, in the station menu (device panel).
 */
export function renderStatus() {
  if (!app.doc) return;
  const strings = t();
  const online = navigator.onLine;
  statusEl.replaceChildren(
    h("span", { class: `chip ${online ? "online" : "offline"}`, dataset: { testid: "connectivity", online: String(online) } },
      online ? strings.online : strings.offline),
  ); // prettier-ignore
  if (app.menu && app.menu.isOpen && app.menu.dialog.querySelector('[data-testid="menu-panel"]')) app.menu.render();
  renderFooter();
}

/** Errors only (e.g. a full device at submit); storage warnings live in the menu, not on respondent screens. */
export function showBanner(text, kind = "error") {
  bannerEl.replaceChildren(h("p", { class: kind, role: "alert", dataset: { testid: "app-error" } }, text));
  bannerEl.hidden = false;
}

/** Something the enumerator should look at: storage nearly full, or records the server refused. */
async function needsAttention() {
  const storageLow = Boolean(app.storage && app.storage.low);
  if (storageLow || !app.store) return storageLow;
  return (await app.store.counts()).failed > 0;
}

export async function renderFooter() {
  if (!app.doc) return;
  const strings = t();
  const alert = await needsAttention();
  footEl.replaceChildren(
    h("span", { class: "muted", dataset: { testid: app.sw.version ? "offline-ready" : "offline-not-ready", version: app.sw.version || "" } },
      app.sw.version ? strings.offline_ready : strings.offline_not_ready),
    h("button", { type: "button", class: alert ? "secondary small alert" : "secondary small", dataset: { testid: "open-menu" },
      onclick: () => app.menu.open() }, isStation() ? strings.station_menu : strings.device_panel),
  ); // prettier-ignore
}

export async function checkStorage() {
  if (!navigator.storage || !navigator.storage.estimate) return;
  let persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  // Chromium decides without a prompt (installed app, engagement); ask anyway, every start.
  if (!persisted && navigator.storage.persist) persisted = await navigator.storage.persist().catch(() => false);
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  app.storage = { persisted, usage, quota, low: quota > 0 && (quota - usage < LOW_SPACE_BYTES || usage / quota > 0.9) };
  renderFooter();
}

function askVersion(worker) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data.version);
    worker.postMessage({ type: "VERSION" }, [channel.port2]);
    setTimeout(() => resolve(null), 5000);
  });
}

/** A new version waits until no respondent is mid-way, then takes over and the page reloads. */
export function maybeApplyUpdate() {
  const reg = app.sw.registration;
  if (!app.sw.updateReady || !reg || !reg.waiting || app.draft || !IDLE_SCREENS.has(app.screen)) return;
  if (app.menu && app.menu.isOpen) return;
  app.sw.requested = true;
  reg.waiting.postMessage({ type: "SKIP_WAITING" });
}

/**
 * A closed campaign is no longer served (404, like an unknown one), so its worker cannot
 * update to say so: the page asks. New respondents then see the closed screen; the outbox
 * keeps sending what was answered before (late records are the server's to judge).
 */
async function checkStillServed() {
  if (!navigator.onLine) return; // nothing to learn, and nothing may leave the device offline
  try {
    const response = await fetch(CFG.sw, { cache: "no-store" });
    if (response.status !== 404 || app.doc.status !== "open") return;
    app.doc = { ...app.doc, status: "closed" };
    actions.campaignGone();
  } catch (error) {
    // offline: nothing to learn now
  }
}

export async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // First install (clients.claim) changes the controller too: reload only for an update.
    if (app.sw.requested || hadController) location.reload();
  });
  try {
    const reg = await navigator.serviceWorker.register(CFG.sw, { scope: CFG.scope, updateViaCache: "none" });
    app.sw.registration = reg;
    const watch = (worker) => {
      if (!worker) return;
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) {
          app.sw.updateReady = true;
          maybeApplyUpdate();
        }
      });
    };
    if (reg.waiting && navigator.serviceWorker.controller) app.sw.updateReady = true;
    watch(reg.installing);
    reg.addEventListener("updatefound", () => watch(reg.installing));
    const ready = await navigator.serviceWorker.ready;
    app.sw.version = await askVersion(ready.active);
    renderFooter();
    maybeApplyUpdate();
    // Asked only when the periodic update fails, never at start: an offline start sends nothing.
    setInterval(() => reg.update().catch(checkStillServed), 15 * 60 * 1000);
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}
