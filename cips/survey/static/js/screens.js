// The respondent's screens, built from state: start, consent, sections, review, thanks.
// Each returns DOM nodes; view.js puts them in <main> and moves focus to the <h1>.

import * as form from "./form.js";
import * as logic from "./logic.js";
import { actions, app, definition, isStation, reviewPage, sections, t } from "./state.js";
import { fmt, h } from "./ui.js";

function heading(text, testid) {
  return h("h1", { tabindex: "-1", dataset: { testid } }, text);
}

function message(title, text, testid) {
  return [heading(title, testid), text ? h("p", { class: "lead" }, text) : null];
}

/** Language buttons: large on the start screen, compact above the questions. */
function languageNav(large = false) {
  if (app.doc.languages.length < 2) return null;
  return h("nav", { class: large ? "languages large" : "languages", "aria-label": t().choose_language },
    app.doc.languages.map((code) =>
      h("button", { type: "button", class: "lang", lang: code, "aria-pressed": String(code === app.lang),
        dataset: { testid: `lang-${code}` }, onclick: () => actions.setLanguage(code) }, app.doc.ui[code].language_name))); // prettier-ignore
}

function context(extra = {}) {
  return {
    lang: app.lang, t: t(), labels: definition().likert_labels[app.lang], answers: app.draft.answers,
    errors: app.errors, onAnswer: actions.onAnswer, onCommit: actions.onCommit, order: app.draft.order, ...extra,
  }; // prettier-ignore
}

function startScreen() {
  const strings = t();
  const current = app.doc.instruments.filter((i) => i.current);
  const offered = current.filter((i) => !app.preselect || i.key === app.preselect);
  const choices = offered.length ? offered : current;
  return [
    heading(app.doc.name, "start"),
    h("p", { class: "lead" }, strings.choose_language),
    languageNav(true),
    h("h2", {}, choices.length > 1 ? strings.choose_questionnaire : choices[0].definition.title[app.lang]),
    h("div", { class: "choices" }, choices.map((inst) =>
      h("button", { type: "button", class: "big", dataset: { testid: `start-${inst.key}` }, onclick: () => actions.begin(inst) },
        choices.length > 1 ? inst.definition.title[app.lang] : strings.start))), // prettier-ignore
  ];
}

function consentScreen() {
  const strings = t();
  const def = definition();
  const error = app.errors.consent;
  const box = h("input", { type: "checkbox", id: "consent", checked: app.draft.consent, "aria-invalid": error ? "true" : null,
    "aria-describedby": error ? "consent-error" : null, dataset: { testid: "consent" },
    onchange: (event) => actions.setConsent(event.target.checked) }); // prettier-ignore
  return [
    languageNav(),
    heading(def.title[app.lang], "consent-title"),
    h("p", {}, def.intro[app.lang]),
    h("section", { class: "consent", "aria-labelledby": "consent-heading" },
      h("h2", { id: "consent-heading" }, strings.consent_title),
      h("p", {}, def.consent[app.lang]),
      h("label", { class: "opt check", for: "consent" }, box, h("span", { class: "opt-label" }, strings.consent_agree)),
      error ? h("p", { class: "error", id: "consent-error", role: "alert" }, error) : null),
    h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", dataset: { testid: "decline" }, onclick: actions.decline }, strings.decline),
      h("button", { type: "button", dataset: { testid: "continue" }, onclick: actions.afterConsent }, strings.continue)),
  ]; // prettier-ignore
}

/** Part n of N (sections with nothing asked are not counted); the review page is past the last part. */
function progress(page) {
  const shown = logic.shownSections(definition(), logic.walk(definition(), app.draft.answers));
  const total = shown.length;
  const here = shown.indexOf(sections()[page - 1]);
  page = page > sections().length ? total + 1 : here + 1 || 1;
  const label = page > total ? t().review_progress : fmt(t().section_of, { n: page, total });
  return h("div", { class: "progress" },
    h("span", { id: "progress-label" }, label),
    h("progress", { max: total, value: Math.min(page, total), "aria-labelledby": "progress-label" })); // prettier-ignore
}

