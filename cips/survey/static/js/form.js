// Rendering a questionnaire from its JSON definition, and checking answers.
//
// The checks mirror the server's (cips/submissions/payload.py) so that a respondent
// hears about a missing answer on the page, not after upload; the server stays the
// judge, and what it refuses is kept on the device (attention list), never lost.

import * as logic from "./logic.js";
import { fmt, h } from "./ui.js";

const isMissing = logic.isMissing;

export function allItems(definition) {
  return definition.sections.flatMap((section) => section.items);
}

/** Problems with the given items' answers: {itemId: message}. Items not asked are not checked. */
export function validate(definition, items, answers, t, lang) {
  const errors = {};
  const state = logic.walk(definition, answers);
  for (const item of items) {
    if (!logic.isShown(item, state)) continue;
    const value = answers[item.id];
    if (isMissing(value)) {
      if (logic.isRequired(item, state)) errors[item.id] = t.required;
      continue;
    }
    if (!logic.constraintHolds(item, state, value)) {
      errors[item.id] = (item.constraint_message || {})[lang] || t.required;
    } else if (item.type === "number") {
      const tooLow = item.min !== null && item.min !== undefined && value < item.min;
      const tooHigh = item.max !== null && item.max !== undefined && value > item.max;
      if (typeof value !== "number" || tooLow || tooHigh) {
        errors[item.id] = fmt(t.number_range, { min: item.min ?? "", max: item.max ?? "" });
      }
    } else if (item.type === "text" && value.length > item.max_length) {
      errors[item.id] = fmt(t.too_long, { max: item.max_length });
    }
  }
  return errors;
}

/**
 * The answers to send: items asked only, skipped ones left out (the API reads absence as
 * "skipped"), calculated ones left to the server; plus the order randomised sections were shown in.
 */
export function payloadAnswers(definition, answers, order = {}) {
  const out = {};
  const state = logic.walk(definition, answers);
  for (const item of allItems(definition)) {
    if (logic.isShown(item, state) && !isMissing(answers[item.id])) out[item.id] = answers[item.id];
  }
  for (const [section, ids] of Object.entries(order || {})) out[`${logic.ORDER_PREFIX}${section}`] = ids;
  return out;
}

/** An item's options: the scale or choices, then its non-substantive answers ("don't know"). */
function options(item, lang, labels, t) {
  const scale =
    item.type === "likert5"
      ? labels.map((label, index) => ({ value: index + 1, label }))
      : (item.choices || []).map((choice) => ({ value: choice.value, label: choice.label[lang] }));
  const extra = (item.non_substantive || []).map((word) => ({ value: word, label: t[word], nonSubstantive: true }));
  return [...scale, ...extra];
}

/** How an answer reads on the review page. */
export function answerText(item, value, lang, labels, t) {
  if (isMissing(value)) return t.not_answered;
  if (item.type === "likert5" || item.type === "single") {
    const hit = options(item, lang, labels, t).find((opt) => opt.value === value);
    return hit ? hit.label : String(value);
  }
  if (item.type === "multi") {
    const labelsByValue = new Map(options(item, lang, labels, t).map((opt) => [opt.value, opt.label]));
    return value.map((v) => labelsByValue.get(v) || v).join("; ");
  }
  return String(value);
}

/** "3,000" or "3 000": numbers shown to the respondent follow their language. */
function number(n, lang) {
  return new Intl.NumberFormat(lang).format(n);
}

/**
 * An open answer with a live count of characters. The browser stops input at the item's
 * max_length (the server's limit); when typing or pasting meets it, the respondent is told
 * that the rest was not added, so text is never cut without a word.
 */
