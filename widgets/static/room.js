// The room view: a workshop's saved assessments side by side, for the facilitator's debrief.
//
// One ES module for the static site and the notebook (anywidget contract, `render({ model, el })`).
// It reads files dropped on it (or picked, files or a whole folder), puts their parsed JSON in the
// model key `room_files` ([{name, data}]) and the anonymise switch in `anonymise`, and calls
// `save_changes()`. The host computes the rest: `summary` (widgets._room.room_summary's format),
// `room_problems` (messages naming each bad file) and `room_exports` ({md, csv, json}), with
// room-summary.js on the site and widgets._room in a notebook. `rubric` gives criterion questions.
// Files never leave the browser tab (the site) or the kernel (a notebook); nothing is stored.
// In a notebook, anywidget loads it bundled with lib/dom.js into one file (make bundles).
// Every piece of user text is put in the page with textContent, never parsed as HTML.

import { download, h, headingLevelBelow, headingTag, plural } from "./lib/dom.js";

let instances = 0;

const pct = (v) => (v === null || v === undefined ? "n/a" : `${v.toFixed(1)} %`);
const signed = (v) => (v === null || v === undefined ? "n/a" : `${v > 0 ? "+" : ""}${v.toFixed(1)}`);
const levelText = (lv) => (lv === null || lv === undefined ? "unanswered" : String(lv));
//: Heatmap shades: five bands of the mean percentage; the number is always printed too.
const shade = (v) => (v === null || v === undefined ? "none" : String(Math.min(4, Math.floor(v / 20))));

const MAX_FILES = 500;
const MAX_BYTES = 2_000_000;

async function filesFromDrop(dataTransfer) {
  // A dropped folder arrives as a directory entry: walk it (webkitGetAsEntry is in every current browser).
  const items = [...(dataTransfer.items || [])];
  const entries = items.map((it) => (it.webkitGetAsEntry ? it.webkitGetAsEntry() : null));
  if (!entries.some((e) => e && e.isDirectory)) return [...(dataTransfer.files || [])];
  const out = [];
  async function walk(entry) {
    if (!entry) return;
    if (entry.isFile) {
      out.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child);
      }
    }
  }
  for (const entry of entries) await walk(entry);
  return out;
}

