// Transparency report builder front-end: an anywidget-style ES module, `render({ model, el })`.
//
// Reads the template from the model key `template` (widgets/data/transparency-template.yaml, exported
// as JSON by the site build). Keeps the report in the model key `transparency_report` in the shape
// widgets/_transparency.py saves ("pai-transparency-report", version 1). Completeness and the
// Markdown and HTML exports mirror the Python module exactly (tests/test_tools_browser.py compares
// them); every user string is escaped in both. On the page, user text is only ever set with
// textContent or as a form control's value.
// Text escaping comes from the shared kernel (lib/text.js); a notebook loads this module bundled
// with its imports into one file (make bundles).

import { download, ensureStyle, h, TOOL_STYLE } from "../lib/dom.js";
import { escapeHtml, escapeMarkdown as md, jsonStringifySafe } from "../lib/text.js";

export { escapeHtml };

export const FORMAT_NAME = "pai-transparency-report";
export const FORMAT_VERSION = 1;

export class ToolFileError extends Error {}

export function emptyReport(template) {
  return { format: FORMAT_NAME, format_version: FORMAT_VERSION, template_version: template.version, organisation: "", period: "", values: {} };
}

export function fieldKeys(template) {
  return template.sections.flatMap((s) => s.fields.map((f) => `${s.id}.${f.id}`));
}

/** Same rule as widgets._transparency.is_filled. */
export function isFilled(value) {
  return typeof value === "string" && value.trim() !== "";
}

function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Same result as TransparencyReport.completeness(). */
export function completeness(report, template) {
  const sections = {};
  const missing = [];
  const labels = [];
  for (const s of template.sections) {
    const required = s.fields.filter((f) => f.required);
    const filled = required.filter((f) => isFilled(report.values[`${s.id}.${f.id}`] || ""));
    sections[s.id] = { title: s.title, required: required.length, filled: filled.length };
    for (const f of required) {
      if (!filled.includes(f)) {
        missing.push(`${s.id}.${f.id}`);
        labels.push(f.label);
      }
    }
  }
  const required = Object.values(sections).reduce((a, v) => a + v.required, 0);
  const filled = Object.values(sections).reduce((a, v) => a + v.filled, 0);
  return { required, filled, percent: required ? roundHalfEven((100 * filled) / required) : 100, sections, missing, missing_labels: labels };
}

function stripNewlines(p) {
  return p.replace(/^\n+/, "").replace(/\n+$/, "");
}

function paragraphs(text) {
  return text.replace(/\r\n/g, "\n").split("\n\n").map(stripNewlines).filter((p) => p.trim());
}

function heading(report, template) {
  const name = report.organisation.trim() || "[organisation]";
  const period = report.period.trim() ? `, ${report.period.trim()}` : "";
  return `${template.title}: ${name}${period}`;
}

export function toMarkdown(report, template) {
  const c = completeness(report, template);
  const out = [`# ${md(heading(report, template))}`, "", `_Completeness: ${c.filled} of ${c.required} required fields (${c.percent}%)._`, ""];
  for (const s of template.sections) {
    out.push(`## ${md(s.title)}`, "");
    for (const f of s.fields) {
      const value = report.values[`${s.id}.${f.id}`] || "";
      out.push(`**${md(f.label)}**`, "");
      if (isFilled(value)) out.push(md(value, { multiline: true }), "");
      else out.push(f.required ? "_Not yet answered._" : "_Not answered (optional)._", "");
    }
  }
  out.push("---", "", `_${md(template.provenance)}_`, "");
  return out.join("\n");
}