function textArea(item, ctx, attrs) {
  const { lang, t, answers, onAnswer } = ctx;
  const max = item.max_length;
  const value = answers[item.id];
  const counterId = `q-${item.id}-count`;
  const counter = h("p", { class: "counter muted", id: counterId, "aria-live": "polite", dataset: { testid: `counter-${item.id}` } });
  const limit = h("p", { class: "warning", role: "status", hidden: true, dataset: { testid: `limit-${item.id}` } },
    fmt(t.chars_limit, { max: number(max, lang) })); // prettier-ignore
  const describedBy = [attrs["aria-describedby"], counterId].filter(Boolean).join(" ");
  const area = h("textarea", { ...attrs, maxlength: max, "aria-describedby": describedBy });
  area.value = isMissing(value) ? "" : value; // a textarea's value is not an attribute
  let cut = false;
  const show = () => {
    counter.textContent = fmt(t.chars_count, { n: number(area.value.length, lang), max: number(max, lang) });
    limit.hidden = !(cut || area.value.length >= max);
  };
  area.addEventListener("beforeinput", (event) => {
    const incoming = event.data ?? (event.dataTransfer ? event.dataTransfer.getData("text/plain") : "");
    const kept = area.value.length - (area.selectionEnd - area.selectionStart);
    cut = Boolean(incoming) && kept + incoming.length > max;
  });
  area.addEventListener("input", () => {
    onAnswer(item.id, area.value === "" ? null : area.value, { text: true });
    show();
  });
  if (ctx.onCommit) area.addEventListener("change", () => ctx.onCommit(item.id)); // paradata: given, then changed
  show();
  return [area, counter, limit];
}

/**
 * One question. ctx: {lang, t, labels, answers, errors, onAnswer(itemId, value, {text}), skipHintShown}.
 * Choices are native radios/checkboxes inside their <label>: the whole tile is the touch
 * target, arrow keys move within a group, and screen readers get the <legend>.
 */
export function renderItem(item, ctx) {
  const { lang, t, labels, answers, errors, onAnswer } = ctx;
  const id = `q-${item.id}`;
  const value = answers[item.id];
  const error = errors[item.id];
  const helpId = item.help ? `${id}-help` : null;
  const errorId = error ? `${id}-error` : null;
  const describedBy = [helpId, errorId].filter(Boolean).join(" ") || null;
  const optionalSaid = item.required || (ctx.skipHintShown && item.type === "likert5"); // the section's hint said it
  const title = [item.text[lang], optionalSaid ? null : h("span", { class: "optional" }, ` (${t.optional})`)];
  const help = item.help ? h("p", { class: "help", id: helpId }, item.help[lang]) : null;
  const errorText = error ? h("p", { class: "error", id: errorId }, error) : null;
  const common = { id, class: `item item-${item.type}${error ? " has-error" : ""}`, dataset: { testid: `item-${item.id}` } };

  if (item.type === "likert5" || item.type === "single" || item.type === "multi") {
    const multi = item.type === "multi";
    const clear = h("button", { type: "button", class: "link clear", hidden: isMissing(value) || item.required || multi,
      dataset: { testid: `clear-${item.id}` } }, t.clear_answer); // prettier-ignore
    const all = options(item, lang, labels, t);
    const inputs = all.map((opt) =>
      h("label", { class: opt.nonSubstantive ? "opt non-substantive" : "opt" },
        h("input", {
          type: multi ? "checkbox" : "radio",
          name: item.id,
          value: String(opt.value),
          checked: multi ? Array.isArray(value) && value.includes(opt.value) : value === opt.value,
          "aria-describedby": describedBy,
          "aria-invalid": error ? "true" : null,
          dataset: { testid: `${item.id}-${opt.value}` },
          onchange: (event) => {
            let next = opt.value;
            if (multi) {
              const chosen = new Set(Array.isArray(answers[item.id]) ? answers[item.id] : []);
              if (event.target.checked) chosen.add(opt.value);
              else chosen.delete(opt.value);
              next = all.map((o) => o.value).filter((v) => chosen.has(v));
            }
            clear.hidden = item.required || multi;
            onAnswer(item.id, next);
          },
        }),
        h("span", { class: "opt-label" }, opt.label),
      ),
    ); // prettier-ignore
    const scale = inputs.filter((_, index) => !all[index].nonSubstantive);
    const extra = inputs.filter((_, index) => all[index].nonSubstantive);
    const fieldset = h("fieldset", common, h("legend", {}, title), help,
      h("div", { class: item.type === "likert5" ? "scale likert" : "scale choices" }, scale),
      extra.length ? h("div", { class: "scale non-substantive" }, extra) : null, clear, errorText); // prettier-ignore
    clear.addEventListener("click", () => {
      for (const input of fieldset.querySelectorAll("input")) input.checked = false;
      clear.hidden = true;
      onAnswer(item.id, null);
      fieldset.querySelector("input").focus();
    });
    return fieldset;
  }

  const controlId = `${id}-input`;
  const control =
    item.type === "number"
      ? h("input", {
          type: "number", inputmode: "decimal", step: "any", id: controlId, min: item.min ?? null, max: item.max ?? null,
          value: isMissing(value) ? "" : String(value), autocomplete: "off", "aria-describedby": describedBy,
          "aria-invalid": error ? "true" : null, dataset: { testid: `number-${item.id}` },
          oninput: (event) => onAnswer(item.id, event.target.value === "" ? null : Number(event.target.value), { text: true }),
          onchange: () => ctx.onCommit && ctx.onCommit(item.id),
        }) // prettier-ignore
      : textArea(item, ctx, {
          id: controlId, rows: 4, autocomplete: "off", "aria-describedby": describedBy,
          "aria-invalid": error ? "true" : null, dataset: { testid: `text-${item.id}` },
        }); // prettier-ignore
  return h("div", common, h("label", { for: controlId, class: "question" }, title), help, control, errorText);
}

