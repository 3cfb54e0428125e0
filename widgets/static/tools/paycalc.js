// Living-wage pay calculator front-end: an anywidget-style ES module, `render({ model, el })`.
//
// The arithmetic mirrors widgets/_paycalc.py line by line (tests/test_tools_browser.py runs both on
// the same cases), and files it downloads or uploads use the Python format ("pai-paycalc", version 1),
// so a scenario moves freely between the site and a notebook. User text is only ever set with
// textContent or as an input's value, never as HTML.
//
// Model keys: `paycalc_form` (persisted: the form exactly as typed, so nothing is lost even when
// invalid), `sources` (optional: the living-wage sources list, widgets/data/living-wage-sources.yaml).

import { download, ensureStyle, h, headingLevelBelow, headingTag, TOOL_STYLE } from "../lib/dom.js";
import { jsonStringifySafe } from "../lib/text.js";
import { MAX_NUMBER, MIN_POSITIVE, MIN_POSITIVE_TEXT, NUMBER_LIMIT, readToolFile, readUpload, storedAsWritten } from "../lib/files.js";

export const FORMAT_NAME = "pai-paycalc";
export const FORMAT_VERSION = 1;
const PAY_FILE = { name: FORMAT_NAME, version: FORMAT_VERSION, kind: "pay-calculator", saved_by: "the pay calculator", app: "the calculator", this: "calculator" };
const LIMIT_HINT = `Numbers must be at most ${NUMBER_LIMIT}; a value that must be above zero must be at least ${MIN_POSITIVE_TEXT}.`;
export const PAY_MODELS = ["per_task", "per_hour"];
export const EXTRA_TIME = ["training", "onboarding", "side_work"];
const FIELD_ORDER = [
  "currency", "living_wage_per_hour", "pay_model", "rate", "task_minutes", "tasks", "training_minutes",
  "onboarding_minutes", "side_work_minutes_per_task", "paid_extras", "other_payments", "label", "living_wage_source",
];

export class PayInputError extends Error {}

function number(name, value, positive, hint) {
  if (value === null || value === undefined || value === "" || typeof value === "boolean") {
    throw new PayInputError(`${name} is missing. ${hint}`);
  }
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (typeof value === "string" && value.trim() === "") throw new PayInputError(`${name} is missing. ${hint}`);
  if (Number.isNaN(n)) throw new PayInputError(`${name} must be a number, got "${value}". ${hint}`);
  if (!Number.isFinite(n)) throw new PayInputError(`${name} must be a finite number, got "${value}". ${hint}`);
  if (typeof value === "string" && !storedAsWritten(value.trim(), n)) {
    throw new PayInputError(`${name} must be a number that can be stored as written, got "${value}". ${LIMIT_HINT}`);
  }
  if (positive && n <= 0) throw new PayInputError(`${name} must be greater than zero, got ${value}. ${hint}`);
  if (!positive && n < 0) throw new PayInputError(`${name} cannot be negative, got ${value}. ${hint}`);
  if (Math.abs(n) > MAX_NUMBER) throw new PayInputError(`${name} must be at most ${NUMBER_LIMIT}, got ${value}. ${LIMIT_HINT}`);
  if (positive && n < MIN_POSITIVE) throw new PayInputError(`${name} must be at least ${MIN_POSITIVE_TEXT}, got ${value}. ${LIMIT_HINT}`);
  return n;
}

