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
// The module is self-contained (no imports), because anywidget loads it from a string in notebooks.
// Every piece of user text is put in the page with textContent, never parsed as HTML.

let instances = 0;

const UI = {
  unanswered: "Not answered yet",
  notApplicable: "Does not apply",
  actionKinds: {
    "red-flag": "Clears a red flag",
    "unanswered-guardrail": "Answer this guardrail question",
    "next-level-gate": "Needed for the next IAP2 level",
    improve: "Raises your score",
    unanswered: "Not answered yet",
  },
  confidence: {
    none: "No answers yet",
    low: "Low: many questions are unanswered, so the result could still change a lot.",
    medium: "Medium: some questions are unanswered.",
    high: "High: nearly every question is answered and the band cannot change.",
  },
};

// ------------------------------------------------------------------ small DOM helpers

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function clone(value) {
  return value === undefined || value === null ? value : JSON.parse(JSON.stringify(value));
}

function byId(list) {
  return Object.fromEntries((list || []).map((item) => [item.id, item]));
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

function slugFile(text) {
  const slug = String(text || "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug || "engagement-plan";
}

function download(filename, text, type) {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ------------------------------------------------------------------ the assessment file

/** A blank assessment for this rubric, in the saved-file format (widgets/rubric/assessment.schema.json). */
export function newAssessment(rubric, scope = "full") {
  return {
    format: "pai-assessment",
    format_version: 1,
    rubric: { id: rubric.id, version: rubric.version },
    scope,
    team: "",
    product: "",
    model_type: null,
    lifecycle_stage: null,
    date: today(),
    answers: {},
  };
}

//: Fields the file format knows besides `answers` (the schema allows no others).
const OPTIONAL_FIELDS = ["assessor", "notes", "rater", "round", "migrations"];
//: Plan fields a file must fill before Python's load_assessment accepts it.
const REQUIRED_PLAN = { team: "Team", product: "Product or project", model_type: "Model type", lifecycle_stage: "Lifecycle stage", date: "Date" };

function levelOf(answer) {
  if (answer !== null && typeof answer === "object") return answer.level ?? null;
  return answer ?? null;
}

// The limits of widgets/rubric/assessment.schema.json.
const TEXT_LIMIT = 20000;
const SHORT_LIMIT = 200;

/**
 * Problems with an uploaded assessment, each naming the field, what was expected and the fix.
 * An empty list means the file can replace the current answers.
 */
export function checkAssessment(data, rubric) {
  const problems = [];
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return ["The file does not hold an assessment: expected a JSON object with `answers`."];
  }
  if (data.format !== "pai-assessment") {
    problems.push(
      `format: expected "pai-assessment", found ${JSON.stringify(data.format ?? null)}. Is this an assessment file downloaded from this page or saved by widgets.AssessmentWidget.save()?`,
    );
    return problems;
  }
  if (data.format_version !== 1) {
    problems.push(`format_version: expected 1, found ${JSON.stringify(data.format_version ?? null)}.`);
  }
  const rid = data.rubric?.id;
  const rver = data.rubric?.version;
  if (rid === undefined || rver === undefined) {
    problems.push('rubric: expected {"id": "engagement-plan", "version": "…"} naming the rubric the answers belong to.');
  }
  if (rid !== undefined && rid !== rubric.id) {
    problems.push(`rubric.id: this file answers the rubric "${rid}", this page uses "${rubric.id}".`);
  }
  if (rver !== undefined && String(rver) !== String(rubric.version)) {
    problems.push(
      `rubric.version: the file was made with version ${rver}, this page uses ${rubric.version}. ` +
        "Open it in Python with widgets.load_assessment(path), which migrates older files, save it, and upload the result.",
    );
  }
  const known = ["format", "format_version", "rubric", "scope", "answers", ...Object.keys(REQUIRED_PLAN), ...OPTIONAL_FIELDS];
  const unknown = Object.keys(data).filter((k) => !known.includes(k));
  if (unknown.length) {
    problems.push(`${unknown.join(", ")}: not part of the assessment format (expected only ${known.join(", ")}).`);
  }
  const limits = { team: SHORT_LIMIT, product: SHORT_LIMIT, assessor: SHORT_LIMIT, date: 10, model_type: 60, lifecycle_stage: 60, notes: TEXT_LIMIT };
  for (const [key, limit] of Object.entries(limits)) {
    const value = data[key];
    if (value !== undefined && value !== null && typeof value !== "string") {
      problems.push(`${key}: expected text, found ${Array.isArray(value) ? "a list" : typeof value}.`);
    } else if (typeof value === "string" && value.length > limit) {
      problems.push(`${key}: longer than ${limit} characters.`);
    }
  }
  if (typeof data.date === "string" && data.date && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(data.date)) {
    problems.push(`date: expected a date written YYYY-MM-DD, found ${JSON.stringify(data.date)}.`);
  }
  if (data.migrations !== undefined && !(Array.isArray(data.migrations) && data.migrations.every((m) => typeof m === "string"))) {
    problems.push("migrations: expected a list of texts (the notes Python writes when it migrates a file).");
  }
  const modelTypes = (rubric.model_types || []).map((m) => m.id);
  if (typeof data.model_type === "string" && data.model_type && !modelTypes.includes(data.model_type)) {
    problems.push(`model_type: "${data.model_type}" is not one of ${modelTypes.join(", ")}.`);
  }
  const stages = (rubric.lifecycle_stages || []).map((m) => m.id);
  if (typeof data.lifecycle_stage === "string" && data.lifecycle_stage && !stages.includes(data.lifecycle_stage)) {
    problems.push(`lifecycle_stage: "${data.lifecycle_stage}" is not one of ${stages.join(", ")}.`);
  }
  if (data.scope !== undefined && data.scope !== "short" && data.scope !== "full") {
    problems.push(`scope: expected "short" or "full", found ${JSON.stringify(data.scope)}.`);
  }
  const answers = data.answers;
  if (answers === undefined || answers === null || typeof answers !== "object" || Array.isArray(answers)) {
    problems.push("answers: expected an object mapping criterion ids to answers, such as {\"early-start\": {\"level\": 2}}.");
    return problems;
  }
  const criteria = byId(rubric.criteria);
  for (const [cid, answer] of Object.entries(answers)) {
    const criterion = criteria[cid];
    if (!criterion) {
      problems.push(`answers.${cid}: no criterion has this id in rubric ${rubric.id} ${rubric.version}.`);
      continue;
    }
    const level = levelOf(answer);
    const allowed = [0, 1, 2, 3, null];
    if (criterion.not_applicable_if) allowed.push("n/a");
    if (!allowed.includes(level)) {
      problems.push(
        `answers.${cid}.level: expected 0, 1, 2 or 3${criterion.not_applicable_if ? ' or "n/a"' : ""}, found ${JSON.stringify(level)}.`,
      );
    }
    if (answer === null || typeof answer !== "object" || Array.isArray(answer)) {
      problems.push(`answers.${cid}: expected an object such as {"level": 2, "evidence": "…"}, found ${JSON.stringify(answer)}.`);
      continue;
    }
    {
      const extra = Object.keys(answer).filter((k) => !["level", "evidence", "notes"].includes(k));
      if (extra.length) problems.push(`answers.${cid}: unexpected field(s) ${extra.join(", ")}; an answer has level, evidence and notes.`);
      for (const field of ["evidence", "notes"]) {
        const value = answer[field];
        if (value !== undefined && value !== null && typeof value !== "string") {
          problems.push(`answers.${cid}.${field}: expected text, found ${typeof value}.`);
        } else if (typeof value === "string" && value.length > TEXT_LIMIT) {
          problems.push(`answers.${cid}.${field}: longer than ${TEXT_LIMIT} characters.`);
        }
      }
    }
  }
  return problems;
}

/** The file as it is saved: only the fields the format knows, answers as {level, evidence, notes}. */
function normalise(data, rubric, scope) {
  const out = newAssessment(rubric, data.scope || scope);
  for (const key of Object.keys(REQUIRED_PLAN)) {
    if (data[key] !== undefined) out[key] = data[key];
  }
  for (const key of OPTIONAL_FIELDS) if (data[key] !== undefined) out[key] = data[key];
  for (const [cid, answer] of Object.entries(data.answers || {})) {
    const entry = { level: answer.level ?? null };
    if (answer.evidence) entry.evidence = answer.evidence;
    if (answer.notes) entry.notes = answer.notes;
    out.answers[cid] = entry;
  }
  return out;
}

/** Plan fields still empty: the file is kept, but Python asks for them before loading it. */
export function missingPlanFields(assessment) {
  return Object.entries(REQUIRED_PLAN)
    .filter(([key]) => !assessment[key])
    .map(([, label]) => label);
}

// ------------------------------------------------------------------ Markdown report (escaped)

/** Escape user or data text for Markdown: no HTML, links, emphasis or headings can come from it. */
export function mdEscape(text) {
  return String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_{}[\]()#+!|~])/g, "\\$1")
    .replace(/\r?\n/g, " ");
}

export function markdownReport({ rubric, assessment, score, links = {}, criteriaIds = null }) {
  const themes = byId(rubric.themes);
  const criteria = byId(rubric.criteria);
  const bands = byId(rubric.bands);
  const flags = byId(rubric.red_flags);
  const iap2 = byId(rubric.iap2_levels);
  const scale = Object.fromEntries((rubric.scale || []).map((lv) => [String(lv.level), lv.name]));
  const link = (label) => (links[label] ? ` (see: ${mdEscape(links[label].title)})` : "");
  const lines = [];
  lines.push(`# Engagement-plan self-assessment: ${mdEscape(assessment.team || "unnamed team")}`, "");
  lines.push(`- Product: ${mdEscape(assessment.product || "not given")}`);
  lines.push(`- Model type: ${mdEscape(assessment.model_type || "not given")}`);
  lines.push(`- Lifecycle stage: ${mdEscape(assessment.lifecycle_stage || "not given")}`);
  lines.push(`- Date: ${mdEscape(assessment.date || "not given")}`);
  lines.push(`- Rubric: ${mdEscape(rubric.id)} ${mdEscape(rubric.version)}, ${score.scope} version`, "");
  lines.push(`> ${mdEscape(rubric.summary)}`, "");
  lines.push("## Result", "");
  const band = score.band.id ? bands[score.band.id].title : "No band yet (no answers)";
  lines.push(`- Band: **${mdEscape(band)}**`);
  if (score.band.low && score.band.high && score.band.low !== score.band.high) {
    lines.push(`- Could range, once every question is answered, from ${mdEscape(bands[score.band.low].title)} to ${mdEscape(bands[score.band.high].title)}`);
  }
  lines.push(`- IAP2 level reached: ${mdEscape(iap2[score.iap2.level].title)}`);
  const pct = score.overall.percent === null ? "n/a" : `${score.overall.percent}%`;
  lines.push(`- Points: ${score.overall.earned} of ${score.overall.answered_max} on answered questions (${pct})`);
  const comp = score.completeness;
  lines.push(`- Answered: ${comp.answered} of ${comp.in_scope}, ${comp.not_applicable} do not apply; confidence ${comp.confidence}`, "");
  lines.push("## Red flags", "");
  if (!score.red_flags.length) lines.push("No red flag is raised by the answers given.");
  for (const f of score.red_flags) {
    lines.push(`- **${mdEscape(flags[f.id].title)}** (caps the band at ${mdEscape(bands[f.cap].title)})${link(f.explained_in)}`);
    lines.push(`  raised by: ${f.raised_by.map((c) => mdEscape(criteria[c].question)).join("; ")}`);
  }
  for (const f of score.unconfirmed_flags) {
    lines.push(`- Not yet checked: ${mdEscape(flags[f.id].title)} (unanswered: ${f.unanswered.map(mdEscape).join(", ")})`);
  }
  lines.push("", "## Themes", "", "| Theme | Points | Percent | Answered |", "| --- | ---: | ---: | ---: |");
  for (const t of score.themes) {
    if (t.answered + t.unanswered + t.not_applicable === 0) continue;
    lines.push(`| ${mdEscape(themes[t.id].title)} | ${t.earned} / ${t.answered_max} | ${t.percent === null ? "n/a" : `${t.percent}%`} | ${t.answered} of ${t.answered + t.unanswered + t.not_applicable} |`);
  }
  lines.push("", "## Next steps", "");
  const actions = score.actions.filter((a) => !criteriaIds || criteriaIds.includes(a.criterion));
  if (!actions.length) lines.push("No next step: every question is at its highest level or does not apply.");
  actions.forEach((a, i) => {
    lines.push(`${i + 1}. ${mdEscape(a.action)} (who: ${mdEscape(a.who)}; ${mdEscape(UI.actionKinds[a.kind])})${link(a.explained_in)}`);
  });
  lines.push("", "## Answers", "");
  for (const c of rubric.criteria) {
    if (criteriaIds && !criteriaIds.includes(c.id)) continue;
    const answer = assessment.answers?.[c.id];
    const level = levelOf(answer);
    if (level === null && !(answer && (answer.evidence || answer.notes))) continue;
    const shown = level === null ? UI.unanswered : level === "n/a" ? UI.notApplicable : `${level} (${scale[String(level)]})`;
    lines.push(`- ${mdEscape(c.question)}: **${mdEscape(shown)}**`);
    if (answer?.evidence) lines.push(`  - Evidence: ${mdEscape(answer.evidence)}`);
    if (answer?.notes) lines.push(`  - Notes: ${mdEscape(answer.notes)}`);
  }
  lines.push("", "A score is evidence for a conversation, never a certificate.", "");
  return lines.join("\n");
}

// ------------------------------------------------------------------ rendering

function render({ model, el }) {
  instances += 1;
  const uid = `pai-a${instances}`;
  const root = h("div", { class: "pai-assessment" });
  el.replaceChildren(root);
  const controls = new Map(); // criterion id -> { radios: Map(level -> input), evidence, notes, fieldset }
  let view = null; // { rubric, criteria (list), themes (list), scope, subset }
  let printTimer = null;
  let shownErrors = "";
  let moreStepsOpen = false;

  const messages = h("div", { class: "pai-messages", role: "status", "aria-live": "polite" });
  const alerts = h("div", { class: "pai-messages", role: "alert" });

  function say(text, isError = false) {
    const box = isError ? alerts : messages;
    box.replaceChildren(h("p", { class: `pai-message${isError ? " pai-error" : ""}`, text }));
  }

  function getAssessment() {
    const rubric = model.get("rubric");
    const current = model.get("assessment");
    if (current && typeof current === "object" && current.answers) return current;
    return newAssessment(rubric, view ? view.scope : "full");
  }

  function commit(next) {
    model.set("assessment", next);
    model.save_changes();
  }

  function updateAnswer(cid, patch) {
    const next = clone(getAssessment());
    const entry = { level: null, ...(next.answers[cid] || {}), ...patch };
    for (const field of ["evidence", "notes"]) if (!entry[field]) delete entry[field];
    next.answers[cid] = entry;
    if (entry.level === null && !entry.evidence && !entry.notes) delete next.answers[cid];
    commit(next);
  }

  function updateField(key, value) {
    const next = clone(getAssessment());
    next[key] = value === "" && (key === "model_type" || key === "lifecycle_stage") ? null : value;
    // Optional workshop fields: a rater's name and a round number, left out of the file when empty.
    if (key === "rater" && !String(value).trim()) delete next.rater;
    if (key === "round") {
      const n = Number.parseInt(value, 10);
      if (Number.isInteger(n) && n >= 1 && n <= 99) next.round = n;
      else delete next.round;
    }
    commit(next);
  }

  function linkTo(label, prefix = "Read more: ") {
    const links = model.get("links") || {};
    const target = links[label];
    if (!target) return null;
    return h("a", { href: target.url, class: "pai-readmore" }, prefix, h("span", { text: target.title }));
  }

  // ---------------------------------------------------------------- toolbar: files, report, print

  const fileInput = h("input", {
    type: "file",
    id: `${uid}-upload`,
    accept: ".json,application/json",
    class: "pai-file-input pai-visually-hidden",
    onchange: async (event) => {
      const file = event.target.files && event.target.files[0];
      event.target.value = "";
      if (file) await loadFile(file);
    },
  });

  async function loadFile(file) {
    const rubric = model.get("rubric");
    let data;
    try {
      const text = await file.text();
      try {
        data = JSON.parse(text);
      } catch (err) {
        const looksYaml = /^\s*[A-Za-z_]+\s*:/m.test(text);
        throw new Error(
          looksYaml
            ? "it looks like YAML; this page reads the JSON assessment files it downloads. Convert it in Python with widgets.load_assessment(path) and save it as .json."
            : `it is not valid JSON (${err.message}).`,
        );
      }
    } catch (err) {
      say(`Could not load “${file.name}”: ${err.message} Your current answers are unchanged.`, true);
      return;
    }
    const problems = checkAssessment(data, rubric);
    if (problems.length) {
      say(
        `Could not load “${file.name}”. Your current answers are unchanged. Problems found:\n• ${problems.slice(0, 12).join("\n• ")}` +
          (problems.length > 12 ? `\n• … and ${problems.length - 12} more.` : ""),
        true,
      );
      return;
    }
    const loaded = normalise(data, rubric, view.scope);
    alerts.replaceChildren();
    commit(loaded);
    const n = Object.values(loaded.answers).filter((a) => a.level !== null).length;
    say(`Loaded “${file.name}”: ${n} answers${loaded.team ? ` for ${loaded.team}` : ""}.`);
  }

  function fileBase() {
    const a = getAssessment();
    const who = a.rater ? `-${slugFile(a.rater)}` : "";
    return `${slugFile(a.team)}${who}${a.round ? `-round${a.round}` : ""}-${a.date || today()}`;
  }

  function downloadAssessment() {
    const a = normalise(getAssessment(), model.get("rubric"), view.scope);
    download(`${fileBase()}.assessment.json`, `${JSON.stringify(a, null, 2)}\n`, "application/json");
    const missing = missingPlanFields(a);
    say(
      "Downloaded the assessment file. Upload it here or load it in a notebook to continue." +
        (missing.length ? ` Before Python can load it, fill in: ${missing.join(", ")}.` : ""),
    );
  }

  function downloadReport() {
    const score = model.get("score");
    if (!score) return;
    const text = markdownReport({
      rubric: model.get("rubric"),
      assessment: getAssessment(),
      score,
      links: model.get("links") || {},
      criteriaIds: view.subset,
    });
    download(`${fileBase()}.report.md`, text, "text/markdown");
    say("Downloaded the report in Markdown.");
  }

  function startOver() {
    // eslint-disable-next-line no-alert
    const ok = typeof window.confirm !== "function" || window.confirm("Clear every answer on this page? Download the file first if you want to keep them.");
    if (!ok) return;
    commit(newAssessment(model.get("rubric"), view.scope));
    say("Cleared every answer.");
  }

  const toolbar = h(
    "div",
    { class: "pai-toolbar", role: "group", "aria-label": "Assessment file" },
    h("button", { type: "button", class: "pai-download", onclick: downloadAssessment }, "Download assessment file"),
    fileInput,
    h("label", { for: `${uid}-upload`, class: "pai-file-label" }, "Upload assessment file"),
    h("button", { type: "button", class: "pai-report", onclick: downloadReport }, "Download report (Markdown)"),
    h("button", { type: "button", class: "pai-print", onclick: () => { buildPrintView(); window.print(); } }, "Print"),
    h("button", { type: "button", class: "pai-start-over", onclick: startOver }, "Start over"),
  );

  // ---------------------------------------------------------------- building the form

  const form = h("div", { class: "pai-form" });
  const result = h("section", { class: "pai-result", "aria-labelledby": `${uid}-result-h` });
  const printView = h("div", { class: "pai-print-view" });
  const layout = h("div", { class: "pai-layout" }, form, result);
  const progressBar = h("progress", { max: 1, value: 0, id: `${uid}-progress` });
  const progressText = h("span", {});
  const themeNav = h("nav", { class: "pai-theme-nav", "aria-label": "Themes" });
  const themeCounts = new Map();
  const about = {};

  function computeView() {
    const rubric = model.get("rubric");
    const subset = (model.get("criteria") || []).length ? [...model.get("criteria")] : null;
    const assessment = model.get("assessment");
    const scope = subset ? "full" : model.get("version") || assessment?.scope || "full";
    let criteria = rubric.criteria.filter((c) => (subset ? subset.includes(c.id) : scope === "full" || c.short));
    const themeIds = [...new Set(criteria.map((c) => c.theme))];
    return { rubric, subset, scope, criteria, themes: rubric.themes.filter((t) => themeIds.includes(t.id)) };
  }

  function aboutField(key, labelText, control) {
    control.id = `${uid}-${key}`;
    about[key] = control;
    const eventName = control.tagName === "SELECT" || control.type === "date" ? "change" : "input";
    control.addEventListener(eventName, () => updateField(key, control.value));
    return h("div", { class: "pai-field" }, h("label", { for: control.id, text: labelText }), control);
  }

  function optionList(items, placeholder) {
    return [h("option", { value: "", text: placeholder }), ...items.map((item) => h("option", { value: item.id, text: item.title }))];
  }

  function buildCriterion(c, rubric) {
    const scale = rubric.scale;
    const weights = rubric.weights;
    const flags = byId(rubric.red_flags);
    const legendId = `${uid}-${c.id}-q`;
    const radios = new Map();
    const levelsBox = h("div", { class: "pai-levels" });
    const options = scale.map((lv) => ({ value: lv.level, name: `${lv.level} · ${lv.name}`, text: c.levels[String(lv.level)] }));
    if (c.not_applicable_if) options.push({ value: "n/a", name: UI.notApplicable, text: c.not_applicable_if });
    for (const opt of options) {
      const input = h("input", {
        type: "radio",
        name: `${uid}-${c.id}`,
        value: String(opt.value),
        id: `${uid}-${c.id}-${opt.value === "n/a" ? "na" : opt.value}`,
        onchange: () => updateAnswer(c.id, { level: opt.value }),
      });
      radios.set(opt.value, input);
      levelsBox.append(
        h("label", { class: "pai-level", for: input.id }, input, h("span", {}, h("span", { class: "pai-level-name", text: opt.name }), " ", h("span", { text: opt.text }))),
      );
    }
    const flag = c.flag ? flags[c.flag.id] : null;
    const why = h(
      "p",
      { class: "pai-why" },
      h("strong", { text: "Why this matters: " }),
      weights[c.weight].meaning,
      flag ? ` Guardrail: ${flag.meaning}` : "",
      " ",
      linkTo(c.explained_in),
    );
    const evidence = h("textarea", { id: `${uid}-${c.id}-evidence`, rows: 2, oninput: (e) => updateAnswer(c.id, { evidence: e.target.value }) });
    const notes = h("textarea", { id: `${uid}-${c.id}-notes`, rows: 2, oninput: (e) => updateAnswer(c.id, { notes: e.target.value }) });
    const details = h(
      "details",
      {},
      h("summary", {}, "Evidence and notes ", h("span", { class: "pai-visually-hidden", text: `for: ${c.question}` })),
      h("div", { class: "pai-field" }, h("label", { for: evidence.id, text: "Evidence (a document, a link, who can confirm)" }), evidence),
      h("div", { class: "pai-field" }, h("label", { for: notes.id, text: "Notes" }), notes),
    );
    const clear = h(
      "button",
      { type: "button", class: "pai-clear", onclick: () => updateAnswer(c.id, { level: null }), "aria-describedby": legendId },
      "Clear answer",
    );
    const fieldset = h(
      "fieldset",
      { class: "pai-criterion", id: `${uid}-${c.id}`, "data-criterion": c.id },
      h("legend", { id: legendId }, h("span", { text: c.question }), flag ? h("span", { class: "pai-flag-tag", text: "Guardrail" }) : null),
      levelsBox,
      why,
      details,
      clear,
    );
    controls.set(c.id, { radios, evidence, notes, fieldset, details });
    return fieldset;
  }

  function build() {
    view = computeView();
    const { rubric } = view;
    controls.clear();
    themeCounts.clear();
    form.replaceChildren();
    result.replaceChildren();
    layout.classList.toggle("pai-has-aside", true);

    const intro = h("p", { class: "pai-caveat", text: rubric.summary });
    if (!view.subset) {
      const fields = h(
        "fieldset",
        { class: "pai-about" },
        h("legend", { text: "About your plan" }),
        aboutField("team", "Team", h("input", { type: "text", autocomplete: "organization" })),
        aboutField("product", "Product or project", h("input", { type: "text" })),
        aboutField("model_type", "Model type", h("select", {}, optionList(rubric.model_types, "Choose…"))),
        aboutField("lifecycle_stage", "Lifecycle stage now", h("select", {}, optionList(rubric.lifecycle_stages, "Choose…"))),
        aboutField("date", "Date", h("input", { type: "date" })),
        aboutField("rater", "Rater, in a workshop (your name or a nickname; optional)", h("input", { type: "text", maxlength: "200" })),
        aboutField("round", "Round, in a workshop (1, 2 …; optional)", h("input", { type: "number", min: "1", max: "99", step: "1", inputmode: "numeric" })),
      );
      form.append(intro, fields);
    }
    form.append(
      h(
        "div",
        { class: "pai-progress" },
        h("label", { for: progressBar.id, text: "Progress" }),
        progressBar,
        progressText,
        h("a", { href: `#${uid}-result-h`, class: "pai-to-result", text: view.subset ? "See the self-check result" : "See your result" }),
      ),
    );
    if (view.themes.length > 1) {
      themeNav.replaceChildren(
        h(
          "ol",
          {},
          view.themes.map((t) => {
            const count = h("span", { class: "pai-theme-count" });
            themeCounts.set(t.id, count);
            return h("li", {}, h("a", { href: `#${uid}-theme-${t.id}` }, h("span", { text: t.title }), " ", count));
          }),
        ),
      );
      form.append(themeNav);
    }
    for (const theme of view.themes) {
      const section = h(
        "section",
        { class: "pai-theme", id: `${uid}-theme-${theme.id}`, "aria-labelledby": `${uid}-theme-${theme.id}-h` },
        h("h3", { id: `${uid}-theme-${theme.id}-h`, text: theme.title }),
        h("p", { class: "pai-theme-intro" }, h("strong", { text: "Why this matters: " }), theme.summary, " ", linkTo(theme.explained_in)),
      );
      for (const c of view.criteria.filter((x) => x.theme === theme.id)) section.append(buildCriterion(c, rubric));
      form.append(section);
    }
    syncAnswers();
    syncScore();
  }

  // ---------------------------------------------------------------- keeping the form in step with the model

  function setValue(control, value) {
    const text = value ?? "";
    // Never overwrite what the person is typing.
    if (control.value !== text && document.activeElement !== control) control.value = text;
  }

  function syncAnswers() {
    if (!view) return;
    const a = getAssessment();
    if (!view.subset) {
      for (const key of ["team", "product", "model_type", "lifecycle_stage", "date", "rater", "round"]) {
        if (about[key]) setValue(about[key], a[key] === undefined ? "" : String(a[key]));
      }
    }
    for (const [cid, ctl] of controls) {
      const answer = a.answers?.[cid];
      const level = levelOf(answer);
      for (const [value, input] of ctl.radios) {
        const checked = value === level;
        if (input.checked !== checked) input.checked = checked;
      }
      const evidence = answer && typeof answer === "object" ? answer.evidence : "";
      const notes = answer && typeof answer === "object" ? answer.notes : "";
      setValue(ctl.evidence, evidence);
      setValue(ctl.notes, notes);
      if ((evidence || notes) && !ctl.details.open) ctl.details.open = true;
    }
    schedulePrintView();
  }

  // ---------------------------------------------------------------- the result panel

  const resultParts = {};

  function buildResultSkeleton() {
    resultParts.heading = h("h2", { id: `${uid}-result-h`, text: view.subset ? "Your self-check" : "Your result" });
    resultParts.summary = h("div", { class: "pai-summary" });
    // A short spoken update after each answer; the full panel is there to read at will.
    resultParts.live = h("p", { class: "pai-visually-hidden pai-live", role: "status", "aria-live": "polite" });
    resultParts.flags = h("div", { class: "pai-flags" });
    resultParts.chart = h("div", { class: "pai-chart" });
    resultParts.actions = h("div", { class: "pai-actions" });
    // replaceChildren turns null into the text "null", so leave the chart out explicitly.
    const parts = [resultParts.heading, resultParts.live, resultParts.summary, resultParts.flags];
    if (!view.subset) parts.push(resultParts.chart);
    parts.push(
      resultParts.actions,
      h("p", { class: "pai-caveat", text: "A score is evidence for a conversation inside your team and with the people you work with, never a certificate." }),
    );
    result.replaceChildren(...parts);
  }

  function syncProgress() {
    const answers = getAssessment().answers || {};
    const isAnswered = (c) => levelOf(answers[c.id]) !== null;
    const answered = view.criteria.filter(isAnswered).length;
    progressBar.max = view.criteria.length;
    progressBar.value = answered;
    progressText.textContent = `${answered} of ${view.criteria.length} questions answered`;
    for (const [tid, node] of themeCounts) {
      const inTheme = view.criteria.filter((c) => c.theme === tid);
      node.textContent = `(${inTheme.filter(isAnswered).length}/${inTheme.length})`;
    }
  }

  let renderedScore = null;
  const renderedParts = {};

  function syncScore(force = false) {
    if (!view) return;
    if (!resultParts.heading || !result.contains(resultParts.heading)) {
      buildResultSkeleton();
      force = true;
    }
    const score = model.get("score");
    const rubric = view.rubric;
    const errors = [...(model.get("errors") || []), ...(model.get("host_messages") || [])];
    if (model.get("host_error")) errors.push(model.get("host_error"));
    const errorText = errors.join("\n");
    if (errorText !== shownErrors) {
      shownErrors = errorText;
      if (errorText) say(errorText, true);
      else alerts.replaceChildren();
    }
    syncProgress();
    if (!score || !score.band) {
      resultParts.summary.replaceChildren(h("p", { text: "The result appears here as you answer." }));
      renderedScore = null;
      return;
    }
    // Typing a note rescores to the same result: skip the redraw then.
    const key = JSON.stringify(score);
    if (!force && key === renderedScore) return;
    renderedScore = key;
    const bandTitle = score.band.id ? byId(rubric.bands)[score.band.id].title : "none yet";
    resultParts.live.textContent = view.subset
      ? `${score.red_flags.filter((f) => f.raised_by.some((id) => view.subset.includes(id))).length} red flags.`
      : `Band: ${bandTitle}. ${score.red_flags.length} red flags. ${score.completeness.answered + score.completeness.not_applicable} of ${score.completeness.in_scope} answered.`;
    // Redraw only the parts whose numbers changed (one answer usually moves one theme).
    const parts = {
      summary: [score.band, score.iap2, score.overall, score.completeness],
      flags: [score.red_flags, score.unconfirmed_flags],
      chart: score.themes,
      actions: score.actions,
    };
    for (const [part, value] of Object.entries(parts)) {
      const partKey = JSON.stringify(value);
      if (!force && renderedParts[part] === partKey) continue;
      renderedParts[part] = partKey;
      if (part === "summary") renderSummary(score, rubric);
      else if (part === "flags") renderFlags(score, rubric);
      else if (part === "chart" && !view.subset) renderChart(score, rubric);
      else if (part === "actions") renderActions(score, rubric);
    }
    schedulePrintView();
  }

  function renderSummary(score, rubric) {
    const bands = byId(rubric.bands);
    const levels = byId(rubric.iap2_levels);
    const parts = [];
    if (view.subset) {
      const mine = score.contributions.filter((c) => view.subset.includes(c.criterion));
      const n = mine.filter((c) => c.status !== "unanswered").length;
      parts.push(h("p", { class: "pai-band", text: `${n} of ${mine.length} answered` }));
      parts.push(h("p", { class: "pai-caveat", text: "This self-check covers a few questions only, so it gives no band. The full self-assessment gives one." }));
    } else {
      const band = score.band.id ? bands[score.band.id] : null;
      parts.push(h("p", { class: "pai-band" }, "Band: ", h("span", { class: "pai-band-title", "data-band": score.band.id || "", text: band ? band.title : "none yet" })));
      if (band) parts.push(h("p", { class: "pai-band-meaning", text: band.meaning }));
      if (score.band.low && score.band.high && score.band.low !== score.band.high) {
        parts.push(h("p", { text: `With the unanswered questions, the band could lie anywhere from ${bands[score.band.low].title} to ${bands[score.band.high].title}.` }));
      }
      const level = levels[score.iap2.level];
      parts.push(h("p", {}, "IAP2 level reached: ", h("strong", { class: "pai-iap2", text: level.title }), ` (${level.meaning})`));
      const pct = score.overall.percent === null ? "no answers yet" : `${score.overall.percent}%`;
      parts.push(h("p", { class: "pai-points", text: `Points on answered questions: ${score.overall.earned} of ${score.overall.answered_max} (${pct}).` }));
      parts.push(h("p", { class: "pai-confidence", text: `Confidence: ${UI.confidence[score.completeness.confidence]}` }));
    }
    resultParts.summary.replaceChildren(...parts);
  }

  function renderFlags(score, rubric) {
    const flags = byId(rubric.red_flags);
    const bands = byId(rubric.bands);
    const criteria = byId(rubric.criteria);
    const inView = (ids) => !view.subset || ids.some((id) => view.subset.includes(id));
    const raised = score.red_flags.filter((f) => inView(f.raised_by));
    const unconfirmed = score.unconfirmed_flags.filter((f) => inView(f.unanswered));
    resultParts.flags.className = `pai-flags${raised.length ? "" : " pai-none"}`;
    const items = raised.map((f) =>
      h(
        "li",
        { "data-flag": f.id },
        h("strong", { text: flags[f.id].title }),
        view.subset ? "" : ` (caps the band at ${bands[f.cap].title})`,
        ". ",
        flags[f.id].meaning,
        " Raised by: ",
        f.raised_by.map((cid) => criteria[cid].question).join(" / "),
        " ",
        linkTo(f.explained_in, "What to do: "),
      ),
    );
    resultParts.flags.replaceChildren(
      h("h3", { text: raised.length ? `Red flags (${raised.length})` : "Red flags: none raised" }),
      raised.length ? h("ul", {}, items) : h("p", { text: "No answer given so far raises a red flag." }),
      unconfirmed.length
        ? h("p", { class: "pai-unconfirmed", text: `Not yet checked, because a guardrail question is unanswered: ${unconfirmed.map((f) => flags[f.id].title).join("; ")}.` })
        : null,
    );
  }

  function renderChart(score, rubric) {
    const themes = byId(rubric.themes);
    const rows = score.themes.filter((t) => t.answered + t.unanswered + t.not_applicable > 0);
    const rowH = 34;
    const labelW = 0;
    const width = 320;
    const height = rows.length * rowH + 24;
    const titleId = `${uid}-chart-title`;
    const descId = `${uid}-chart-desc`;
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, focusable: "false" });
    svg.append(s("title", { id: titleId }, "Where does the plan stand in each theme?"));
    svg.append(
      s(
        "desc",
        { id: descId },
        `Bar chart: percent of points earned on answered questions, per theme. ${rows.map((t) => `${themes[t.id].title}: ${t.percent === null ? "no answers" : `${t.percent}%`}`).join("; ")}.`,
      ),
    );
    rows.forEach((t, i) => {
      const y = i * rowH;
      svg.append(s("text", { x: labelW, y: y + 11 }, themes[t.id].title.length > 48 ? `${themes[t.id].title.slice(0, 46)}…` : themes[t.id].title));
      svg.append(s("rect", { class: "pai-track", x: labelW, y: y + 15, width: width - 50, height: 12, rx: 2 }));
      const pct = t.percent ?? 0;
      svg.append(s("rect", { class: "pai-bar", x: labelW, y: y + 15, width: ((width - 50) * pct) / 100, height: 12, rx: 2 }));
      svg.append(s("text", { x: width - 44, y: y + 26 }, t.percent === null ? "–" : `${t.percent}%`));
    });
    svg.append(s("text", { x: 0, y: height - 4 }, "Percent of points on answered questions (0–100%)"));
    const table = h(
      "table",
      {},
      h("caption", { text: "Points per theme" }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Theme" }), h("th", { scope: "col", text: "Points" }), h("th", { scope: "col", text: "Percent" }), h("th", { scope: "col", text: "Answered" }))),
      h(
        "tbody",
        {},
        rows.map((t) =>
          h(
            "tr",
            {},
            h("th", { scope: "row", text: themes[t.id].title }),
            h("td", { text: `${t.earned}/${t.answered_max}` }),
            h("td", { text: t.percent === null ? "–" : `${t.percent}%` }),
            h("td", { text: `${t.answered}/${t.answered + t.unanswered + t.not_applicable}` }),
          ),
        ),
      ),
    );
    resultParts.chart.replaceChildren(h("h3", { text: "Profile by theme" }), svg, h("details", {}, h("summary", { text: "The same numbers as a table" }), table));
  }

  function renderActions(score, rubric) {
    const criteria = byId(rubric.criteria);
    const actions = score.actions.filter((a) => !view.subset || view.subset.includes(a.criterion));
    const item = (a) =>
      h(
        "li",
        { "data-criterion": a.criterion, "data-kind": a.kind },
        h("span", { text: a.action }),
        " ",
        h("span", { class: "pai-who", text: `(who: ${a.who}; ${UI.actionKinds[a.kind]}${a.target_level !== null ? `, to level ${a.target_level}` : ""})` }),
        h("br"),
        h("a", { href: `#${uid}-${a.criterion}`, class: "pai-goto", text: `Go to the question: ${criteria[a.criterion].question}` }),
        " ",
        linkTo(a.explained_in),
      );
    const top = actions.slice(0, 5);
    const rest = actions.slice(5);
    resultParts.actions.replaceChildren(
      h("h3", { text: "Next steps" }),
      actions.length ? h("ol", {}, top.map(item)) : h("p", { text: "No next step: every question is at its highest level or does not apply." }),
      rest.length ? moreSteps(rest, item) : null,
    );
  }

  function moreSteps(rest, item) {
    // Drawn when opened: most people read the first five, and every answer redraws this panel.
    const list = h("ol", { start: 6 });
    const details = h("details", { class: "pai-more-steps" }, h("summary", { text: `${rest.length} more steps` }), list);
    const fill = () => {
      if (details.open && !list.childElementCount) list.append(...rest.map(item));
    };
    details.open = moreStepsOpen;
    fill();
    details.addEventListener("toggle", () => {
      moreStepsOpen = details.open;
      fill();
    });
    return details;
  }

  // ---------------------------------------------------------------- print view

  function schedulePrintView() {
    clearTimeout(printTimer);
    printTimer = setTimeout(buildPrintView, 300);
  }

  function buildPrintView() {
    clearTimeout(printTimer);
    const score = model.get("score");
    if (!view || !score) return;
    const rubric = view.rubric;
    const a = getAssessment();
    const bands = byId(rubric.bands);
    const scale = Object.fromEntries(rubric.scale.map((lv) => [String(lv.level), lv.name]));
    const rows = view.criteria.map((c) => {
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
    printView.replaceChildren(
      h("h2", { text: `Self-assessment: ${a.team || "unnamed team"}` }),
      h("p", { text: `Product: ${a.product || "not given"} · Date: ${a.date || "not given"} · Rubric ${rubric.id} ${rubric.version}` }),
      view.subset ? null : h("p", { text: `Band: ${score.band.id ? bands[score.band.id].title : "none yet"}` }),
      h("section", {}, resultParts.flags ? resultParts.flags.cloneNode(true) : null),
      h("section", {}, h("h3", { text: "Next steps" }), h("ol", {}, score.actions.filter((x) => !view.subset || view.subset.includes(x.criterion)).map((x) => h("li", { text: `${x.action} (who: ${x.who})` })))),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { text: "Question" }), h("th", { text: "Answer" }), h("th", { text: "Evidence and notes" }))), h("tbody", {}, rows)),
      h("p", { text: "A score is evidence for a conversation, never a certificate." }),
    );
  }

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
    clearTimeout(printTimer);
  };
}

export default { render };