function sectionScreen() {
  const page = app.draft.page;
  const section = sections()[page - 1];
  const state = logic.walk(definition(), app.draft.answers);
  const items = logic.orderedItems(section, app.draft.order).filter((item) => logic.isShown(item, state));
  const optionalStatements = items.some((item) => !item.required && item.type === "likert5");
  // The hint says once that statements may be skipped: no "(optional)" after each of them.
  const ctx = context({ skipHintShown: optionalStatements });
  return [
    languageNav(),
    progress(page),
    heading(section.title[app.lang], `section-${section.id}`),
    optionalStatements ? h("p", { class: "muted" }, t().skip_hint) : null,
    form.errorSummary(items, app.errors, app.lang, t()),
    h("div", { class: "items", dataset: { testid: "page", page: String(page) } },
      items.map((item) => form.renderItem(item, ctx))),
    h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", dataset: { testid: "back" }, onclick: () => actions.go(actions.step(page, -1)) }, t().back),
      h("button", { type: "button", dataset: { testid: "next" }, onclick: () => actions.next(section) },
        app.draft.toReview ? t().to_review : t().next)),
  ]; // prettier-ignore
}

function reviewScreen() {
  const strings = t();
  return [
    languageNav(),
    progress(reviewPage()),
    heading(strings.review_title, "review"),
    h("p", { class: "lead" }, strings.review_hint),
    form.errorSummary(form.allItems(definition()), app.errors, app.lang, strings),
    form.renderReview(definition(), context(), actions.change),
    h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", dataset: { testid: "back" }, onclick: () => actions.go(actions.step(reviewPage(), -1)) }, strings.back),
      h("button", { type: "button", dataset: { testid: "submit" }, onclick: (event) => actions.submit(event.currentTarget) }, strings.submit)),
  ]; // prettier-ignore
}

function refusalMessage(body) {
  const strings = t();
  if (body && body.field === "invite_token") {
    return String(body.error || "").includes("already been used") ? strings.invite_used : strings.invite_unknown;
  }
  return strings.submit_refused;
}

function thanksScreen() {
  const strings = t();
  const sub = app.submitted || { state: "waiting" };
  const state = { waiting: strings.thanks_saved, sent: strings.thanks_sent, refused: refusalMessage(sub.body) }[sub.state];
  return [
    heading(strings.thanks_title, "thanks"),
    h("p", { class: "lead" }, strings.thanks),
    h("p", { class: sub.state === "refused" ? "notice error" : "notice", role: "status",
      dataset: { testid: "submit-status", state: sub.state } }, state),
    isStation()
      ? [h("p", {}, strings.thanks_station),
         h("button", { type: "button", class: "big", dataset: { testid: "next-respondent" }, onclick: actions.nextRespondent }, strings.next_respondent)]
      : app.invite ? null
      : h("button", { type: "button", class: "secondary", dataset: { testid: "another" }, onclick: actions.nextRespondent }, strings.another),
  ]; // prettier-ignore
}

function declinedScreen() {
  const strings = t();
  return [
    heading(strings.declined_title, "declined"),
    h("p", { class: "lead" }, strings.declined),
    isStation()
      ? [h("p", {}, strings.thanks_station),
         h("button", { type: "button", class: "big", dataset: { testid: "next-respondent" }, onclick: actions.nextRespondent }, strings.next_respondent)]
      : h("button", { type: "button", class: "secondary", dataset: { testid: "another" }, onclick: actions.nextRespondent }, strings.back_to_start),
  ]; // prettier-ignore
}

function stationClosedScreen() {
  return [
    ...message(t().station_closed, null, "station-closed"),
    h("button", { type: "button", class: "big", dataset: { testid: "open-station" }, onclick: actions.openStation }, t().open_station),
  ]; // prettier-ignore
}

export const SCREENS = {
  start: startScreen,
  consent: consentScreen,
  section: sectionScreen,
  review: reviewScreen,
  thanks: thanksScreen,
  declined: declinedScreen,
  closed: () => message(t().closed, null, "closed"),
  "invite-needed": () => message(app.doc.name, t().invite_needed, "invite-needed"),
  "station-closed": stationClosedScreen,
  "station-no-pin": () => message(t().no_pin_title, t().no_pin, "station-no-pin"),
};
