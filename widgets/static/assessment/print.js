// The print view, part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { h, headingTag } from "../lib/dom.js";
import { nextStepText } from "../lib/report.js";
import { levelOf } from "../scoring.js";
import { byId, UI } from "./file.js";

/** The print view of one assessment, drawn into ctx.printView. */
export function createPrintView(ctx) {
  const { model, printView, getAssessment } = ctx;
  let printTimer = null;

  function schedulePrintView() {
    clearTimeout(printTimer);
    printTimer = setTimeout(buildPrintView, 300);
  }

  function buildPrintView() {
    clearTimeout(printTimer);
    if (!ctx.view) return;
    const score = model.get("score");
    const rubric = ctx.view.rubric;
    const a = getAssessment();
    // Nothing answered yet: print a worksheet to fill in by hand, not an empty result.
    if (!ctx.view.criteria.some((c) => levelOf(a.answers?.[c.id]) !== null)) {
      printView.replaceChildren(...worksheet(rubric, a));
      return;
    }
    if (!score || !score.band) return;
    const bands = byId(rubric.bands);
    const scale = Object.fromEntries(rubric.scale.map((lv) => [String(lv.level), lv.name]));
    const rows = ctx.view.criteria.map((c) => {
      const answer = a.answers?.[c.id];
      const level = levelOf(answer);
      const shown = level === null ? UI.unanswered : level === "n/a" ? UI.notApplicable : `${level} · ${scale[String(level)]}`;
      return h(
        "tr",
        {},
        h("td", { text: c.question }),
        h("td", { text: shown }),
        h("td", { text: [answer?.evidence, answer?.notes].filter(Boolean).join(" — ") }),
      );
    });
    // replaceChildren writes null as the text "null": optional parts are filtered out.
    printView.replaceChildren(...[
      h(headingTag(ctx.headingLevel), { text: `Self-assessment: ${a.team || "unnamed team"}` }),
      h("p", { text: `Product: ${a.product || "not given"} · Date: ${a.date || "not given"} · Rubric ${rubric.id} ${rubric.version}` }),
      // The result as the panel shows it: band, IAP2 level reached, points and confidence.
      ctx.resultParts.summary && ctx.resultParts.summary.childElementCount
        ? ctx.resultParts.summary.cloneNode(true)
        : ctx.view.subset ? null : h("p", { text: `Band: ${score.band.id ? bands[score.band.id].title : "none yet"}` }),
      h("section", {}, ctx.resultParts.flags ? ctx.resultParts.flags.cloneNode(true) : null),
      profile(),
      h("section", {}, h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Next steps" }), h("ol", {}, score.actions.filter((x) => !ctx.view.subset || ctx.view.subset.includes(x.criterion)).map((x) => h("li", { text: `${nextStepText(byId(rubric.criteria)[x.criterion], x)}${x.target_level !== null ? ` (to level ${x.target_level})` : ""} (who: ${x.who})` })))),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { text: "Question" }), h("th", { text: "Answer" }), h("th", { text: "Evidence and notes" }))), h("tbody", {}, rows)),
      h("p", { text: "A score is evidence for a conversation, never a certificate." }),
    ].filter(Boolean));
  }

  // The theme profile of the result panel, as its table (the chart's numbers).
  function profile() {
    const table = ctx.view.subset ? null : ctx.resultParts.chart?.querySelector("table");
    if (!table) return null;
    return h("section", {}, h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Profile by theme" }), table.cloneNode(true));
  }

  // Every question in view with its level descriptors, a box to tick and lines to write on.
  function worksheet(rubric, a) {
    const themes = byId(rubric.themes);
    const writeOn = (n) => h("div", { class: "pai-print-lines", "aria-hidden": "true" }, Array.from({ length: n }, () => h("div", { class: "pai-print-line" })));
    const given = (value) => value || "______________________";
    const parts = [
      h(headingTag(ctx.headingLevel), { text: `Self-assessment worksheet: ${ctx.view.subset ? "self-check" : `${ctx.view.scope} version`}` }),
      h("p", { text: `Team: ${given(a.team)}   Product: ${given(a.product)}   Rater: ${given(a.rater)}   Round: ${given(a.round)}   Date: ${given(a.date)}` }),
      h("p", { text: `For each question, tick the one level your plan reaches today, or “${UI.notApplicable}” where it is offered, and write the evidence: a document, a link, or who can confirm it. Then enter the answers on the page (Rubric ${rubric.id} ${rubric.version}) to see the result.` }),
    ];
    let theme = null;
    ctx.view.criteria.forEach((c, i) => {
      if (c.theme !== theme) {
        theme = c.theme;
        parts.push(h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: themes[theme].title }));
      }
      const options = rubric.scale.map((lv) => `☐ ${lv.level} · ${lv.name}: ${c.levels[String(lv.level)]}`);
      if (c.not_applicable_if) options.push(`☐ ${UI.notApplicable}: ${c.not_applicable_if}`);
      parts.push(h("section", { class: "pai-print-question" },
        h("p", {}, h("strong", { text: `${i + 1}. ${c.question}` })),
        h("ul", { class: "pai-print-levels" }, options.map((text) => h("li", { text }))),
        h("p", { text: "Evidence and notes:" }),
        writeOn(3)));
    });
    parts.push(h("p", { text: "A score is evidence for a conversation, never a certificate." }));
    return parts;
  }

  const cancel = () => clearTimeout(printTimer);
  return { schedulePrintView, buildPrintView, cancel };
}