function render({ model, el }) {
  instances += 1;
  const uid = `pai-room-${instances}`;
  const level = headingLevelBelow(el, 3);
  const root = h("div", { class: "pai-room" });
  el.replaceChildren(root);

  const status = h("div", { class: "pai-room-status", role: "status", "aria-live": "polite" });
  const problemsBox = h("div", { class: "pai-room-problems" });
  const results = h("div", { class: "pai-room-results" });

  async function addFiles(fileList) {
    const files = [...fileList].filter((f) => /\.json$/i.test(f.name));
    const skipped = [...fileList].length - files.length;
    const current = [...(model.get("room_files") || [])];
    const notes = [];
    if (skipped) notes.push(`${plural(skipped, "file")} skipped: the room view reads the .json files the self-assessment page downloads.`);
    for (const file of files) {
      if (current.length >= MAX_FILES) {
        notes.push(`Stopped at ${MAX_FILES} files.`);
        break;
      }
      if (file.size > MAX_BYTES) {
        notes.push(`${file.name}: larger than 2 MB, so it is not an assessment file; skipped.`);
        continue;
      }
      let data;
      try {
        data = JSON.parse(await file.text());
      } catch (err) {
        notes.push(`${file.name}: not valid JSON (${err.message}); skipped. Save it again from the self-assessment page.`);
        continue;
      }
      const existing = current.findIndex((f) => f.name === file.name);
      if (existing >= 0) current.splice(existing, 1);
      current.push({ name: file.name, data });
    }
    model.set("room_files", current);
    model.set("room_notes", notes);
    model.save_changes();
  }

  const pick = h("input", {
    type: "file", id: `${uid}-files`, multiple: true, accept: ".json,application/json", class: "pai-visually-hidden",
    onchange: async (event) => { const f = event.target.files; if (f) await addFiles(f); event.target.value = ""; },
  });
  const pickFolder = h("input", {
    type: "file", id: `${uid}-folder`, multiple: true, webkitdirectory: true, class: "pai-visually-hidden",
    onchange: async (event) => { const f = event.target.files; if (f) await addFiles(f); event.target.value = ""; },
  });
  const anonymise = h("input", {
    type: "checkbox", id: `${uid}-anon`, class: "pai-room-anonymise",
    onchange: (event) => { model.set("anonymise", event.target.checked); model.save_changes(); },
  });
  anonymise.checked = model.get("anonymise") !== false;
  const drop = h(
    "div",
    { class: "pai-room-drop" },
    h("p", {}, "Drag the room's assessment files (or a folder of them) here, or choose them:"),
    h("div", { class: "pai-room-buttons" },
      pick, h("label", { for: `${uid}-files`, class: "pai-button" }, "Choose files"),
      pickFolder, h("label", { for: `${uid}-folder`, class: "pai-button" }, "Choose a folder"),
      h("button", { type: "button", class: "pai-button pai-room-clear", onclick: () => {
        model.set("room_files", []); model.set("room_notes", []); model.save_changes();
      } }, "Forget all files")),
    h("p", { class: "pai-room-privacy" },
      "The files stay in this browser tab: nothing is uploaded or stored, and closing the tab forgets them."),
  );
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("pai-room-over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("pai-room-over"));
  drop.addEventListener("drop", async (event) => {
    event.preventDefault();
    drop.classList.remove("pai-room-over");
    await addFiles(await filesFromDrop(event.dataTransfer));
  });
  root.append(
    drop,
    h("p", { class: "pai-room-switch" }, anonymise,
      h("label", { for: `${uid}-anon` }, "Replace team and rater names by labels (Team A, Rater 1) before showing the room")),
    status, problemsBox, results,
  );

  function questionOf(cid) {
    const c = (model.get("rubric")?.criteria || []).find((x) => x.id === cid);
    return c ? c.question : cid;
  }

  // A table scrolls sideways in its own box when it is wider than the column (a phone). Its caption
  // sits above the box, so it wraps to the width one sees instead of running off with the table,
  // and a cue under it says the box scrolls, shown only while it does.
  let tables = 0;
  const watcher = typeof ResizeObserver === "function" ? new ResizeObserver((entries) => entries.forEach((e) => showCue(e.target))) : null;
  function showCue(box) {
    const cue = box.previousElementSibling;
    if (cue && cue.classList.contains("pai-room-cue")) cue.hidden = !(box.scrollWidth > box.clientWidth + 1);
  }
  function table(caption, head, rows, cls) {
    tables += 1;
    const id = `${uid}-table-${tables}`;
    const box = h("div", { class: "pai-room-scroll", tabindex: "0", role: "region", "aria-labelledby": id },
      h("table", { class: `pai-room-table ${cls || ""}`, "aria-labelledby": id },
        h("thead", {}, h("tr", {}, head.map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, rows)));
    if (watcher) watcher.observe(box);
    return h("div", { class: "pai-room-table-block" },
      h("p", { class: "pai-room-caption", id }, caption),
      h("p", { class: "pai-room-cue", hidden: true }, "Scroll sideways to see the whole table."),
      box);
  }

  function draw() {
    const files = model.get("room_files") || [];
    const notes = model.get("room_notes") || [];
    const problems = model.get("room_problems") || [];
    const summary = model.get("summary");
    anonymise.checked = model.get("anonymise") !== false;
    problemsBox.replaceChildren();
    watcher?.disconnect();
    tables = 0;
    if (notes.length || problems.length) {
      problemsBox.append(h("div", { class: "pai-room-alert", role: "alert" },
        problems.length ? h("p", {}, "The room cannot be shown until these files are fixed or removed (Forget all files, then load the others):") : null,
        h("ul", {}, [...problems, ...notes].slice(0, 40).map((p) => h("li", {}, p)))));
    }
    results.replaceChildren();
    if (!summary) {
      status.textContent = files.length ? "" : "No files loaded yet.";
      return;
    }
    const c = summary.counts;
    status.textContent = `${plural(c.files, "file")} loaded: ${plural(c.teams, "team")}, ${plural(c.ratings_latest, "rating")} in the latest rounds` +
      (summary.anonymised ? ", names replaced by labels." : ".");
    const themes = summary.themes;

    // 1. Teams x themes.
    results.append(h(headingTag(level), {}, "Teams and themes"),
      h("p", {}, "Mean of the raters' scores in each team's latest round, with the spread between its raters (highest minus lowest). Compare answers, not teams: this is not a ranking."),
      table("Teams by theme: mean score (%) and spread between raters (points)",
        ["Team", "Raters", "Overall", ...themes.map((t) => t.title)],
        summary.teams.map((t) => h("tr", { "data-team": t.team },
          h("th", { scope: "row" }, t.team),
          h("td", {}, String(t.raters)),
          ...[["overall", t.overall], ...themes.map((th) => [th.id, t.themes[th.id]])].map(([id, s]) =>
            h("td", { class: "pai-room-cell", "data-theme": id, "data-mean": s.mean ?? "", "data-spread": s.spread ?? "", "data-shade": shade(s.mean) },
              pct(s.mean), s.n > 1 ? h("span", { class: "pai-room-spread" }, ` (spread ${s.spread.toFixed(1)})`) : null)))),
        "pai-room-heatmap"));

    // 2. Disagreement.
    const dis = summary.disagreement.slice(0, 10);
    results.append(h(headingTag(level), {}, "Where raters differ most"),
      h("p", {}, "Start the debrief here: the questions where members of the same team chose levels furthest apart. Ask each rater what evidence they had in mind."));
    if (dis.length) {
      results.append(table("Criteria with the widest disagreement between raters of one team",
        ["Question", "Widest spread (levels)", "Teams with a spread of 2 or more", "Mean spread"],
        dis.map((d) => h("tr", { "data-criterion": d.criterion, class: "pai-room-disagreement" },
          h("th", { scope: "row" }, questionOf(d.criterion), h("span", { class: "pai-room-id" }, ` (${d.criterion})`)),
          h("td", { "data-max-spread": d.max_spread }, String(d.max_spread)),
          h("td", {}, `${d.teams_wide} of ${d.teams}`),
          h("td", {}, d.mean_spread.toFixed(2))))));
      results.append(h(headingTag(level + 1), {}, "Widest disagreements within one team"),
        h("ul", { class: "pai-room-widest" }, summary.widest.slice(0, 10).map((w) =>
          h("li", { "data-team": w.team, "data-criterion": w.criterion },
            h("strong", {}, `${w.team}: `), `${questionOf(w.criterion)} Spread ${w.spread} (`,
            w.levels.map((x) => `${x.rater}: ${levelText(x.level)}`).join(", "), ")"))));
    } else {
      results.append(h("p", {}, "No team has two raters who answered the same question yet."));
    }

    // 3. Red flags.
    results.append(h(headingTag(level), {}, "Red flags across the room"));
    results.append(summary.red_flags.length
      ? h("ul", { class: "pai-room-flags" }, summary.red_flags.map((f) => h("li", { "data-flag": f.id },
        h("strong", {}, f.title), `: ${plural(f.teams.length, "team")} (${f.teams.join(", ")}), raised in ${plural(f.ratings, "rating")}.`)))
      : h("p", {}, "No rater raised a red flag."));

    // 4. Weakest criteria.
    results.append(h(headingTag(level), {}, "Where the room is weakest"),
      table("Questions with the lowest mean level across the room (0 to 3)",
        ["Question", "Mean level", "Ratings", "At level 0 or 1"],
        summary.weakest.slice(0, 10).map((w) => h("tr", { "data-criterion": w.criterion, class: "pai-room-weak" },
          h("th", { scope: "row" }, questionOf(w.criterion)),
          h("td", { "data-mean-level": w.mean_level }, w.mean_level.toFixed(2)),
          h("td", {}, String(w.ratings)), h("td", {}, String(w.at_or_below_1))))));

    // 5. Change between rounds.
    results.append(h(headingTag(level), {}, "Change between rounds"));
    results.append(summary.changes.length
      ? table("Change from each team's first to its last round (mean score, points)",
        ["Team", "Rounds", "Overall", ...themes.map((t) => t.title)],
        summary.changes.map((ch) => h("tr", { "data-team": ch.team, class: "pai-room-change" },
          h("th", { scope: "row" }, ch.team),
          h("td", {}, `${ch.from_round} to ${ch.to_round}`),
          ...[["overall", ch.overall], ...themes.map((th) => [th.id, ch.themes[th.id]])].map(([id, d]) =>
            h("td", { "data-theme": id, "data-change": d.change ?? "" }, d.change === null ? "n/a" : `${pct(d.from)} → ${pct(d.to)} (${signed(d.change)})`)))))
      : h("p", {}, "No team has more than one round yet."));

    // 6. Actions with an owner and a date.
    results.append(h(headingTag(level), {}, "Actions that leave the room"));
    results.append((summary.actions || []).length
      ? table("Next steps the raters gave an owner and a date", ["Team", "Rater", "Round", "Question", "Owner", "By"],
        summary.actions.map((x) => h("tr", { class: "pai-room-action", "data-team": x.team, "data-criterion": x.criterion },
          h("th", { scope: "row" }, x.team), h("td", {}, x.rater), h("td", {}, String(x.round)),
          h("td", {}, questionOf(x.criterion)), h("td", {}, x.owner || "not named"), h("td", {}, x.due || "no date"))))
      : h("p", {}, "No next step has an owner or a date yet. Teams add them under Next steps on the self-assessment page."));

    // 7. Exports.
    const exportsNow = model.get("room_exports") || {};
    results.append(h(headingTag(level), {}, "Take the summary to the debrief"),
      h("div", { class: "pai-room-buttons" },
        [["md", "Markdown", "text/markdown"], ["csv", "CSV (spreadsheet)", "text/csv"], ["json", "JSON", "application/json"]].map(([fmt, label, type]) =>
          h("button", { type: "button", class: "pai-button", "data-export": fmt, disabled: !exportsNow[fmt],
            onclick: () => download(`room-summary.${fmt}`, (model.get("room_exports") || {})[fmt] || "", type) }, `Download ${label}`))));
  }

  for (const key of ["summary", "room_problems", "room_notes", "room_files", "anonymise", "room_exports"]) {
    model.on(`change:${key}`, draw);
  }
  draw();
  return () => {
    for (const key of ["summary", "room_problems", "room_notes", "room_files", "anonymise", "room_exports"]) model.off(`change:${key}`, draw);
  };
}

export default { render };