/** The list of problems at the top of a page; each links to its question. */
export function errorSummary(items, errors, lang, t) {
  const wrong = items.filter((item) => errors[item.id]);
  if (!wrong.length) return null;
  return h("div", { class: "error-summary", role: "alert", tabindex: "-1", dataset: { testid: "errors" } },
    h("p", {}, h("strong", {}, t.errors)),
    h("ul", {}, wrong.map((item) =>
      h("li", {}, h("a", { href: `#q-${item.id}`, onclick: (event) => {
        event.preventDefault();
        const target = document.querySelector(`#q-${item.id} input, #q-${item.id} textarea`);
        if (target) target.focus();
      } }, item.text[lang]), ` — ${errors[item.id]}`))),
  ); // prettier-ignore
}

/** Review page body: every section asked, with its answers and a "Change" button. */
export function renderReview(definition, ctx, onChange) {
  const { lang, t, labels, answers, errors, order } = ctx;
  const state = logic.walk(definition, answers);
  return definition.sections.map((section, index) => !logic.shownSections({ sections: [section] }, state).length ? null :
    h("section", { class: "review-section", "aria-labelledby": `r-${section.id}` },
      h("div", { class: "review-head" },
        h("h2", { id: `r-${section.id}` }, section.title[lang]),
        h("button", { type: "button", class: "secondary", dataset: { testid: `change-${section.id}` },
          "aria-describedby": `r-${section.id}`, onclick: () => onChange(index) }, t.change)),
      h("dl", {}, logic.orderedItems(section, order).filter((item) => logic.isShown(item, state)).map((item) => [
        h("dt", {}, item.text[lang]),
        h("dd", { class: [isMissing(answers[item.id]) ? "missing" : "", errors[item.id] ? "has-error" : ""].join(" ").trim(),
          dataset: { testid: `review-${item.id}` } }, answerText(item, answers[item.id], lang, labels, t),
          errors[item.id] ? h("span", { class: "error" }, ` — ${errors[item.id]}`) : null),
      ])),
    ),
  ); // prettier-ignore
}
