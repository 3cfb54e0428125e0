// Small groups from a roster, in the browser: a line-by-line port of widgets/_groups.py.
//
// The same roster, group size and seed give the same groups here and in Python (the same seeded
// generator, the same search, the same integer imbalance); tests/test_groups.py runs both. The
// front-end follows the anywidget contract, `render({ model, el })`: the roster text is kept in the
// model key `roster_text` (kept in the tab, not stored), the size in `group_size` and the seed in
// `group_seed` (both remembered by the static host). Names are only ever set as text, never parsed as HTML.

import { download as save, h as el, headingLevelBelow, headingTag } from "./lib/dom.js";
import { csvText, escapeMarkdown } from "./lib/text.js";

const ATTRIBUTES = ["role", "organisation", "viewpoint"];
const REQUIRED = ["name", "role", "organisation"];
const STARTS = 24;
const MAX_PEOPLE = 500;
const M32 = 4294967296;

// ------------------------------------------------------------------ roster

/** Rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function csvRows(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const clean = (v) => String(v ?? "").split(/\s+/).filter(Boolean).join(" ");

/** widgets._groups.read_roster on CSV text: {people, problems}. */
export function readRoster(text, source = "the roster") {
  const rows = csvRows(String(text).replace(/^\ufeff/, ""));
  if (!rows.length) return { people: [], problems: [`${source}: no people listed below the header line.`] };
  const header = rows[0].map((h) => h.trim().toLowerCase()).map((h) => (h === "organization" ? "organisation" : h));
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) {
    return { people: [], problems: [`${source}: missing column(s) ${missing.join(", ")}; the first line must name the columns name, role, organisation (and optionally viewpoint).`] };
  }
  const people = [];
  const problems = [];
  const seen = new Map();
  rows.slice(1).forEach((cells, k) => {
    const line = k + 2;
    if (!cells.some((c) => c.trim())) return;
    const get = (col) => (header.includes(col) ? clean(cells[header.indexOf(col)]) : "");
    const p = { name: get("name"), role: get("role"), organisation: get("organisation"), viewpoint: get("viewpoint") };
    for (const col of REQUIRED) if (!p[col]) problems.push(`${source}, line ${line}: ${col} is empty; fill it in (use 'unknown' if you must).`);
    if (p.name) {
      if (seen.has(p.name)) problems.push(`${source}, line ${line}: '${p.name}' is already on line ${seen.get(p.name)}; give each person one line (add an initial to tell two people apart).`);
      else seen.set(p.name, line);
    }
    people.push(p);
  });
  if (people.length > MAX_PEOPLE) return { people: [], problems: [`${source}: more than ${MAX_PEOPLE} people; split the room first.`] };
  if (!people.length && !problems.length) problems.push(`${source}: no people listed below the header line.`);
  return { people: problems.length ? [] : people, problems: problems.slice(0, 50) };
}

// ------------------------------------------------------------------ groups

export function groupSizes(n, size) {
  if (size < 2) throw new Error(`group size must be at least 2, got ${size}`);
  if (n < 2) throw new Error(`a room needs at least 2 people to form groups, got ${n}`);
  const g = Math.ceil(n / size);
  return Array.from({ length: g }, (_, i) => Math.floor(n / g) + (i < n % g ? 1 : 0));
}

/** mulberry32, as widgets._groups._Rng. */
function rng(seed) {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
      t = ((t + (Math.imul(t ^ (t >>> 7), t | 61) >>> 0)) >>> 0) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i -= 1) {
        const j = this.next() % (i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
    },
  };
}

function scorer(people, sizes) {
  const n = people.length;
  const index = new Map();
  const keys = people.map((p) => {
    const ks = [];
    ATTRIBUTES.forEach((attr, a) => {
      const v = p[attr];
      if (!v) return;
      const key = JSON.stringify([a, v]);
      if (!index.has(key)) index.set(key, index.size);
      ks.push(index.get(key));
    });
    return ks;
  });
  const total = new Array(index.size).fill(0);
  for (const ks of keys) for (const k of ks) total[k] += 1;
  const cell = (count, k, g) => {
    const d = n * count - total[k] * sizes[g];
    return d * d;
  };
  return { keys, total, cell };
}