export function toHtml(report, template) {
  const e = escapeHtml;
  const c = completeness(report, template);
  const title = heading(report, template);
  const parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', `<title>${e(title)}</title>`, "</head>", "<body>", "<main>",
    `<h1>${e(title)}</h1>`, `<p><em>Completeness: ${c.filled} of ${c.required} required fields (${c.percent}%).</em></p>`];
  for (const s of template.sections) {
    parts.push(`<section><h2>${e(s.title)}</h2>`);
    for (const f of s.fields) {
      const value = report.values[`${s.id}.${f.id}`] || "";
      parts.push(`<h3>${e(f.label)}</h3>`);
      if (isFilled(value)) for (const p of paragraphs(value)) parts.push("<p>" + p.split("\n").map(e).join("<br>") + "</p>");
      else parts.push(f.required ? "<p><em>Not yet answered.</em></p>" : "<p><em>Not answered (optional).</em></p>");
    }
    parts.push("</section>");
  }
  parts.push(`<footer><p><small>${e(template.provenance)}</small></p></footer>`, "</main>", "</body>", "</html>");
  return parts.join("\n") + "\n";
}

export function saveFile(report, template) {
  const c = completeness(report, template);
  return jsonStringifySafe({ ...report, completeness: { required: c.required, filled: c.filled, percent: c.percent } }, 2);
}

/** Read a saved report (site or Python) with the same checks as widgets._transparency.load_json. */
export function loadFile(text, template) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ToolFileError(`This file is not valid JSON (${err.message}). Load a file saved by the report builder.`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data) || data.format !== FORMAT_NAME) {
    throw new ToolFileError(`This is not a transparency-report file (expected "format": "${FORMAT_NAME}").`);
  }
  if (!Number.isInteger(data.format_version) || data.format_version < 1) {
    throw new ToolFileError("The file has no valid format_version. Save it again from the report builder.");
  }
  if (data.format_version > FORMAT_VERSION) {
    throw new ToolFileError(`This file uses format version ${data.format_version}, newer than this toolkit (${FORMAT_VERSION}). Update the toolkit.`);
  }
  for (const key of ["organisation", "period"]) {
    if (key in data && typeof data[key] !== "string") throw new ToolFileError(`${key} must be text.`);
  }
  const values = data.values === undefined ? {} : data.values;
  if (!values || typeof values !== "object" || Array.isArray(values) || !Object.values(values).every((v) => typeof v === "string")) {
    throw new ToolFileError("values must be an object mapping field keys to text.");
  }
  return { ...emptyReport(template), organisation: data.organisation || "", period: data.period || "", values: { ...values } };
}

// ---------------------------------------------------------------------------------------------
// User interface



// This tool's rules, after the shared TOOL_STYLE.
const STYLE = `
.pai-tool label { display: block; font-weight: 500; margin-top: 0.6rem; }
.pai-tool input[type=text], .pai-tool textarea { font: inherit; padding: 0.2rem 0.4rem; width: 100%; max-width: 100%; }
.pai-tool .pai-hint { font-size: 0.9em; color: var(--pst-color-text-muted, #4a4a4f); margin: 0.1rem 0; }
.pai-tool .pai-file { display: inline; font-weight: normal; }
.pai-tool progress { width: 12rem; vertical-align: middle; }
html[data-theme="dark"] .pai-tool .pai-error { color: #ffb4b4; }
`;


let uid = 0;

