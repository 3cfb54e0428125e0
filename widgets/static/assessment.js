// The self-assessment front-end: one ES module for the notebook (anywidget) and the static site.
//
// It follows the anywidget front-end contract, `export default { render({ model, el }) }`, and talks
// to its host only through the model:
//   rubric        the rubric data (widgets/rubric/engagement-plan.yaml as JSON)
//   assessment    the team's assessment, in the saved-file format (read and written here)
//   score         the result of scoring `assessment` (Score.to_dict()), computed by the host:
//                 the kernel with widgets._scoring in a notebook, scoring.js on the static site
//   version       "short" or "full";  criteria: optional list of criterion ids (a mini self-check)
//   links         {label: {url, title}}: book sections, resolved at build time on the site
//   host_messages, errors: messages from the host (storage problems, validation errors)
// The parts live in widgets/static/assessment/ (context, file format, toolbar, form, result panel,
// print view); in a notebook, anywidget loads this module bundled with them into one file (make bundles).
// Every piece of user text is put in the page with textContent, never parsed as HTML.

import { h } from "./lib/dom.js";
import { markdownReport } from "./lib/report.js";
import { createContext } from "./assessment/context.js";
import { createForm } from "./assessment/form.js";
import { createPrintView } from "./assessment/print.js";
import { createResult } from "./assessment/result.js";
import { createToolbar } from "./assessment/toolbar.js";

export { checkAssessment, missingPlanFields, newAssessment } from "./assessment/file.js";
// The Markdown report: one report for the CLI, the notebook and this page (lib/report.js).
export { markdownReport };

function render({ model, el }) {
  const ctx = createContext(model);
  const root = h("div", { class: "pai-assessment" });
  el.replaceChildren(root);
  const { messages, alerts, layout, printView, say } = ctx;
  const { schedulePrintView, buildPrintView, cancel } = createPrintView(ctx);
  Object.assign(ctx, { schedulePrintView, buildPrintView });
  const { syncScore, resultParts } = createResult(ctx);
  Object.assign(ctx, { syncScore, resultParts });
  const { build, syncAnswers, syncProgress } = createForm(ctx);
  Object.assign(ctx, { syncAnswers, syncProgress });
  const toolbar = createToolbar(ctx);

  root.append(messages, alerts, toolbar, layout, printView);
  if (!model.get("rubric")) {
    say("The rubric is missing, so the assessment cannot be shown.", true);
    return () => {};
  }
  build();

  const onAssessment = () => {
    syncAnswers();
    syncProgress();
  };
  const onStructure = () => build();
  const onScore = () => syncScore();
  const onMessages = () => syncScore(true);
  const onBeforePrint = () => buildPrintView();
  model.on("change:assessment", onAssessment);
  model.on("change:score", onScore);
  model.on("change:errors", onMessages);
  model.on("change:host_messages", onMessages);
  model.on("change:rubric", onStructure);
  model.on("change:version", onStructure);
  model.on("change:criteria", onStructure);
  model.on("change:links", onStructure);
  window.addEventListener("beforeprint", onBeforePrint);
  return () => {
    model.off("change:assessment", onAssessment);
    model.off("change:score", onScore);
    model.off("change:errors", onMessages);
    model.off("change:host_messages", onMessages);
    model.off("change:rubric", onStructure);
    model.off("change:version", onStructure);
    model.off("change:criteria", onStructure);
    model.off("change:links", onStructure);
    window.removeEventListener("beforeprint", onBeforePrint);
    cancel();
  };
}


export default { render };
