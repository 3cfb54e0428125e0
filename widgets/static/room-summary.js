// The room summary in the browser: a line-by-line port of widgets/_room.py (room_summary).
//
// Input: the assessment files a facilitator dropped on the room view, as [{name, data}] (data is
// the parsed JSON). Each file is checked with the self-assessment page's own checks and scored
// with scoring.js, then the room is summarised exactly as Python does: every mean is rounded half
// up from integers, so tests/test_room.py can compare the two outputs number for number.
// `derive(state)` is the static host's stand-in for the kernel (see static-host.js).

import { scorePlan } from "./scoring.js";
import { checkAssessment } from "./assessment.js";

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
  for (const { name, data } of files) {
    const file = baseName(name);
    const found = checkAssessment(data, rubric);
    if (data && typeof data === "object") {
      if (data.rater !== undefined && !(typeof data.rater === "string" && data.rater.length >= 1 && data.rater.length <= 200)) {
        found.push("rater: expected text of 1 to 200 characters.");
      }
      if (data.round !== undefined && !(Number.isInteger(data.round) && data.round >= 1 && data.round <= 99)) {
        found.push("round: expected a whole number from 1 to 99.");
      }
    }
    if (!found.length) {
      for (const [key, label] of [["team", "Team"], ["product", "Product"], ["model_type", "Model type"], ["lifecycle_stage", "Lifecycle stage"], ["date", "Date"]]) {
        if (!data[key]) found.push(`${key}: ${label} is empty; fill it in on the self-assessment page and download the file again.`);
      }
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

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** widgets._reports._csv_safe: control characters removed, spreadsheet formulas neutralised. */
function csvSafe(value) {
  if (typeof value !== "string") return value ?? "";
  const text = value.replace(CONTROL, "");
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV field as Python's csv.writer (QUOTE_MINIMAL) writes it. */
function csvField(value) {
  const text = String(value ?? "");
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const f = (value, places = 1) => (value === null || value === undefined ? "" : value.toFixed(places));

/** widgets._room.room_csv. */
export function roomCsv(summary) {
  const lines = [["section", "team", "round", "item", "mean", "min", "max", "spread", "n"]];
  const row = (section, team, rnd, item, ...numbers) => lines.push([section, csvSafe(team), rnd, item, ...numbers]);
  for (const t of summary.teams) {
    for (const [item, s] of [["overall", t.overall], ...Object.entries(t.themes)]) {
      row("team-theme", t.team, t.latest_round, item, f(s.mean), f(s.min), f(s.max), f(s.spread), s.n);
    }
  }
  for (const d of summary.disagreement) {
    for (const b of d.by_team) {
      const ints = b.levels.map((x) => x.level).filter((lv) => Number.isInteger(lv));
      row("disagreement", b.team, "", d.criterion, "", Math.min(...ints), Math.max(...ints), b.spread, ints.length);
    }
  }
  for (const fl of summary.red_flags) for (const team of fl.teams) row("red-flag", team, "", fl.id, "", "", "", "", "");
  for (const w of summary.weakest) row("weakest", "", "", w.criterion, f(w.mean_level, 2), "", "", "", w.ratings);
  for (const ch of summary.changes) {
    for (const [item, d] of [["overall", ch.overall], ...Object.entries(ch.themes)]) {
      row("change", ch.team, `${ch.from_round}-${ch.to_round}`, item, f(d.change), f(d.from), f(d.to), "", "");
    }
  }
  return lines.map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

/** The summary as JSON text (the same data as widgets._room.room_report(summary, "json")). */
export function roomJson(summary) {
  return JSON.stringify(summary, null, 2) + "\n";
}
