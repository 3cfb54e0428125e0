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

import { h, headingLevelBelow } from "./lib/dom.js";
import { markdownReport } from "./lib/report.js";
import { createContext } from "./assessment/context.js";
import { createForm } from "./assessment/form.js";
import { createPrintView } from "./assessment/print.js";
import { createResult } from "./assessment/result.js";
import { createToolbar, migrationList, migrationMessage } from "./assessment/toolbar.js";
import { canMigrate, migrate, MigrationConflict } from "./assessment/migrate.js";

export { checkAssessment, missingPlanFields, newAssessment } from "./assessment/file.js";
// The Markdown report: one report for the CLI, the notebook and this page (lib/report.js).
export { markdownReport };

function render({ model, el }) {
  const ctx = createContext(model);
  // Theme and result headings sit one level below the page section holding the assessment.
  ctx.headingLevel = headingLevelBelow(el, 2);
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
  // An assessment saved in this browser with another scope (a short file loaded on the full page
  // before the scope followed the page) is aligned with the page, so progress and result agree.
  const stored = model.get("assessment");
  if (!ctx.view.subset && stored && stored.answers && stored.scope && stored.scope !== ctx.view.scope) {
    ctx.commit({ ...stored, scope: ctx.view.scope });
  }

  const handlers = {
    "change:assessment": () => {
      syncAnswers();
      syncProgress();
    },
    "change:score": () => syncScore(),
    "change:errors": () => syncScore(true),
    "change:host_messages": () => syncScore(true),
  };
  for (const key of ["rubric", "version", "criteria", "links"]) handlers[`change:${key}`] = () => build();
  const onBeforePrint = () => buildPrintView();
  for (const [name, handler] of Object.entries(handlers)) model.on(name, handler);
  window.addEventListener("beforeprint", onBeforePrint);
  const unwatch = watchOnScreen(ctx.layout, (onScreen) => ctx.summaryBar.classList.toggle("pai-off-screen", !onScreen));
  migrateStored(ctx);
  return () => {
    for (const [name, handler] of Object.entries(handlers)) model.off(name, handler);
    window.removeEventListener("beforeprint", onBeforePrint);
    unwatch();
    cancel();
  };
}

/**
 * Tell `onChange` whether `node` is on screen, as the page scrolls; returns the function that stops
 * watching. Where the browser cannot tell (no IntersectionObserver), nothing is ever hidden.
 */
function watchOnScreen(node, onChange) {
  if (typeof IntersectionObserver !== "function") return () => {};
  const observer = new IntersectionObserver((entries) => onChange(entries[entries.length - 1].isIntersecting));
  observer.observe(node);
  return () => observer.disconnect();
}

/**
 * Answers kept in this browser by the page of an older rubric (1.0) are migrated as Python migrates
 * a file (assessment/migrate.js), saved, and the person is told which questions are new.
 */
function migrateStored(ctx) {
  const rubric = ctx.model.get("rubric");
  const stored = ctx.model.get("assessment");
  const version = stored && typeof stored === "object" && stored.rubric ? String(stored.rubric.version) : null;
  if (!version || version === String(rubric.version) || !canMigrate(version, String(rubric.version))) return;
  let migrated;
  try {
    migrated = migrate({ ...stored, answers: stored.answers || {} }, rubric);
  } catch (err) {
    if (!(err instanceof MigrationConflict)) throw err;
    ctx.say(`The answers saved in this browser were made with rubric ${version} and cannot be brought to rubric ${rubric.version} by themselves (${err.message}). Download the assessment file, fix it and upload it.`, true);
    return;
  }
  const next = { ...migrated.doc, migrations: [...(stored.migrations || []), ...migrated.notes] };
  ctx.commit(next);
  ctx.say(`Your answers saved in this browser were kept.${migrationMessage(migrated.notes, rubric)}`, false,
    migrationList(ctx, migrated.notes, migrated.todo));
}

export default { render };