/** Validate raw values (numbers or strings) into a scenario; throws PayInputError naming the field. */
export function makeScenario(raw) {
  const currency = typeof raw.currency === "string" ? raw.currency.trim().toUpperCase() : "";
  if (!currency) {
    throw new PayInputError(
      "Currency is missing. Enter the three-letter code of the currency the worker is paid in " +
        "(for example KES, INR, PHP, USD), the same one as the living wage.",
    );
  }
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new PayInputError(`Currency "${raw.currency}" is not a three-letter currency code. Use a code such as KES, INR, PHP or USD.`);
  }
  if (!PAY_MODELS.includes(raw.pay_model)) {
    throw new PayInputError(`Pay model "${raw.pay_model}" is not known. Use per task or per hour.`);
  }
  const unit = raw.pay_model === "per_task" ? "task" : "hour";
  const s = {
    currency,
    living_wage_per_hour: number("Living wage per hour", raw.living_wage_per_hour, true,
      "Look up the living wage for the worker's city or region (see the sources listed)."),
    pay_model: raw.pay_model,
    rate: number(`Pay per ${unit}`, raw.rate, true, `Enter what the worker is paid per ${unit}.`),
    task_minutes: number("Minutes per task", raw.task_minutes, true,
      "Use the time measured in the pilot; a task cannot take zero time."),
    tasks: number("Number of tasks", raw.tasks, true, "Enter how many tasks one worker completes (at least 1)."),
  };
  if (!Number.isInteger(s.tasks)) throw new PayInputError(`Number of tasks must be a whole number, got ${raw.tasks}.`);
  for (const [key, label] of [
    ["training_minutes", "Training minutes"],
    ["onboarding_minutes", "Onboarding minutes"],
    ["side_work_minutes_per_task", "Side-work minutes per task"],
    ["other_payments", "Other payments"],
  ]) {
    const v = raw[key];
    s[key] = v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? 0 : number(label, v, false, "Enter 0 if there is none.");
  }
  if (raw.paid_extras !== undefined && raw.paid_extras !== null && !Array.isArray(raw.paid_extras)) {
    throw new PayInputError(`Paid extras must be a list of names, got ${typeof raw.paid_extras}. Use a list of ${EXTRA_TIME.join(", ")} (or an empty list).`);
  }
  const extras = Array.isArray(raw.paid_extras) ? raw.paid_extras : [];
  const unknown = extras.filter((e) => !EXTRA_TIME.includes(e));
  if (unknown.length) throw new PayInputError(`Unknown paid time ${unknown.join(", ")}. Paid extras can only be ${EXTRA_TIME.join(", ")}.`);
  s.paid_extras = EXTRA_TIME.filter((e) => extras.includes(e));
  for (const key of ["label", "living_wage_source"]) {
    const v = raw[key];
    if (v !== undefined && v !== null && typeof v !== "string") throw new PayInputError(`${key} must be text.`);
    s[key] = v || "";
  }
  return s;
}

function extraMinutes(s) {
  return { training: s.training_minutes, onboarding: s.onboarding_minutes, side_work: s.side_work_minutes_per_task * s.tasks };
}

function paidMinutes(s) {
  const extras = extraMinutes(s);
  let paid = s.task_minutes * s.tasks;
  for (const name of EXTRA_TIME) if (s.paid_extras.includes(name)) paid += extras[name];
  return paid;
}

export function totalPay(s) {
  if (s.pay_model === "per_task") return s.rate * s.tasks + s.other_payments;
  return (s.rate * paidMinutes(s)) / 60 + s.other_payments;
}

export function totalHours(s) {
  const extras = extraMinutes(s);
  return (s.task_minutes * s.tasks + extras.training + extras.onboarding + extras.side_work) / 60;
}

export function effectiveHourlyPay(s) {
  return totalPay(s) / totalHours(s);
}

// Python's round() rounds halves to even; the comparison only needs whole hundredths, where halves
// are vanishingly rare, but keep the same rule so both hosts always agree.
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function meetsLivingWage(s) {
  return roundHalfEven(effectiveHourlyPay(s) * 100) >= roundHalfEven(s.living_wage_per_hour * 100);
}

export function rateNeeded(s) {
  const owed = s.living_wage_per_hour * totalHours(s) - s.other_payments;
  if (s.pay_model === "per_task") return Math.max(owed, 0) / s.tasks;
  return Math.max(owed, 0) / (paidMinutes(s) / 60);
}

export function breakEvenTaskMinutes(s) {
  if (s.pay_model !== "per_task") return null;
  const other = s.training_minutes + s.onboarding_minutes + s.side_work_minutes_per_task * s.tasks;
  const budget = (totalPay(s) / s.living_wage_per_hour) * 60 - other;
  return budget <= 0 ? null : budget / s.tasks;
}

