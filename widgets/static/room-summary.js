// The room summary in the browser: a line-by-line port of widgets/_room.py (room_summary).
//
// Input: the assessment files a facilitator dropped on the room view, as [{name, data}] (data is
// the parsed JSON). Each file is checked with the self-assessment page's own checks and scored
// with scoring.js, then the room is summarised exactly as Python does: every mean is rounded half
// up from integers, so tests/test_room.py can compare the two outputs number for number.
// `derive(state)` is the static host's stand-in for the kernel (see static-host.js).

import { scorePlan } from "./scoring.js";
import { checkParsedAssessment } from "./assessment/upload.js";
import { csvText, escapeMarkdown, jsonStringifySafe } from "./lib/text.js";

export const SUMMARY_FORMAT = "pai-room-summary";
const WIDE_SPREAD = 2;

/** Compare strings by code point, as Python's sorted() does. */
function cmp(a, b) {
  const x = Array.from(String(a), (ch) => ch.codePointAt(0));
  const y = Array.from(String(b), (ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function sortedUnique(values) {
  return [...new Set(values)].sort(cmp);
}

function meanTenths(values) {
  const n = values.length;
  if (n === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  return Math.floor((2 * sum + n) / (2 * n)) / 10;
}

function meanHundredths(values) {
  const n = values.length;
  if (n === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  return Math.floor((200 * sum + n) / (2 * n)) / 100;
}

function tenths(percent) {
  return percent === null || percent === undefined ? null : Math.round(percent * 10);
}

function stats(percents) {
  const t = percents.filter((p) => p !== null && p !== undefined).map(tenths);
  if (!t.length) return { mean: null, min: null, max: null, spread: null, n: 0 };
  const lo = Math.min(...t);
  const hi = Math.max(...t);
  return { mean: meanTenths(t), min: lo / 10, max: hi / 10, spread: (hi - lo) / 10, n: t.length };
}

function letters(i) {
  let out = "";
  let k = i + 1;
  while (k) {
    const rem = (k - 1) % 26;
    k = Math.floor((k - 1) / 26);
    out = String.fromCharCode(65 + rem) + out;
  }
  return out;
}

function baseName(name) {
  return String(name ?? "").replace(/\\/g, "/").split("/").pop();
}

/**
 * Check and score every file. Returns {ratings, problems}; a file with problems is left out and
 * each problem names the file. The same team, rater and round in two files is a problem too.
 */
export function loadRoom(files, rubric) {
  const ratings = [];
  const problems = [];
  for (const { name, data: given } of files) {
    const file = baseName(name);
    // The page reader's checks, which are Python's load_assessment's (older rubric versions migrated).
    const read = checkParsedAssessment(given, rubric, file);
    if (read.problems) {
      for (const p of read.problems) problems.push(String(p));
      continue;
    }
    const data = read.data;
    const found = [];
    for (const [key, label] of [["team", "Team"], ["product", "Product"], ["model_type", "Model type"], ["lifecycle_stage", "Lifecycle stage"], ["date", "Date"]]) {
      if (!data[key]) found.push(`${key}: ${label} is empty; fill it in on the self-assessment page and download the file again.`);
    }
    if (found.length) {
      for (const p of found) problems.push(`${file}: ${p}`);
      continue;
    }
    ratings.push({
      team: data.team,
      rater: data.rater || data.assessor || file,
      round: data.round ?? 1,
      file,
      product: data.product,
      actions: Array.isArray(data.actions) ? data.actions : [],
      score: scorePlan(data, rubric),
    });
  }
  const seen = new Map();
  for (const r of ratings) {
    const key = JSON.stringify([r.team, r.rater, r.round]);
    if (seen.has(key)) {
      problems.push(
        `${r.file}: rater: one file per team, rater and round, but "${seen.get(key)}" has the same team, rater and round ${r.round}; give each rater's file its own rater (or round).`,
      );
    } else seen.set(key, r.file);
  }
  return { ratings: problems.length ? [] : ratings, problems };
}

function themePercent(score, tid) {
  const t = score.themes.find((x) => x.id === tid);
  return t ? t.percent : null;
}

/** The room summary: the same JSON data as widgets._room.room_summary (see there). */
export function roomSummary(ratings, rubric, { anonymise = false } = {}) {
  const criteria = rubric.criteria.map((c, index) => ({ ...c, index }));
  const themeIds = rubric.themes.map((t) => t.id);
  const flagIds = rubric.red_flags.map((f) => f.id);
  const teamNames = sortedUnique(ratings.map((r) => r.team));
  const teamLabel = new Map(teamNames.map((t, i) => [t, anonymise ? `Team ${letters(i)}` : t]));
  const raterLabel = new Map();
  for (const t of teamNames) {
    sortedUnique(ratings.filter((r) => r.team === t).map((r) => r.rater)).forEach((name, j) => {
      raterLabel.set(JSON.stringify([t, name]), anonymise ? `Rater ${j + 1}` : name);
    });
  }
  const rl = (r) => raterLabel.get(JSON.stringify([r.team, r.rater]));

  const teams = [];
  const changes = [];
  const disagreementRows = new Map(criteria.map((c) => [c.id, []]));
  const levelPool = new Map(criteria.map((c) => [c.id, []]));
  const flagTeams = new Map();
  const flagRatings = new Map();
  const widest = [];
  for (const t of teamNames) {
    const mine = ratings.filter((r) => r.team === t);
    const rounds = [...new Set(mine.map((r) => r.round))].sort((a, b) => a - b);
    const last = rounds[rounds.length - 1];
    const latest = mine.filter((r) => r.round === last).sort((a, b) => cmp(rl(a), rl(b)));
    const label = teamLabel.get(t);
    const team = { team: label };
    if (!anonymise) team.products = sortedUnique(mine.map((r) => r.product));
    team.rounds = rounds;
    team.latest_round = last;
    team.raters = latest.length;
    team.overall = stats(latest.map((r) => r.score.overall.percent));
    team.themes = Object.fromEntries(themeIds.map((tid) => [tid, stats(latest.map((r) => themePercent(r.score, tid)))]));
    const bands = {};
    for (const r of latest) {
      const key = r.score.band.id ?? "none";
      bands[key] = (bands[key] || 0) + 1;
    }
    team.bands = Object.fromEntries(Object.keys(bands).sort(cmp).map((k) => [k, bands[k]]));
    const raised = new Map();
    for (const r of latest) for (const f of r.score.red_flags) raised.set(f.id, (raised.get(f.id) || 0) + 1);
    team.red_flags = flagIds.filter((f) => raised.has(f)).map((f) => ({ id: f, raters: raised.get(f) }));
    for (const [f, n] of raised) {
      if (!flagTeams.has(f)) flagTeams.set(f, []);
      flagTeams.get(f).push(label);
      flagRatings.set(f, (flagRatings.get(f) || 0) + n);
    }
    team.ratings = [...mine]
      .sort((a, b) => a.round - b.round || cmp(rl(a), rl(b)))
      .map((r) => {
        const entry = { rater: rl(r), round: r.round, overall: r.score.overall.percent, band: r.score.band.id, red_flags: r.score.red_flags.map((f) => f.id) };
        if (!anonymise) entry.file = r.file;
        return entry;
      });
    const byRater = latest.map((r) => [rl(r), new Map(r.score.contributions.map((c) => [c.criterion, c]))]);
    for (const c of criteria) {
      const levels = [];
      for (const [name, contrib] of byRater) {
        const row = contrib.get(c.id);
        if (!row) continue;
        levels.push({ rater: name, level: row.status === "answered" ? row.level : row.status === "not-applicable" ? "n/a" : null });
      }
      const ints = levels.map((x) => x.level).filter((lv) => Number.isInteger(lv));
      levelPool.get(c.id).push(...ints);
      if (ints.length >= 2) {
        const spread = Math.max(...ints) - Math.min(...ints);
        disagreementRows.get(c.id).push({ team: label, spread, levels });
        if (spread >= 1) widest.push({ team: label, criterion: c.id, theme: c.theme, spread, levels, _index: c.index });
      }
    }
    if (rounds.length >= 2) {
      const first = mine.filter((r) => r.round === rounds[0]);
      const delta = (get) => {
        const a = stats(first.map(get)).mean;
        const b = stats(latest.map(get)).mean;
        return { from: a, to: b, change: a === null || b === null ? null : (tenths(b) - tenths(a)) / 10 };
      };
      changes.push({
        team: label,
        from_round: rounds[0],
        to_round: last,
        overall: delta((r) => r.score.overall.percent),
        themes: Object.fromEntries(themeIds.map((tid) => [tid, delta((r) => themePercent(r.score, tid))])),
      });
    }
    teams.push(team);
  }

  const disagreement = [];
  for (const c of criteria) {
    const rows = disagreementRows.get(c.id);
    if (!rows.length) continue;
    const spreads = rows.map((row) => row.spread);
    disagreement.push({
      criterion: c.id,
      theme: c.theme,
      max_spread: Math.max(...spreads),
      teams_wide: spreads.filter((s) => s >= WIDE_SPREAD).length,
      mean_spread: meanHundredths(spreads),
      teams: rows.length,
      by_team: [...rows].sort((a, b) => b.spread - a.spread || cmp(a.team, b.team)),
      _index: c.index,
    });
  }
  disagreement.sort((a, b) => b.max_spread - a.max_spread || b.teams_wide - a.teams_wide || b.mean_spread - a.mean_spread || a._index - b._index);
  widest.sort((a, b) => b.spread - a.spread || cmp(a.team, b.team) || a._index - b._index);
  const weakest = [];
  for (const c of criteria) {
    const pool = levelPool.get(c.id);
    if (pool.length) {
      weakest.push({ criterion: c.id, theme: c.theme, mean_level: meanHundredths(pool), ratings: pool.length, at_or_below_1: pool.filter((x) => x <= 1).length, _index: c.index });
    }
  }
  weakest.sort((a, b) => a.mean_level - b.mean_level || a._index - b._index);
  for (const row of [...disagreement, ...widest, ...weakest]) delete row._index;
  const actions = [];
  for (const r of ratings) {
    for (const act of r.actions) {
      if (!(act.owner || act.due)) continue;
      const entry = { team: teamLabel.get(r.team), rater: rl(r), round: r.round, criterion: act.criterion, due: act.due || null };
      // An owner is a person's name: with labels, say only whether one was named.
      entry.owner = anonymise ? (act.owner ? "named" : null) : act.owner || null;
      actions.push(entry);
    }
  }
  actions.sort((a, b) => cmp(a.team, b.team) || a.round - b.round || cmp(a.rater, b.rater) || cmp(a.due || "9999", b.due || "9999") || cmp(a.criterion, b.criterion));
  const flagsById = Object.fromEntries(rubric.red_flags.map((f) => [f.id, f]));
  const themesById = Object.fromEntries(rubric.themes.map((t) => [t.id, t]));
  return {
    format: SUMMARY_FORMAT,
    format_version: 1,
    rubric: { id: rubric.id, version: rubric.version },
    anonymised: Boolean(anonymise),
    counts: { files: ratings.length, teams: teams.length, ratings_latest: teams.reduce((a, t) => a + t.raters, 0), teams_with_rounds: changes.length },
    themes: themeIds.map((id) => ({ id, title: themesById[id].title })),
    teams,
    disagreement,
    widest,
    red_flags: flagIds.filter((f) => flagTeams.has(f)).map((f) => ({ id: f, title: flagsById[f].title, teams: flagTeams.get(f), ratings: flagRatings.get(f) })),
    weakest,
    changes,
    actions,
  };
}

/** Static host: recompute the summary whenever the loaded files or the anonymise switch change. */
export function derive(state) {
  const rubric = state.rubric;
  const files = state.room_files || [];
  if (!rubric || !files.length) return { summary: null, room_problems: [], room_exports: {} };
  const { ratings, problems } = loadRoom(files, rubric);
  if (problems.length) return { summary: null, room_problems: problems, room_exports: {} };
  const summary = roomSummary(ratings, rubric, { anonymise: state.anonymise !== false });
  return { summary, room_problems: [], room_exports: { md: roomMarkdown(summary, rubric), csv: roomCsv(summary), json: roomJson(summary) } };
}

// ------------------------------------------------------------------ exports (same text as widgets/_room.py)

/** widgets._room.room_csv. */
export function roomCsv(summary) {
  const rows = [["section", "team", "round", "item", "mean", "min", "max", "spread", "n", "rater", "owner", "due"]];
  const row = (...cells) => rows.push([...cells, ...new Array(rows[0].length - cells.length).fill(null)]);
  for (const t of summary.teams) {
    for (const [item, s] of [["overall", t.overall], ...Object.entries(t.themes)]) {
      row("team-theme", t.team, t.latest_round, item, s.mean, s.min, s.max, s.spread, s.n);
    }
  }
  for (const d of summary.disagreement) {
    for (const b of d.by_team) {
      const ints = b.levels.map((x) => x.level).filter((lv) => Number.isInteger(lv));
      row("disagreement", b.team, null, d.criterion, null, Math.min(...ints), Math.max(...ints), b.spread, ints.length);
    }
  }
  for (const fl of summary.red_flags) for (const team of fl.teams) row("red-flag", team, null, fl.id, null, null, null, null, null);
  for (const w of summary.weakest) row("weakest", null, null, w.criterion, w.mean_level, null, null, null, w.ratings);
  for (const ch of summary.changes) {
    for (const [item, d] of [["overall", ch.overall], ...Object.entries(ch.themes)]) {
      row("change", ch.team, `${ch.from_round} to ${ch.to_round}`, item, d.change, d.from, d.to, null, null);
    }
  }
  for (const x of summary.actions) row("action", x.team, x.round, x.criterion, null, null, null, null, null, x.rater, x.owner, x.due);
  return csvText(rows);
}

const pct = (v) => (v === null || v === undefined ? "n/a" : `${v.toFixed(1)} %`);
const signed = (v) => (v === null || v === undefined ? "n/a" : `${v > 0 || Object.is(v, 0) ? "+" : ""}${v.toFixed(1)}`);
const cell = (s) => (s.mean === null ? "n/a" : s.n > 1 ? `${s.mean.toFixed(1)} % (${s.spread.toFixed(1)})` : `${s.mean.toFixed(1)} %`);
const change = (d) => (d.change === null ? "n/a" : `${pct(d.from)} to ${pct(d.to)} (${signed(d.change)})`);
const level = (lv) => (lv === null || lv === undefined ? "unanswered" : String(lv));

/** widgets._room.room_markdown: the summary as Markdown for the debrief (user text escaped). */
export function roomMarkdown(summary, rubric, top = 10) {
  const md = escapeMarkdown;
  const question = Object.fromEntries(rubric.criteria.map((c) => [c.id, c.question]));
  const themeTitle = Object.fromEntries(rubric.themes.map((t) => [t.id, t.title]));
  const c = summary.counts;
  const themes = summary.themes;
  const out = ["# Room summary", "",
    `${c.files} assessment files, ${c.teams} teams, ${c.ratings_latest} ratings in the latest rounds` + (summary.anonymised ? " (names replaced by labels)." : "."), "",
    "Scores are evidence for a conversation, never a ranking of teams.", "",
    "## Teams and themes (mean of the raters, latest round; spread in brackets)", ""];
  let head = ["Team", "Raters", "Overall", ...themes.map((t) => md(t.title))];
  out.push(`| ${head.join(" | ")} |`, `|${"---|".repeat(head.length)}`);
  for (const t of summary.teams) {
    out.push(`| ${[md(t.team), String(t.raters), cell(t.overall), ...themes.map((th) => cell(t.themes[th.id]))].join(" | ")} |`);
  }
  out.push("", "## Where raters differ most (start the debrief here)", "");
  if (summary.disagreement.length) {
    out.push("| Criterion | Theme | Widest spread | Teams with a spread of 2 or more | Mean spread |", "|---|---|---|---|---|");
    for (const d of summary.disagreement.slice(0, top)) {
      out.push(`| ${md(question[d.criterion])} (${d.criterion}) | ${md(themeTitle[d.theme])} | ${d.max_spread} | ${d.teams_wide} of ${d.teams} | ${d.mean_spread.toFixed(2)} |`);
    }
    out.push("", "Widest disagreements within one team:", "");
    for (const w of summary.widest.slice(0, top)) {
      const levels = w.levels.map((x) => `${md(x.rater)}: ${level(x.level)}`).join(", ");
      out.push(`- ${md(w.team)}, ${w.criterion}: spread ${w.spread} (${levels})`);
    }
  } else {
    out.push("No team has two or more raters who answered the same question.");
  }
  out.push("", "## Red flags across the room", "");
  if (summary.red_flags.length) {
    for (const f of summary.red_flags) {
      out.push(`- ${md(f.title)} (${f.id}): ${f.teams.length} teams (${f.teams.map(md).join(", ")}), raised by ${f.ratings} ratings`);
    }
  } else {
    out.push("No rater raised a red flag.");
  }
  out.push("", "## Where the room is weakest (mean level, 0 to 3)", "");
  for (const w of summary.weakest.slice(0, top)) {
    out.push(`- ${md(question[w.criterion])} (${w.criterion}): ${w.mean_level.toFixed(2)} over ${w.ratings} ratings, ${w.at_or_below_1} at level 0 or 1`);
  }
  out.push("", "## Change between rounds", "");
  if (summary.changes.length) {
    head = ["Team", "Rounds", "Overall", ...themes.map((t) => md(t.title))];
    out.push(`| ${head.join(" | ")} |`, `|${"---|".repeat(head.length)}`);
    for (const ch of summary.changes) {
      out.push(`| ${[md(ch.team), `${ch.from_round} to ${ch.to_round}`, change(ch.overall), ...themes.map((th) => change(ch.themes[th.id]))].join(" | ")} |`);
    }
  } else {
    out.push("No team has more than one round.");
  }
  out.push("", "## Actions that leave the room (owner and date)", "");
  if (summary.actions.length) {
    out.push("| Team | Rater | Round | Criterion | Owner | By |", "|---|---|---|---|---|---|");
    for (const x of summary.actions) {
      out.push(`| ${md(x.team)} | ${md(x.rater)} | ${x.round} | ${x.criterion} | ${md(x.owner || "not named")} | ${x.due || "no date"} |`);
    }
  } else {
    out.push("No next step has an owner or a date yet.");
  }
  return out.join("\n") + "\n";
}

/** The summary as JSON text (the same data as widgets._room.room_report(summary, "json")). */
export function roomJson(summary) {
  return jsonStringifySafe(summary, 2) + "\n";
}
