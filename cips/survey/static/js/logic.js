// A questionnaire's skip logic on the device: which items are asked, required and valid,
// the calculated values, and each respondent's order of randomised sections. The same
// rules as the server's cips/instruments/logic.py (its docstring is the reference).
//
// Expressions read only earlier items, so one walk in questionnaire order over the answers
// of items that were themselves asked decides everything; evaluating a rule over the
// walk's final answers gives the same result as at its own place in the walk.

import { evaluate, holds } from "./expr.js";

export const NON_SUBSTANTIVE = ["dont_know", "refused"];
export const ORDER_PREFIX = "order:";

export function isMissing(value) {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

const conditions = (section, item) => [section.relevant, item.relevant].filter(Boolean);

/** {asked: Set of item ids, known: answers of asked items + calculated values}. */
export function walk(definition, answers) {
  const asked = new Set();
  const known = {};
  for (const section of definition.sections) {
    for (const item of section.items) {
      if (!conditions(section, item).every((rule) => holds(rule, known))) continue;
      asked.add(item.id);
      if (item.calculate) {
        let value = evaluate(item.calculate, known);
        if (typeof value === "boolean") value = value ? 1 : 0;
        if (typeof value === "number" && Number.isFinite(value)) known[item.id] = value;
      } else if (!isMissing(answers[item.id])) {
        known[item.id] = answers[item.id];
      }
    }
  }
  return { asked, known };
}

/** Items the respondent sees and answers (calculated ones are neither). */
export const isShown = (item, state) => state.asked.has(item.id) && !item.calculate;

export function isRequired(item, state) {
  if (typeof item.required === "string") return holds(item.required, state.known);
  return Boolean(item.required);
}

export function constraintHolds(item, state, value) {
  if (!item.constraint || NON_SUBSTANTIVE.includes(value)) return true;
  return holds(item.constraint, state.known, value);
}

/** Sections with at least one item shown: the pages of this respondent. */
export function shownSections(definition, state) {
  return definition.sections.filter((section) => section.items.some((item) => isShown(item, state)));
}

/** Answers to items no longer asked: removed so the draft never holds what will not be sent. */
export function staleAnswers(definition, answers, state) {
  const ids = new Set(definition.sections.flatMap((s) => s.items.map((i) => i.id)));
  return Object.keys(answers).filter((id) => ids.has(id) && !isShown({ id, calculate: null }, state));
}

function shuffled(ids) {
  const out = [...ids];
  const random = new Uint32Array(out.length);
  crypto.getRandomValues(random);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = random[i] % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** One random order per randomised section, drawn once when a respondent starts (kept in the draft). */
export function drawOrder(definition) {
  const order = {};
  for (const section of definition.sections) {
    if (section.randomize) order[section.id] = shuffled(section.items.map((item) => item.id));
  }
  return order;
}

/** A section's items in this respondent's order. */
export function orderedItems(section, order) {
  const ids = order && order[section.id];
  if (!ids) return section.items;
  const byId = new Map(section.items.map((item) => [item.id, item]));
  return ids.map((id) => byId.get(id)).filter(Boolean);
}