/** Same fields as widgets.calculate_pay (PayResult), in snake_case. */
export function calculate(s) {
  const pay = totalPay(s);
  const hours = totalHours(s);
  const extras = extraMinutes(s);
  const extraHours = { training: extras.training / 60, onboarding: extras.onboarding / 60, side_work: extras.side_work / 60 };
  const taskHours = (s.task_minutes * s.tasks) / 60;
  const unpaid = s.pay_model === "per_task"
    ? hours - taskHours
    : EXTRA_TIME.filter((n) => !s.paid_extras.includes(n)).reduce((a, n) => a + extraHours[n], 0);
  const meets = meetsLivingWage(s);
  return {
    currency: s.currency,
    total_pay: pay,
    task_hours: taskHours,
    extra_hours: extraHours,
    total_hours: hours,
    unpaid_hours: unpaid,
    nominal_hourly: pay / taskHours,
    effective_hourly: pay / hours,
    living_wage_per_hour: s.living_wage_per_hour,
    meets_living_wage: meets,
    living_wage_gap: meets ? 0 : s.living_wage_per_hour - pay / hours,
    shortfall_total: meets ? 0 : Math.max(s.living_wage_per_hour * hours - pay, 0),
    rate_needed: rateNeeded(s),
  };
}

export function taskTimeSweep(s, minutes = null) {
  const points = minutes || Array.from({ length: 21 }, (_, i) => s.task_minutes * (0.5 + 0.1 * i));
  return points.map((m) => {
    const v = { ...s, task_minutes: m };
    return { task_minutes: m, effective_hourly: effectiveHourlyPay(v), meets_living_wage: meetsLivingWage(v) };
  });
}

function ordered(s) {
  const out = {};
  for (const k of FIELD_ORDER) out[k] = s[k];
  return out;
}

/** The file text for one or more scenarios: the same format widgets.save_pay_scenarios writes. */
export function saveFile(scenarios) {
  return jsonStringifySafe({ format: FORMAT_NAME, format_version: FORMAT_VERSION, scenarios: scenarios.map(ordered) }, 2);
}