function search(people, sizes, r) {
  const sc = scorer(people, sizes);
  const order = people.map((_, i) => i);
  r.shuffle(order);
  const assign = new Array(people.length).fill(0);
  const slots = sizes.flatMap((s, g) => new Array(s).fill(g));
  order.forEach((person, i) => { assign[person] = slots[i]; });
  const counts = sizes.map(() => new Array(sc.total.length).fill(0));
  assign.forEach((g, i) => { for (const k of sc.keys[i]) counts[g][k] += 1; });
  let cost = 0;
  for (let g = 0; g < sizes.length; g += 1) for (let k = 0; k < sc.total.length; k += 1) cost += sc.cell(counts[g][k], k, g);
  let improved = true;
  while (improved) {
    improved = false;
    const pairs = [];
    for (let i = 0; i < people.length; i += 1) for (let j = i + 1; j < people.length; j += 1) pairs.push([i, j]);
    r.shuffle(pairs);
    for (const [i, j] of pairs) {
      const gi = assign[i];
      const gj = assign[j];
      if (gi === gj) continue;
      // Same order of keys as Python's set union (values only matter, not their order).
      const touched = [...new Set([...sc.keys[i], ...sc.keys[j]])];
      const part = () => touched.reduce((acc, k) => acc + sc.cell(counts[gi][k], k, gi) + sc.cell(counts[gj][k], k, gj), 0);
      const before = part();
      for (const k of sc.keys[i]) { counts[gi][k] -= 1; counts[gj][k] += 1; }
      for (const k of sc.keys[j]) { counts[gj][k] -= 1; counts[gi][k] += 1; }
      const after = part();
      if (after < before) {
        assign[i] = gj;
        assign[j] = gi;
        cost += after - before;
        improved = true;
      } else {
        for (const k of sc.keys[i]) { counts[gi][k] += 1; counts[gj][k] -= 1; }
        for (const k of sc.keys[j]) { counts[gj][k] += 1; counts[gi][k] -= 1; }
      }
    }
  }
  return { assign, cost };
}

function countOf(group, attr) {
  const out = new Map();
  for (const p of group) if (p[attr]) out.set(p[attr], (out.get(p[attr]) || 0) + 1);
  return out;
}

/** Python's repr() of a short text, as the balance messages print it. */
function pyRepr(text) {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  return q + text.replace(/\\/g, "\\\\").replace(new RegExp(q, "g"), `\\${q}`) + q;
}

function cmp(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export function balanceProblems(groups) {
  const people = groups.flat();
  const n = people.length;
  const out = [];
  for (const attr of ATTRIBUTES) {
    const totals = countOf(people, attr);
    for (const value of [...totals.keys()].sort(cmp)) {
      groups.forEach((g, i) => {
        const share = (totals.get(value) * g.length) / n;
        const have = countOf(g, attr).get(value) || 0;
        const lo = Math.floor(share);
        const hi = Math.ceil(share);
        if (!(lo <= have && have <= hi)) {
          out.push(`${attr} ${pyRepr(value)}: group ${i + 1} has ${have}, its fair share is ${lo === hi ? lo : `${lo} or ${hi}`}`);
        }
      });
    }
  }
  return out;
}

/** widgets._groups.form_groups: {groups, imbalance, problems, perfect, seed}. */
export function formGroups(people, size = 5, seed = 0) {
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31)) throw new Error(`seed must be a whole number from 0 to ${2 ** 31 - 1}, got ${seed}`);
  const sizes = groupSizes(people.length, size);
  let best = null;
  for (let start = 0; start < STARTS; start += 1) {
    const found = search(people, sizes, rng((seed * 1000003 + start) % M32));
    if (best === null || found.cost < best.cost) best = found;
    if (found.cost === 0) break;
  }
  const groups = sizes.map((_, g) => people.filter((_, i) => best.assign[i] === g));
  const problems = balanceProblems(groups);
  return { groups, seed, imbalance: best.cost, problems, perfect: problems.length === 0 };
}

export function groupsCsv(result) {
  const rows = [["group", "name", "role", "organisation", "viewpoint"]];
  result.groups.forEach((g, i) => g.forEach((p) => rows.push([i + 1, p.name, p.role, p.organisation, p.viewpoint])));
  return csvText(rows);
}

