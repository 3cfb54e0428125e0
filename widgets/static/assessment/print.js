// The print view, part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).
// With answers it prints the result as the page shows it (band, ladder, groups, red flags, what
// would change, what holds it down, next steps) and every answer; a blank assessment prints as a
// worksheet to fill in by hand: the context questions, a table for the groups, and every question
// with its four level descriptors.

import { h, headingTag } from "../lib/dom.js";
import { isPartial, nextStepText } from "../lib/report.js";
import { levelOf } from "../scoring.js";
import { byId, notApplicableReason, planContext, planGroups, questionStatus, UI } from "./file.js";

/** A copy of a part of the page for printing, without ids (they would repeat the page's). */
function copyOf(node) {
  if (!node) return null;
  const copy = node.cloneNode(true);
  for (const el of [copy, ...copy.querySelectorAll("[id]")]) el.removeAttribute("id");
  for (const el of copy.querySelectorAll("details")) {
    el.open = true;
    // On paper a summary that repeats its table's caption ("Answers per group") is said twice.
    const summary = el.querySelector(":scope > summary");
    const caption = el.querySelector("caption");
    if (summary && caption && summary.textContent.trim() === caption.textContent.trim()) summary.remove();
  }
  return copy;
}

const box = "☐";

/** The print view of one assessment, drawn into ctx.printView. */
export function createPrintView(ctx) {
  const { model, printView, getAssessment } = ctx;
  let printTimer = null;

  function schedulePrintView() {
    clearTimeout(printTimer);
    printTimer = setTimeout(buildPrintView, 300);
  }

  function isBlank(a) {
    return !Object.values(a.answers || {}).some((x) => levelOf(x) !== null || Object.keys(x?.by_group || {}).length);
  }

  // Every question in view with its level descriptors, a box to tick and lines to write on; the
  // plan's context (one choice each, so a circle rather than a box) and a table for its groups.
  // The date is a line to write on: a new assessment is dated today, which is the print date of a
  // worksheet printed days before the workshop, not the date it is filled in (as the book's
  // printable worksheets, book/_ext/pai_workshops.py).
  function worksheet(rubric, a) {
    const roles = rubric.group_roles || [];
    const themes = ctx.view.themes;
    const H = (n) => headingTag(ctx.headingLevel + n);
    const given = (value) => value || "______________________";
    const writeOn = (n) => h("div", { class: "pai-print-lines", "aria-hidden": "true" }, Array.from({ length: n }, () => h("div", { class: "pai-print-line" })));
    const parts = [
      h(H(0), { text: `Self-assessment worksheet: ${ctx.view.subset ? "self-check" : `${ctx.view.scope} version`}` }),
      h("p", { text: `Team: ${given(a.team)}   Product: ${given(a.product)}   Rater: ${given(a.rater)}   Round: ${given(a.round)}   Date: ${given(null)}` }),
      h("p", { text: `For each question, tick the one level your plan reaches today, or “${UI.notApplicable}” where it is offered, and write the evidence: a document, a link, or who can confirm it. When the plan is at level 1 but already does part of level 2, tick the box under level 1 too, and write which part is there and which is missing. Leave a question blank when the plan is silent about it: it is counted as open, never as 0. Then enter the answers on the page (Rubric ${rubric.id} ${rubric.version}) to see the result.` }),
    ];
    if (!ctx.view.subset) {
      parts.push(h("section", {}, h(H(1), { class: "pai-part-title", text: "The kind of plan" }),
        (rubric.context || []).map((q) => h("div", { class: "pai-print-context", "data-context": q.id },
          h("p", {}, h("strong", { text: q.question })),
          h("ul", { class: "pai-print-levels" }, q.options.map((o) => h("li", { text: `○ ${o.title}: ${o.meaning}` })))))));
      parts.push(h("section", {}, h(H(1), { class: "pai-part-title", text: "Participant groups (optional)" }),
        h("p", { text: "Write one group a row, with one of these roles:" }),
        h("ul", { class: "pai-print-roles" }, roles.map((r) => h("li", {}, h("strong", { text: r.title }), `: ${r.meaning}`))),
        // Empty rows with a height of their own (print CSS): room to write a name by hand.
        h("table", { class: "pai-print-groups" }, h("thead", {}, h("tr", {}, h("th", { text: "Group" }), h("th", { text: "Role" }))),
          h("tbody", {}, [1, 2, 3, 4].map(() => h("tr", {}, h("td"), h("td")))))));
    }
    const criteria = byId(rubric.criteria);
    let number = 0;
    for (const theme of themes) {
      parts.push(h("section", { class: "pai-print-theme" }, h(H(1), { class: "pai-part-title", text: theme.title }),
        ctx.view.criteria.filter((c) => c.theme === theme.id).map((c) => {
          const c2 = criteria[c.id];
          number += 1;
          // Beside level 1, a second box: the plan does part of level 2 (the form's box under level 1).
          const options = rubric.scale.map((lv) => h("li", {}, `${box} ${lv.level} · ${lv.name}: ${c2.levels[String(lv.level)]}`,
            lv.level === 1 ? h("span", { class: "pai-print-partial", text: `${box} ${UI.partial.worksheet}` }) : ""));
          if (c2.not_applicable_if) options.push(h("li", { text: `${box} ${UI.notApplicable}: ${c2.not_applicable_if}` }));
          const asked = c2.per_group
            ? h("p", { class: "pai-print-note", text: `Asked per group (${roles.filter((r) => (c2.group_roles || []).includes(r.id)).map((r) => r.title.toLowerCase()).join(", ")}): when groups are treated differently, write each group's level beside the boxes.` })
            : null;
          return h("div", { class: "pai-print-question", "data-criterion": c.id },
            h("p", {}, h("strong", { text: `${number}. ${c2.question}` })),
            h("ul", { class: "pai-print-levels" }, options), asked, h("p", { text: "Evidence and notes:" }), writeOn(3));
        })));
    }
    return parts;
  }

  // The theme profile of the result panel, as its table (the chart's numbers).
  function profile() {
    const table = ctx.view.subset ? null : ctx.resultParts.chart?.querySelector("table");
    if (!table) return null;
    return h("section", {}, h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Profile by theme" }), copyOf(table));
  }

  function answered(rubric, a, score) {
    const bands = byId(rubric.bands);
    const scale = Object.fromEntries(rubric.scale.map((lv) => [String(lv.level), lv.name]));
    const shown = (level, partial = false) => (level === null ? UI.unanswered : level === "n/a" ? UI.notApplicable
      : `${level} · ${scale[String(level)]}${partial && level === 1 ? `, ${UI.partial.label.toLowerCase()}` : ""}`);
    const groups = planGroups(a);
    const labels = Object.fromEntries(groups.map((g) => [g.id, g.label]));
    const context = planContext(rubric, a);
    const rows = ctx.view.criteria.flatMap((c) => {
      const answer = a.answers?.[c.id];
      const status = questionStatus(c, rubric, a);
      const text = [answer?.evidence, answer?.notes].filter(Boolean).join(" — ");
      const main = h("tr", { "data-criterion": c.id },
        h("td", { text: c.question }),
        h("td", { text: status.applies ? shown(levelOf(answer), isPartial(answer)) : notApplicableReason(status, c, rubric, a) }),
        h("td", { text }));
      const cells = Object.entries(answer?.by_group || {}).filter(([gid]) => status.asked.some((g) => g.id === gid));
      return [main, ...cells.map(([gid, cell]) => h("tr", { class: "pai-print-cell" },
        h("td", { text: `… for ${labels[gid] || gid}` }),
        h("td", { text: shown(cell.level ?? null, isPartial(cell)) }),
        h("td", { text: [cell.evidence, cell.notes].filter(Boolean).join(" — ") })))];
    });
    const contextText = (rubric.context || []).map((q) => `${q.question} ${q.options.find((o) => o.id === context[q.id])?.title || context[q.id]}.`).join(" ");
    const criteria = byId(rubric.criteria);
    const steps = score.actions.filter((x) => !ctx.view.subset || ctx.view.subset.includes(x.criterion));
    const { resultParts } = ctx;
    return [
      h(headingTag(ctx.headingLevel), { text: `Self-assessment: ${a.team || "unnamed team"}` }),
      h("p", { text: `Product: ${a.product || "not given"} · Date: ${a.date || "not given"} · Rubric ${rubric.id} ${rubric.version}` }),
      ctx.view.subset ? null : h("p", { text: contextText }),
      ctx.view.subset || !groups.length ? null : h("p", { text: `Groups: ${groups.map((g) => `${g.label} (${byId(rubric.group_roles)[g.role]?.title || g.role})`).join("; ")}.` }),
      ctx.view.subset ? null : h("p", { text: `Band: ${score.band.id ? bands[score.band.id].title : "none yet"}` }),
      h("section", {}, copyOf(resultParts.summary)),
      ctx.view.subset ? null : h("section", {}, copyOf(resultParts.change)),
      ctx.view.subset ? null : h("section", {}, copyOf(resultParts.groups)),
      h("section", {}, copyOf(resultParts.flags)),
      resultParts.partly?.childElementCount ? h("section", {}, copyOf(resultParts.partly)) : null,
      profile(),
      h("section", {}, h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Next steps" }), h("ol", {}, steps.map((x) => h("li", {
        text: `${nextStepText(criteria[x.criterion], x)}${x.group ? ` (for ${labels[x.group] || x.group})` : ""}${x.target_level !== null ? ` (to level ${x.target_level})` : ""} (who: ${x.who})`,
      })))),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { text: "Question" }), h("th", { text: "Answer" }), h("th", { text: "Evidence and notes" }))), h("tbody", {}, rows)),
    ].filter(Boolean);
  }

  function buildPrintView() {
    clearTimeout(printTimer);
    if (!ctx.view) return;
    const rubric = ctx.view.rubric;
    const a = getAssessment();
    const score = model.get("score");
    const parts = isBlank(a) || !score || !score.band ? worksheet(rubric, a) : answered(rubric, a, score);
    // replaceChildren writes null as the text "null": optional parts are filtered out above.
    printView.replaceChildren(...parts, h("p", { text: "A score is evidence for a conversation, never a certificate." }));
  }

  const cancel = () => clearTimeout(printTimer);
  return { schedulePrintView, buildPrintView, cancel };
}
