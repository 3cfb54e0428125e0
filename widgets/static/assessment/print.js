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
    const score = model.get("score");
    if (!ctx.view || !score) return;
    const rubric = ctx.view.rubric;
    const a = getAssessment();
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
      ctx.view.subset ? null : h("p", { text: `Band: ${score.band.id ? bands[score.band.id].title : "none yet"}` }),
      h("section", {}, ctx.resultParts.flags ? ctx.resultParts.flags.cloneNode(true) : null),
      h("section", {}, h(headingTag(ctx.headingLevel + 1), { class: "pai-part-title", text: "Next steps" }), h("ol", {}, score.actions.filter((x) => !ctx.view.subset || ctx.view.subset.includes(x.criterion)).map((x) => h("li", { text: `${nextStepText(byId(rubric.criteria)[x.criterion], x)}${x.target_level !== null ? ` (to level ${x.target_level})` : ""} (who: ${x.who})` })))),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { text: "Question" }), h("th", { text: "Answer" }), h("th", { text: "Evidence and notes" }))), h("tbody", {}, rows)),
      h("p", { text: "A score is evidence for a conversation, never a certificate." }),
    ].filter(Boolean));
  }

  const cancel = () => clearTimeout(printTimer);
  return { schedulePrintView, buildPrintView, cancel };
}
