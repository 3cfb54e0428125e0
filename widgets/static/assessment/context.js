// The shared state of one mounted assessment, part of the self-assessment front-end
// (widgets/static/assessment.js puts the parts together): the model, the message areas and the
// helpers every part uses to read and change the assessment.

import { h } from "../lib/dom.js";
import { clone, groupId, newAssessment, planGroups } from "./file.js";

let instances = 0;
//: The most groups a file may declare (widgets/rubric/assessment.schema.json).
export const MAX_GROUPS = 20;

/** Write a group's answer into the question's notes, word for word, with why it moved there. */
function foldCell(answer, label, cell, why) {
  const parts = [`level ${JSON.stringify(cell.level ?? null)}${cell.partial === true ? ", part of level 2 in place" : ""}`];
  if (cell.evidence) parts.push(`evidence: ${cell.evidence}`);
  if (cell.notes) parts.push(`notes: ${cell.notes}`);
  if (cell.level === null && !cell.evidence && !cell.notes) return;
  const line = `Answer for the group “${label}” (${why}): ${parts.join("; ")}`;
  answer.notes = answer.notes ? `${answer.notes}\n${line}` : line;
}

/**
 * Keep an answer's "part of level 2" tick only where the file format allows it: `partial: true`
 * with level 1 (the loaders refuse it with any other level, and `false` says nothing).
 */
function keepPartial(entry) {
  if (entry.partial !== true || entry.level !== 1) delete entry.partial;
  return entry;
}

/**
 * A fresh context for `render({ model, el })`. The parts add their functions to it
 * (syncScore, syncAnswers, schedulePrintView ...), so each can call the others.
 */