export function groupsMarkdown(result) {
  const md = escapeMarkdown;
  const out = [];
  result.groups.forEach((g, i) => {
    out.push(`## Group ${i + 1} (${g.length} people)`, "");
    for (const p of g) out.push(`- ${md(p.name)}: ${md(p.role)}, ${md(p.organisation)}${p.viewpoint ? `, ${md(p.viewpoint)}` : ""}`);
    out.push("");
  });
  out.push(result.perfect
    ? "Every group has its fair share of each role, organisation and viewpoint."
    : `The room cannot be balanced perfectly:\n\n${result.problems.map((p) => `- ${md(p)}`).join("\n")}`);
  return `${out.join("\n")}\n`;
}

// ------------------------------------------------------------------ the page

let instances = 0;

export function render({ model, el: root }) {
  instances += 1;
  const uid = `pai-groups-${instances}`;
  const level = headingLevelBelow(root, 3);
  const box = el("div", { class: "pai-groups" });
  root.replaceChildren(box);
  const roster = el("textarea", { id: `${uid}-roster`, rows: "8", spellcheck: "false", class: "pai-groups-roster" });
  roster.value = model.get("roster_text") || "name,role,organisation,viewpoint\n";
  const file = el("input", { type: "file", id: `${uid}-file`, accept: ".csv,text/csv", class: "pai-visually-hidden",
    onchange: async (e) => {
      const f = e.target.files && e.target.files[0];
      e.target.value = "";
      if (!f) return;
      if (f.size > 1000000) { status.textContent = `${f.name}: larger than 1 MB; a roster is one line per person.`; return; }
      roster.value = await f.text();
      keep();
    } });
  const size = el("input", { type: "number", id: `${uid}-size`, min: "2", max: "12", step: "1", value: String(model.get("group_size") || 5) });
  const seed = el("input", { type: "number", id: `${uid}-seed`, min: "0", step: "1", value: String(model.get("group_seed") ?? 0) });
  const status = el("div", { role: "status", "aria-live": "polite", class: "pai-groups-status" });
  const out = el("div", { class: "pai-groups-out" });
  let last = null;

  function keep() {
    model.set("roster_text", roster.value);
    model.set("group_size", Number(size.value));
    model.set("group_seed", Number(seed.value));
    model.save_changes();
  }

  function run() {
    keep();
    out.replaceChildren();
    last = null;
    const { people, problems } = readRoster(roster.value);
    if (problems.length) {
      out.append(el("div", { role: "alert", class: "pai-groups-alert" }, el("ul", {}, problems.map((p) => el("li", { text: p })))));
      status.textContent = "";
      return;
    }
    let result;
    try {
      result = formGroups(people, Number(size.value), Number(seed.value));
    } catch (err) {
      out.append(el("div", { role: "alert", class: "pai-groups-alert", text: err.message }));
      return;
    }
    last = result;
    status.textContent = `${people.length} people in ${result.groups.length} groups` + (result.perfect ? ", each with its fair share of every role, organisation and viewpoint." : ". The room cannot be balanced perfectly; see below.");
    result.groups.forEach((g, i) => {
      out.append(el(headingTag(level), { text: `Group ${i + 1} (${g.length} people)` }),
        el("ul", { class: "pai-group", "data-group": i + 1 }, g.map((p) => el("li", { "data-name": p.name },
          el("strong", { text: p.name }), `: ${p.role}, ${p.organisation}${p.viewpoint ? `, ${p.viewpoint}` : ""}`))));
    });
    if (!result.perfect) out.append(el("ul", { class: "pai-groups-problems" }, result.problems.map((p) => el("li", { text: p }))));
    out.append(el("div", { class: "pai-room-buttons" },
      el("button", { type: "button", class: "pai-button", "data-export": "csv", onclick: () => last && save("groups.csv", groupsCsv(last), "text/csv") }, "Download groups (CSV)"),
      el("button", { type: "button", class: "pai-button", "data-export": "md", onclick: () => last && save("groups.md", groupsMarkdown(last), "text/markdown") }, "Download groups (Markdown)")));
  }

  box.append(
    el("p", {}, el("label", { for: roster.id, text: "Roster (CSV with the columns name, role, organisation and optionally viewpoint)" })),
    roster,
    el("div", { class: "pai-room-buttons" }, file, el("label", { for: file.id, class: "pai-button", text: "Open a roster file (.csv)" })),
    el("p", { class: "pai-groups-fields" },
      el("label", { for: size.id, text: "People per group (at most) " }), size, " ",
      el("label", { for: seed.id, text: " Seed (the same seed gives the same groups) " }), seed),
    el("button", { type: "button", class: "pai-button pai-groups-run", onclick: run, text: "Form groups" }),
    status, out);
}

export default { render };