function render({ model, el }) {
  ensureStyle("pai-tool-style-transparency", TOOL_STYLE + STYLE);
  const id = `pai-transparency-${++uid}`;
  const template = model.get("template");
  if (!template || !Array.isArray(template.sections)) {
    el.replaceChildren(h("p", { class: "pai-error", role: "alert", text: "The report template could not be loaded. Reload the page, or use the notebook version." }));
    return;
  }
  let report = model.get("transparency_report");
  if (!report || report.format !== FORMAT_NAME || typeof report.values !== "object") report = emptyReport(template);
  const controls = {};

  const root = h("div", { class: "pai-tool pai-transparency" });
  const messages = h("div", { "aria-live": "polite" });
  const progress = h("progress", { max: 100, value: 0, id: `${id}-progress` });
  const status = h("p", { class: "pai-completeness", "aria-live": "polite" });

  function say(text, kind = "") {
    messages.replaceChildren(text ? h("p", { class: kind === "error" ? "pai-error" : "", role: kind === "error" ? "alert" : "status", text }) : "");
  }

  function save() {
    model.set("transparency_report", JSON.parse(JSON.stringify(report)));
    model.save_changes();
    drawCompleteness();
  }

  function drawCompleteness() {
    const c = completeness(report, template);
    progress.value = c.percent;
    status.textContent = `Completeness: ${c.filled} of ${c.required} required fields (${c.percent}%).` +
      (c.missing_labels.length ? ` Next missing: ${c.missing_labels[0]}` : " Every required field has an answer.");
  }

  function control(key, label, help, multiline, onValue) {
    const cid = `${id}-${key.replace(/\./g, "-")}`;
    const input = multiline ? h("textarea", { id: cid, name: key, rows: 3 }) : h("input", { type: "text", id: cid, name: key });
    if (help) input.setAttribute("aria-describedby", `${cid}-help`);
    input.addEventListener("input", () => onValue(input.value));
    controls[key] = input;
    return [h("label", { for: cid, text: label }), help ? h("p", { class: "pai-hint", id: `${cid}-help`, text: help }) : null, input].filter(Boolean);
  }

  const meta = h("fieldset", {}, h("legend", { text: "About this report" }),
    ...control("organisation", "Organisation", "", false, (v) => { report.organisation = v; save(); }),
    ...control("period", "Period covered", "For example: January to June 2026.", false, (v) => { report.period = v; save(); }));
  const sections = template.sections.map((s) => {
    const origin = s.source === "pai" ? "an area named by PAI" : "added by this toolkit";
    return h("fieldset", {}, h("legend", { text: `${s.title} (${origin})` }),
      ...s.fields.flatMap((f) => {
        const key = `${s.id}.${f.id}`;
        return control(key, `${f.label}${f.required ? " (required)" : " (optional)"}`, f.help + (f.kind === "number" ? " A number." : ""), f.kind === "longtext", (v) => {
          report.values[key] = v;
          if (f.kind === "number" && v.trim() && !(Number(v) >= 0)) say(`${f.label}: "${v}" is not a number of zero or more. It is kept as typed; correct it before publishing.`, "error");
          else say("");
          save();
        });
      }));
  });

  const fileInput = h("input", { type: "file", id: `${id}-upload`, accept: ".json,application/json", class: "pai-visually-hidden" });
  const actions = h("div", { class: "pai-actions" },
    h("button", { type: "button", text: "Download record (JSON)", onclick: () => download("transparency-report.json", saveFile(report, template), "application/json") }),
    h("button", { type: "button", text: "Download report (Markdown)", onclick: () => download("transparency-report.md", toMarkdown(report, template), "text/markdown") }),
    h("button", { type: "button", text: "Download report (HTML)", onclick: () => download("transparency-report.html", toHtml(report, template), "text/html") }),
    fileInput,
    h("label", { for: fileInput.id, class: "pai-file" }, h("span", { text: "Upload a report file" })),
  );
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    try {
      report = loadFile(await file.text(), template);
      fill();
      save();
      say(`Loaded ${file.name}.`);
    } catch (err) {
      say(`Could not load ${file.name}: ${err.message}`, "error"); // what is on screen is kept
    }
    fileInput.value = "";
  });

  function fill() {
    controls.organisation.value = report.organisation;
    controls.period.value = report.period;
    for (const key of fieldKeys(template)) controls[key].value = report.values[key] || "";
  }

  root.append(
    h("p", { class: "pai-hint", text: template.provenance }),
    h("div", {}, h("label", { for: progress.id, text: "Share of required fields answered" }), progress, status),
    messages, meta, ...sections, actions,
  );
  el.replaceChildren(root);
  fill();
  const hostMessages = model.get("host_messages");
  if (Array.isArray(hostMessages) && hostMessages.length) say(hostMessages.join(" "), "error");
  drawCompleteness();
}

export default { render };