export function createContext(model) {
  instances += 1;
  const uid = `pai-a${instances}`;
  const messages = h("div", { class: "pai-messages", role: "status", "aria-live": "polite" });
  const alerts = h("div", { class: "pai-messages", role: "alert" });
  const ctx = {
    model,
    uid,
    messages,
    alerts,
    controls: new Map(), // criterion id -> { radios: Map(level -> input), evidence, notes, fieldset }
    view: null, // { rubric, criteria (list), themes (list), scope, subset }
    form: h("div", { class: "pai-form" }),
    result: h("section", { class: "pai-result", "aria-labelledby": `${uid}-result-h` }),
    printView: h("div", { class: "pai-print-view" }),
  };
  // The result summary in one line, reachable from anywhere: sticky above the questions on wide
  // screens, a button at the bottom of a phone's screen; its link goes to the full result.
  ctx.summaryBar = h("div", { class: "pai-summary-bar" });
  ctx.layout = h("div", { class: "pai-layout" }, ctx.summaryBar, ctx.form, ctx.result);

  /** Show a status (or an error) line; `more`, a node, follows it in the same message (a list). */
  ctx.say = function say(text, isError = false, more = null) {
    const box = isError ? alerts : messages;
    // A new error replaces the last status ("Loaded ..."), so an old success never sits above it.
    if (isError) messages.replaceChildren();
    const cls = `pai-message${isError ? " pai-error" : ""}`;
    box.replaceChildren(more ? h("div", { class: cls }, h("p", { text }), more) : h("p", { class: cls, text }));
  };

  ctx.getAssessment = function getAssessment() {
    const rubric = model.get("rubric");
    const current = model.get("assessment");
    if (current && typeof current === "object" && current.answers) return current;
    return newAssessment(rubric, ctx.view ? ctx.view.scope : "full");
  };

  ctx.commit = function commit(next) {
    model.set("assessment", next);
    model.save_changes();
  };

  ctx.updateAnswer = function updateAnswer(cid, patch) {
    const next = clone(ctx.getAssessment());
    const entry = keepPartial({ level: null, ...(next.answers[cid] || {}), ...patch });
    for (const field of ["evidence", "notes"]) if (!entry[field]) delete entry[field];
    next.answers[cid] = entry;
    if (entry.level === null && !entry.evidence && !entry.notes && !entry.by_group) delete next.answers[cid];
    ctx.commit(next);
  };

  // ---------------------------------------------------------------- rubric 2.0: context and groups

  ctx.updateContext = function updateContext(key, value) {
    const next = clone(ctx.getAssessment());
    next.context = { ...(next.context || {}), [key]: value };
    // Answers to questions that stop applying stay in the file: they count again if the context
    // changes back (the form shows them as not applying, with the reason).
    ctx.commit(next);
  };

  /** Add a group; returns its id, or null when the label is blank or 20 groups exist. */
  ctx.addGroup = function addGroup(label, role) {
    const text = String(label || "").trim();
    const groups = planGroups(ctx.getAssessment());
    if (!text || groups.length >= MAX_GROUPS) return null;
    const next = clone(ctx.getAssessment());
    const id = groupId(text, groups.map((g) => g.id));
    next.groups = [...groups, { id, label: text.slice(0, 200), role }];
    ctx.commit(next);
    return id;
  };

  ctx.renameGroup = function renameGroup(id, label) {
    const next = clone(ctx.getAssessment());
    next.groups = planGroups(next).map((g) => (g.id === id ? { ...g, label } : g));
    ctx.commit(next);
  };

  /**
   * Change a group's role or remove it (role null). Its per-group answers to questions that no
   * longer ask it are not dropped: they are written, word for word, into that question's notes
   * (the file format accepts per-group answers only for declared groups of an asked role).
   * Returns the ids of the questions whose notes received an answer.
   */
  ctx.setGroupRole = function setGroupRole(id, role) {
    const next = clone(ctx.getAssessment());
    const group = planGroups(next).find((g) => g.id === id);
    if (!group) return [];
    const criteria = Object.fromEntries(model.get("rubric").criteria.map((c) => [c.id, c]));
    const moved = [];
    for (const [cid, answer] of Object.entries(next.answers || {})) {
      const cell = answer && answer.by_group && answer.by_group[id];
      if (!cell) continue;
      const stillAsked = role !== null && (criteria[cid]?.group_roles || []).includes(role);
      if (stillAsked) continue;
      foldCell(answer, group.label, cell, role === null ? "group removed" : `group's role changed to ${role}`);
      delete answer.by_group[id];
      if (!Object.keys(answer.by_group).length) delete answer.by_group;
      moved.push(cid);
    }
    next.groups = role === null ? planGroups(next).filter((g) => g.id !== id) : planGroups(next).map((g) => (g.id === id ? { ...g, role } : g));
    if (!next.groups.length) delete next.groups;
    ctx.commit(next);
    return moved;
  };

  /**
   * Change one group's answer to a per-group question: `patch` is {level}, {evidence} or {notes};
   * `patch === null` folds every group answer of the question into its notes (the question is
   * answered once for all groups again).
   */
  ctx.updateCell = function updateCell(cid, gid, patch) {
    const next = clone(ctx.getAssessment());
    const answer = { level: null, ...(next.answers[cid] || {}) };
    const cells = { ...(answer.by_group || {}) };
    if (patch === null) {
      const labels = Object.fromEntries(planGroups(next).map((g) => [g.id, g.label]));
      for (const [id, cell] of Object.entries(cells)) foldCell(answer, labels[id] || id, cell, "answered for all groups again");
      delete answer.by_group;
    } else {
      const cell = keepPartial({ level: null, ...(cells[gid] || {}), ...patch });
      for (const field of ["evidence", "notes"]) if (!cell[field]) delete cell[field];
      // A group with nothing of its own takes the answer for all groups again (an entry with no
      // level would make it unanswered).
      if (cell.level === null && !cell.evidence && !cell.notes) delete cells[gid];
      else cells[gid] = cell;
      if (Object.keys(cells).length) answer.by_group = cells;
      else delete answer.by_group;
    }
    next.answers[cid] = answer;
    ctx.commit(next);
  };

  ctx.updateField = function updateField(key, value) {
    const next = clone(ctx.getAssessment());
    next[key] = value === "" && (key === "model_type" || key === "lifecycle_stage") ? null : value;
    // Optional workshop fields: a rater's name and a round number, left out of the file when empty.
    if (key === "rater" && !String(value).trim()) delete next.rater;
    if (key === "round") {
      const n = Number.parseInt(value, 10);
      if (Number.isInteger(n) && n >= 1 && n <= 99) next.round = n;
      else delete next.round;
    }
    ctx.commit(next);
  };

  ctx.linkTo = function linkTo(label, prefix = "Read more: ") {
    const links = model.get("links") || {};
    const target = links[label];
    if (!target) return null;
    return h("a", { href: target.url, class: "pai-readmore" }, prefix, h("span", { text: target.title }));
  };
  return ctx;
}
