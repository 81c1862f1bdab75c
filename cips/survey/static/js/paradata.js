// Paradata: how a respondent went through each section, with nothing personal in it.
//
// Per section: the active time on its page (summed over visits, counted only while the page is
// visible, so a tablet put to sleep or another app in front does not count) and the number of
// answers changed after they were first given. No clock times, nothing about the device: the
// draft keeps milliseconds and counts, and the payload whole seconds and counts. The order a
// randomised section was shown in is already sent as an answer (order:<section>): not repeated.
//
// Kept in the draft (draft.paradata), so a reload or a flat battery continues the count; the
// running visit itself (when the page was entered) lives in memory only, on the monotonic clock.
// The server's bounds (campaign document's paradata_limits): what is sent is capped at them.

import { isMissing } from "./logic.js";

let visit = null; // {section, since}: the section page on screen; since is null while hidden

function entry(draft, sectionId) {
  draft.paradata = draft.paradata || {};
  draft.paradata[sectionId] = draft.paradata[sectionId] || { ms: 0, changes: 0, given: [] };
  return draft.paradata[sectionId];
}

/** Add the running visit's time to the draft (called before each save of the draft). */
export function flush(draft) {
  if (!draft || !visit || visit.since === null) return;
  const now = performance.now();
  entry(draft, visit.section).ms += now - visit.since;
  visit.since = now;
}

/** A page is shown: a section's (its id) or another (null). The previous visit is added first. */
export function enter(draft, sectionId) {
  flush(draft);
  const since = document.visibilityState === "visible" ? performance.now() : null;
  visit = sectionId ? { section: sectionId, since } : null;
}

/** The page was hidden (screen off, another app): the clock stops, and restarts when it is visible. */
export function pause(draft) {
  flush(draft);
  if (visit) visit.since = null;
}

export function resume() {
  if (visit && visit.since === null && document.visibilityState === "visible") visit.since = performance.now();
}

/** The respondent is gone (submitted, discarded, declined): nothing runs on. */
export function stop() {
  visit = null;
}

function count(draft, sectionId) {
  entry(draft, sectionId).changes += 1;
}

/**
 * A choice answer (Likert, single, multi) went from `before` to `after`. A change is a given
 * answer replaced or cleared; for a multiple choice, a ticked option unticked (ticking more is
 * still answering).
 */
export function choiceAnswered(draft, sectionId, before, after) {
  if (isMissing(before)) return;
  if (Array.isArray(before)) {
    const kept = new Set(Array.isArray(after) ? after : []);
    if (before.some((value) => !kept.has(value))) count(draft, sectionId);
  } else if (after !== before) {
    count(draft, sectionId);
  }
}

/**
 * A typed answer (text, number) was committed: the control's change event, which fires when
 * its value differs from when it got focus. The first commit gives the answer, each later one
 * changes it. Only the item's id is kept, never what was typed before.
 */
export function typedCommitted(draft, sectionId, itemId) {
  const e = entry(draft, sectionId);
  if (e.given.includes(itemId)) count(draft, sectionId);
  else e.given.push(itemId);
}

/** The payload's paradata: {section: {seconds, changes}}, whole numbers within `limits`; null when none. */
export function payload(draft, limits) {
  const out = {};
  for (const [sectionId, e] of Object.entries(draft.paradata || {})) {
    const seconds = Math.min(Math.round(e.ms / 1000), limits.seconds);
    out[sectionId] = { seconds, changes: Math.min(e.changes, limits.changes) };
  }
  return Object.keys(out).length ? out : null;
}
