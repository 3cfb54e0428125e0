// The shared state of one mounted assessment, part of the self-assessment front-end
// (widgets/static/assessment.js puts the parts together): the model, the message areas and the
// helpers every part uses to read and change the assessment.

import { h } from "../lib/dom.js";
import { clone, newAssessment } from "./file.js";

let instances = 0;

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

  ctx.say = function say(text, isError = false) {
    const box = isError ? alerts : messages;
    // A new error replaces the last status ("Loaded ..."), so an old success never sits above it.
    if (isError) messages.replaceChildren();
    box.replaceChildren(h("p", { class: `pai-message${isError ? " pai-error" : ""}`, text }));
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
    const entry = { level: null, ...(next.answers[cid] || {}), ...patch };
    for (const field of ["evidence", "notes"]) if (!entry[field]) delete entry[field];
    next.answers[cid] = entry;
    if (entry.level === null && !entry.evidence && !entry.notes) delete next.answers[cid];
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