/** Read a pay-calculator file (from the site or Python); throws PayInputError naming the problem. */
export function loadFile(text) {
  const data = readToolFile(text, PAY_FILE, PayInputError);
  if (!Array.isArray(data.scenarios)) throw new PayInputError("The file has no list of scenarios.");
  return data.scenarios.map((item, i) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) throw new PayInputError(`Scenario ${i + 1} is not an object.`);
    const extra = Object.keys(item).filter((k) => !FIELD_ORDER.includes(k));
    if (extra.length) throw new PayInputError(`Scenario ${i + 1} has unknown fields ${extra.join(", ")}.`);
    try {
      return makeScenario(item);
    } catch (err) {
      throw new PayInputError(`Scenario ${i + 1}: ${err.message}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// User interface

export const DEFAULT_FORM = {
  label: "",
  currency: "",
  living_wage_per_hour: "",
  living_wage_source: "",
  pay_model: "per_task",
  rate: "",
  task_minutes: "",
  tasks: "",
  training_minutes: "0",
  onboarding_minutes: "0",
  side_work_minutes_per_task: "0",
  paid_extras: [],
  other_payments: "0",
};

function formFromScenario(s) {
  const form = { ...DEFAULT_FORM };
  for (const k of FIELD_ORDER) form[k] = k === "paid_extras" ? [...s[k]] : typeof s[k] === "number" ? String(s[k]) : s[k];
  return form;
}

// This tool's rules, after the shared TOOL_STYLE.
const STYLE = `
.pai-tool .pai-row { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; margin: 0.4rem 0; }
.pai-tool .pai-row > label { min-width: 16rem; flex: 0 0 auto; }
.pai-tool input[type=text], .pai-tool input[type=number], .pai-tool select, .pai-tool textarea { font: inherit; padding: 0.2rem 0.4rem; min-width: 10rem; max-width: 100%; }
.pai-tool .pai-hint { font-size: 0.9em; color: var(--pst-color-text-muted, #4a4a4f); flex-basis: 100%; margin: 0; }
.pai-tool .pai-ok { color: #26662f; font-weight: 600; }
.pai-tool .pai-bad { color: #a51d2d; font-weight: 600; }
.pai-tool table { border-collapse: collapse; margin: 0.5rem 0; }
.pai-tool th, .pai-tool td { text-align: left; padding: 0.2rem 0.6rem; border-bottom: 1px solid #c0c4ca; }
.pai-tool svg text { fill: currentColor; font-size: 12px; }
html[data-theme="dark"] .pai-tool .pai-error, html[data-theme="dark"] .pai-tool .pai-bad { color: #ffb4b4; }
html[data-theme="dark"] .pai-tool .pai-ok { color: #9be5a6; }
`;



let uid = 0;

function fmt(x, digits = 2) {
  return Number(x).toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}


function drawSweep(s, container, level) {
  const rows = taskTimeSweep(s);
  const W = 520, H = 260, L = 60, R = 16, T = 16, B = 44;
  const xs = rows.map((r) => r.task_minutes);
  const ys = rows.map((r) => r.effective_hourly).concat([s.living_wage_per_hour, 0]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y1 = Math.max(...ys) * 1.05;
  const X = (v) => L + ((v - x0) / (x1 - x0 || 1)) * (W - L - R);
  const Y = (v) => T + (1 - v / (y1 || 1)) * (H - T - B);
  const be = breakEvenTaskMinutes(s);
  const unit = `${s.currency} per hour`;
  const desc =
    `Line chart of effective hourly pay (${unit}) against the real minutes one task takes, from ${fmt(x0, 1)} to ${fmt(x1, 1)} minutes. ` +
    `Pay falls from ${fmt(rows[0].effective_hourly)} to ${fmt(rows[rows.length - 1].effective_hourly)} ${unit}; the dashed line is the living wage of ${fmt(s.living_wage_per_hour)} ${unit}.` +
    (be !== null ? ` Above about ${fmt(be, 1)} minutes per task the pay drops below the living wage.` : "");
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": desc, style: "max-width:520px" });
  svg.append(el("line", { x1: L, y1: Y(0), x2: W - R, y2: Y(0), stroke: "currentColor" }));
  svg.append(el("line", { x1: L, y1: T, x2: L, y2: Y(0), stroke: "currentColor" }));
  for (let i = 0; i <= 4; i++) {
    const v = (y1 / 4) * i;
    svg.append(el("text", { x: L - 6, y: Y(v) + 4, "text-anchor": "end" }, fmt(v, 1)));
    const m = x0 + ((x1 - x0) / 4) * i;
    svg.append(el("text", { x: X(m), y: Y(0) + 16, "text-anchor": "middle" }, fmt(m, 1)));
  }
  svg.append(el("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle" }, "Real time per task (minutes)"));
  svg.append(el("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(T + H - B) / 2})` }, `Effective pay (${unit})`));
  svg.append(el("line", { x1: L, x2: W - R, y1: Y(s.living_wage_per_hour), y2: Y(s.living_wage_per_hour), stroke: "currentColor", "stroke-dasharray": "6 4" }));
  svg.append(el("polyline", { points: rows.map((r) => `${X(r.task_minutes)},${Y(r.effective_hourly)}`).join(" "), fill: "none", stroke: "#1a5fb4", "stroke-width": 2 }));
  for (const r of rows) {
    // Shape, not only colour, marks the status: circles meet the living wage, crosses fall below it.
    if (r.meets_living_wage) svg.append(el("circle", { cx: X(r.task_minutes), cy: Y(r.effective_hourly), r: 3.5, fill: "#26662f" }));
    else {
      const cx = X(r.task_minutes), cy = Y(r.effective_hourly);
      svg.append(el("path", { d: `M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`, stroke: "#a51d2d", "stroke-width": 2 }));
    }
  }
  container.replaceChildren(
    h(headingTag(level), { text: "Does this rate still pay a living wage if tasks take longer?" }),
    svg,
    h("p", { class: "pai-hint", text: "Circles: meets the living wage. Crosses: below it. Dashed line: the living wage." }),
  );
}

function render({ model, el }) {
  ensureStyle("pai-tool-style", TOOL_STYLE + STYLE);
  const id = `pai-paycalc-${++uid}`;
  const level = headingLevelBelow(el, 4);
  const stored = model.get("paycalc_form");
  let form = { ...DEFAULT_FORM, ...(stored && typeof stored === "object" ? stored : {}) };
  const inputs = {};

  const root = h("div", { class: "pai-tool pai-paycalc" });
  const messages = h("div", { "aria-live": "polite" });
  const result = h("div", { class: "pai-paycalc-result", "aria-live": "polite", "aria-atomic": "true" });
  const chart = h("div", { class: "pai-paycalc-chart" });

  function field(key, label, { type = "number", hint = "", step = "any" } = {}) {
    const inputId = `${id}-${key}`;
    const input = h("input", { id: inputId, name: key, type: type === "number" ? "text" : type });
    if (type === "number") {
      input.setAttribute("inputmode", "decimal");
    }
    input.value = form[key] ?? "";
    const hintId = `${inputId}-hint`;
    if (hint) input.setAttribute("aria-describedby", hintId);
    input.addEventListener("input", () => update(key, input.value));
    inputs[key] = input;
    return h("div", { class: "pai-row" }, h("label", { for: inputId, text: label }), input, hint ? h("p", { class: "pai-hint", id: hintId, text: hint }) : null);
  }

  const modelSelect = h("select", { id: `${id}-pay_model`, name: "pay_model" });
  for (const [value, text] of [["per_task", "Per task"], ["per_hour", "Per hour"]]) modelSelect.append(h("option", { value, text }));
  modelSelect.value = form.pay_model;
  modelSelect.addEventListener("change", () => update("pay_model", modelSelect.value));
  inputs.pay_model = modelSelect;

  const extrasBox = h("fieldset", { class: "pai-extras" }, h("legend", { text: "Paid at the hourly rate (per-hour pay only)" }));
  for (const [name, text] of [["training", "Training"], ["onboarding", "Onboarding"], ["side_work", "Side work"]]) {
    const cb = h("input", { type: "checkbox", id: `${id}-extra-${name}`, name: `paid_${name}` });
    cb.checked = form.paid_extras.includes(name);
    cb.addEventListener("change", () => {
      const set = new Set(form.paid_extras);
      if (cb.checked) set.add(name);
      else set.delete(name);
      update("paid_extras", EXTRA_TIME.filter((e) => set.has(e)));
    });
    inputs[`extra_${name}`] = cb;
    extrasBox.append(h("div", { class: "pai-row" }, cb, h("label", { for: cb.id, text })));
  }

  const sources = Array.isArray(model.get("sources")) ? model.get("sources") : [];
  const sourceList = h("ul");
  for (const src of sources) {
    // Links come from our own data file; only http(s) URLs are used as links.
    const safe = /^https?:\/\//.test(String(src.url));
    sourceList.append(h("li", {}, safe ? h("a", { href: src.url, text: src.name }) : h("span", { text: src.name }), h("span", { text: ` (${src.covers})` })));
  }

  root.append(
    h("fieldset", {}, h("legend", { text: "The job" }),
      field("label", "Name of this job (optional)", { type: "text" }),
      h("div", { class: "pai-row" }, h("label", { for: modelSelect.id, text: "Pay model" }), modelSelect),
      field("rate", "Pay per task or per hour", { hint: "In the currency below." }),
      field("task_minutes", "Real minutes per task", { hint: "Measure it in a pilot; ask workers." }),
      field("tasks", "Number of tasks per worker"),
      field("other_payments", "Other payments (lump sums)", { hint: "0 if none." }),
    ),
    h("fieldset", {}, h("legend", { text: "Time around the tasks" }),
      field("training_minutes", "Training (minutes, once)"),
      field("onboarding_minutes", "Onboarding (minutes, once)"),
      field("side_work_minutes_per_task", "Side work per task (minutes)", { hint: "Reading instructions, waiting for tasks, rework." }),
      extrasBox,
    ),
    h("fieldset", {}, h("legend", { text: "Living wage" }),
      field("currency", "Currency code", { type: "text", hint: "Three letters, e.g. KES, INR, PHP, USD." }),
      field("living_wage_per_hour", "Living wage per hour where the worker lives"),
      field("living_wage_source", "Source of the living-wage figure", { type: "text", hint: "Which benchmark, which place, which year." }),
      sources.length ? h("details", {}, h("summary", { text: "Where to look up a living wage" }), sourceList) : null,
    ),
    messages,
    result,
    chart,
  );

  const downloadBtn = h("button", { type: "button", text: "Download scenario (JSON)" });
  const fileInput = h("input", { type: "file", id: `${id}-upload`, accept: ".json,application/json", class: "pai-visually-hidden" });
  const uploadLabel = h("label", { for: fileInput.id, class: "pai-file" }, h("span", { text: "Upload a scenario file" }));
  root.append(h("div", { class: "pai-actions" }, downloadBtn, fileInput, uploadLabel));
  el.replaceChildren(root);

  let current = null;

  function say(text, kind = "") {
    messages.replaceChildren(text ? h("p", { class: kind === "error" ? "pai-error" : "", role: kind === "error" ? "alert" : "status", text }) : "");
  }

  function recompute() {
    extrasBox.hidden = form.pay_model !== "per_hour";
    try {
      current = makeScenario(form);
    } catch (err) {
      current = null;
      result.replaceChildren(h("p", { class: "pai-hint", text: `Not calculated yet: ${err.message}` }));
      chart.replaceChildren();
      downloadBtn.disabled = true;
      return;
    }
    downloadBtn.disabled = false;
    const r = calculate(current);
    const unit = `${r.currency} per hour`;
    const rateUnit = current.pay_model === "per_task" ? "task" : "hour";
    const table = h("table", {}, h("caption", { class: "pai-visually-hidden", text: "Pay calculation" }));
    for (const [k, v] of [
      ["Total pay for the job", `${fmt(r.total_pay)} ${r.currency}`],
      ["Hours in all (paid or not)", `${fmt(r.total_hours)} h`],
      ["of which unpaid", `${fmt(r.unpaid_hours)} h`],
      ["Hourly pay counting task time only", `${fmt(r.nominal_hourly)} ${unit}`],
      ["Effective hourly pay, all time counted", `${fmt(r.effective_hourly)} ${unit}`],
      ["Living wage", `${fmt(r.living_wage_per_hour)} ${unit}`],
      ["Shortfall over the job", `${fmt(r.shortfall_total)} ${r.currency}`],
      [`Rate per ${rateUnit} needed`, `${fmt(r.rate_needed, 4)} ${r.currency}`],
    ]) table.append(h("tr", {}, h("th", { scope: "row", text: k }), h("td", { text: v })));
    const verdict = r.meets_living_wage
      ? h("p", { class: "pai-ok pai-verdict", text: `Meets the living wage: ${fmt(r.effective_hourly)} ${unit}.` })
      : h("p", { class: "pai-bad pai-verdict", text: `Below the living wage by ${fmt(r.living_wage_gap)} ${unit}. Raise the rate to at least ${fmt(r.rate_needed, 4)} ${r.currency} per ${rateUnit}, or pay for the unpaid time.` });
    result.replaceChildren(verdict, table);
    if (current.pay_model === "per_task") drawSweep(current, chart, level);
    else chart.replaceChildren();
  }

  function update(key, value) {
    form = { ...form, [key]: value };
    model.set("paycalc_form", form);
    model.save_changes();
    recompute();
  }

  downloadBtn.addEventListener("click", () => {
    if (!current) return;
    download("pay-scenario.json", saveFile([current]));
    say("Downloaded pay-scenario.json.");
  });

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    try {
      const scenarios = loadFile(await readUpload(file, PayInputError));
      if (!scenarios.length) throw new PayInputError("The file holds no scenario.");
      form = formFromScenario(scenarios[0]);
      for (const [k, input] of Object.entries(inputs)) {
        if (k.startsWith("extra_")) input.checked = form.paid_extras.includes(k.slice(6));
        else input.value = form[k];
      }
      model.set("paycalc_form", form);
      model.save_changes();
      recompute();
      say(`Loaded ${file.name}${scenarios.length > 1 ? ` (the first of ${scenarios.length} scenarios)` : ""}.`);
    } catch (err) {
      // The form is left as it was: nothing the user entered is lost.
      say(`Could not load ${file.name}: ${err.message}`, "error");
    }
    fileInput.value = "";
  });

  const hostMessages = model.get("host_messages");
  if (Array.isArray(hostMessages) && hostMessages.length) say(hostMessages.join(" "), "error");
  recompute();
}

export default { render };
