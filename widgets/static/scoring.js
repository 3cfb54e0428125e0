// Scores an engagement-plan assessment in the browser: a line-by-line port of widgets/_scoring.py.
//
// The algorithm is specified in widgets/rubric/SCORING.md; `scorePlan(assessment, rubric)` returns
// exactly what Python's `score_plan(assessment).to_dict()` returns (tests/test_parity.py runs both on
// every example and fixture plan). All sums are integers; the only division is the documented
// half-up rounding to one decimal. The rubric (exported from the YAML at build time) supplies every
// id, weight, threshold and text: nothing of the rubric is written here.

export const NOT_APPLICABLE = "n/a";
const GATE_LEVEL = 2;
const MAX_LEVEL = 3;
const ACTION_KINDS = ["red-flag", "unanswered-guardrail", "next-level-gate", "improve", "unanswered"];

/** 100 * n / d rounded half up to one decimal, from integers (SCORING.md, "Rounding"); null if d is 0. */
export function roundPercent(numerator, denominator) {
  if (denominator === 0) return null;
  // Exact for the integer sizes a rubric produces: the true quotient is never within float error of an integer.
  return Math.floor((2000 * numerator + denominator) / (2 * denominator)) / 10;
}

const compiledCache = new WeakMap();

/** Precompute plain arrays from the rubric data, once per rubric object. */
export function compileRubric(rubric) {
  let compiled = compiledCache.get(rubric);
  if (compiled) return compiled;
  const byIndex = (a, b) => a.index - b.index;
  const iap2Order = [...rubric.iap2_levels].sort(byIndex).map((lv) => lv.id);
  const bandOrder = [...rubric.bands].sort(byIndex).map((b) => b.id);
  const bandsById = Object.fromEntries(rubric.bands.map((b) => [b.id, b]));
  const weights = Object.fromEntries(Object.entries(rubric.weights).map(([k, v]) => [k, v.points]));
  const flags = new Map(rubric.red_flags.map((f) => [f.id, f]));
  const flagOrder = new Map(rubric.red_flags.map((f, i) => [f.id, i]));
  const flagCaps = new Map(rubric.red_flags.map((f) => [f.id, bandOrder.indexOf(f.cap)]));
  const rows = rubric.criteria.map((c, index) => ({
    id: c.id,
    theme: c.theme,
    points: weights[c.weight],
    gate: c.gate ? iap2Order.indexOf(c.gate) : 0,
    gateId: c.gate ?? null,
    flag: c.flag ? c.flag.id : null,
    flagMax: c.flag ? c.flag.at_or_below : -1,
    stages: c.stages,
    index,
    short: Boolean(c.short),
    action: c.next_step.action,
    who: c.next_step.who,
    explainedIn: c.explained_in,
  }));
  compiled = {
    iap2Order,
    bandOrder,
    thresholds: bandOrder.map((id) => bandsById[id].min_percent),
    flags,
    flagOrder,
    flagCaps,
    themeOrder: rubric.themes.map((t) => t.id),
    scopes: { full: rows, short: rows.filter((r) => r.short) },
    byId: new Map(rows.map((r) => [r.id, r])),
  };
  compiledCache.set(rubric, compiled);
  return compiled;
}

function tallyDict([earned, answeredMax, unansweredMax, answered, notApplicable, unanswered]) {
  const applicableMax = answeredMax + unansweredMax;
  return {
    earned,
    answered_max: answeredMax,
    unanswered_max: unansweredMax,
    applicable_max: applicableMax,
    percent: roundPercent(earned, answeredMax),
    low_percent: roundPercent(earned, applicableMax),
    high_percent: roundPercent(earned + unansweredMax, applicableMax),
    answered,
    not_applicable: notApplicable,
    unanswered,
  };
}

// Lowest of the IAP2 limit, the score limit and the red-flag caps (SCORING.md step 6).
function bandIndex(iap2, earned, answeredMax, thresholds, caps, nBands) {
  let byScore = 0;
  thresholds.forEach((minimum, i) => {
    if (100 * earned >= minimum * answeredMax) byScore = i;
  });
  const cap = caps.length ? Math.min(...caps) : nBands - 1;
  return [Math.min(iap2, byScore, cap), byScore, cap];
}

// Highest IAP2 index whose gates, and all lower gates, are met (SCORING.md step 5).
function iap2Reached(gateLevels) {
  let reached = 0;
  for (let idx = 1; idx < gateLevels.length; idx += 1) {
    const levels = gateLevels[idx];
    if (!levels.length || levels.some((lv) => lv === null || lv < GATE_LEVEL)) break;
    reached = idx;
  }
  return reached;
}

export function levelOf(answer) {
  // As in Python: an answer is either an object with `level` or the bare level.
  if (answer !== null && typeof answer === "object" && !Array.isArray(answer)) return answer.level ?? null;
  return answer ?? null;
}

/**
 * Score an assessment (the JSON file format: `answers`, `scope`, plan fields) against the rubric.
 * Returns the JSON form of Python's `Score.to_dict()`, key for key.
 */
export function scorePlan(assessment, rubric) {
  const c = compileRubric(rubric);
  const answers = (assessment && assessment.answers) || {};
  const levels = new Map(Object.entries(answers).map(([cid, a]) => [cid, levelOf(a)]));
  const scope = (assessment && assessment.scope) ?? "full";
  const plan = {};
  for (const k of ["team", "product", "model_type", "lifecycle_stage", "date"]) plan[k] = assessment?.[k] ?? null;
  const stage = plan.lifecycle_stage;
  const rows = scope === "short" ? c.scopes.short : c.scopes.full;
  const nIap2 = c.iap2Order.length;

  // Step 2: one contribution per criterion in scope.
  const themeSums = new Map(c.themeOrder.map((t) => [t, [0, 0, 0, 0, 0, 0]]));
  const contributions = [];
  const gatePoint = Array.from({ length: nIap2 }, () => []);
  const gateHigh = Array.from({ length: nIap2 }, () => []);
  const raised = new Map();
  const unconfirmed = new Map();
  const lowCaps = [];
  for (const row of rows) {
    const level = levels.has(row.id) ? levels.get(row.id) : null;
    const sums = themeSums.get(row.theme);
    let flagRaised = false;
    if (level === null) {
      sums[2] += 3 * row.points;
      sums[5] += 1;
      if (row.flag) {
        if (!unconfirmed.has(row.flag)) unconfirmed.set(row.flag, []);
        unconfirmed.get(row.flag).push(row.id);
        lowCaps.push(c.flagCaps.get(row.flag));
      }
      contributions.push([row, "unanswered", null, 0, 0, false]);
      if (row.gate) {
        gatePoint[row.gate].push(null);
        gateHigh[row.gate].push(MAX_LEVEL);
      }
    } else if (level === NOT_APPLICABLE) {
      sums[4] += 1;
      contributions.push([row, "not-applicable", null, 0, 0, false]);
    } else {
      const points = row.points * level;
      sums[0] += points;
      sums[1] += 3 * row.points;
      sums[3] += 1;
      if (row.flag && level <= row.flagMax) {
        flagRaised = true;
        if (!raised.has(row.flag)) raised.set(row.flag, []);
        raised.get(row.flag).push(row.id);
      }
      contributions.push([row, "answered", level, points, 3 * row.points, flagRaised]);
      if (row.gate) {
        gatePoint[row.gate].push(level);
        gateHigh[row.gate].push(level);
      }
    }
  }

  // Steps 3-4: tallies.
  const themes = c.themeOrder.map((t) => ({ id: t, explained_in: `theme-${t}`, ...tallyDict(themeSums.get(t)) }));
  const tot = [0, 0, 0, 0, 0, 0];
  for (const sums of themeSums.values()) for (let i = 0; i < 6; i += 1) tot[i] += sums[i];
  const overall = tallyDict(tot);
  const [earned, answeredMax, unansweredMax, nAnswered, nNotApplicable, nUnanswered] = tot;
  const applicableMax = answeredMax + unansweredMax;

  // Step 5: IAP2 level.
  const iap2 = iap2Reached(gatePoint);
  const iap2High = iap2Reached(gateHigh);
  let blocked = [];
  if (iap2 + 1 < nIap2) {
    const next = iap2 + 1;
    blocked = contributions
      .filter(([row, status, level]) => row.gate === next && !(status === "answered" && level >= GATE_LEVEL))
      .map(([row]) => row.id);
  }

  // Step 6: band, with its low and high bounds.
  const nBands = c.bandOrder.length;
  // Raised flags in rubric order (SCORING.md step 6: `limited_by` follows the order of `red_flags`).
  const raisedOrder = [...raised.keys()].sort((a, b) => c.flagOrder.get(a) - c.flagOrder.get(b));
  const raisedCaps = raisedOrder.map((f) => c.flagCaps.get(f));
  const limits = [];
  let band = null;
  if (nAnswered > 0) {
    const [b, byScore] = bandIndex(iap2, earned, answeredMax, c.thresholds, raisedCaps, nBands);
    band = b;
    if (iap2 === band) limits.push({ kind: "iap2", id: c.iap2Order[iap2] });
    if (byScore === band) limits.push({ kind: "score", id: c.bandOrder[byScore] });
    for (const f of raisedOrder) if (c.flagCaps.get(f) === band) limits.push({ kind: "red-flag", id: f });
  }
  let bandLow = null;
  let bandHigh = null;
  if (nAnswered + nUnanswered > 0) {
    [bandLow] = bandIndex(iap2, earned, applicableMax, c.thresholds, [...raisedCaps, ...lowCaps], nBands);
    [bandHigh] = bandIndex(iap2High, earned + unansweredMax, applicableMax, c.thresholds, raisedCaps, nBands);
  }

  // Step 7: completeness and confidence.
  const n = rows.length;
  const done = nAnswered + nNotApplicable;
  let confidence;
  if (nAnswered === 0) confidence = "none";
  else if (10 * done >= 9 * n && bandLow === bandHigh) confidence = "high";
  else if (10 * done >= 6 * n) confidence = "medium";
  else confidence = "low";

  // Step 8: prioritised actions.
  const nextGate = iap2 + 1;
  const keyed = [];
  for (const [row, status, level, , , flagRaised] of contributions) {
    if (status === "not-applicable" || (status === "answered" && level >= MAX_LEVEL)) continue;
    let kind;
    let target;
    if (flagRaised) {
      kind = 0;
      target = Math.max(level + 1, GATE_LEVEL);
    } else if (status === "unanswered" && row.flag) {
      kind = 1;
      target = null;
    } else if (row.gate === nextGate && (status === "unanswered" || level < GATE_LEVEL)) {
      kind = 2;
      target = status === "unanswered" ? null : GATE_LEVEL;
    } else if (status === "answered") {
      kind = 3;
      target = level + 1;
    } else {
      kind = 4;
      target = null;
    }
    const gain = target === null ? null : row.points * (target - level);
    const missing = row.points * (MAX_LEVEL - (level || 0));
    keyed.push({ key: [kind, -missing, stage !== null && row.stages.includes(stage) ? 0 : 1, row.index], row, kind, level, target, gain });
  }
  keyed.sort((a, b) => {
    for (let i = 0; i < 4; i += 1) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return 0;
  });

  const flagEntry = (f) => c.flags.get(f);
  const byFlagOrder = (a, b) => c.flagOrder.get(a[0]) - c.flagOrder.get(b[0]);
  return {
    rubric: { id: rubric.id, version: rubric.version },
    scope,
    plan,
    band: {
      id: band === null ? null : c.bandOrder[band],
      low: bandLow === null ? null : c.bandOrder[bandLow],
      high: bandHigh === null ? null : c.bandOrder[bandHigh],
      limited_by: limits,
    },
    iap2: {
      level: c.iap2Order[iap2],
      index: iap2,
      high: c.iap2Order[iap2High],
      next_level_blocked_by: blocked,
    },
    overall,
    themes,
    red_flags: [...raised.entries()].sort(byFlagOrder).map(([f, ids]) => ({
      id: f,
      cap: flagEntry(f).cap,
      raised_by: ids,
      explained_in: flagEntry(f).explained_in,
    })),
    unconfirmed_flags: [...unconfirmed.entries()]
      .sort(byFlagOrder)
      .filter(([f]) => !raised.has(f))
      .map(([f, ids]) => ({ id: f, cap: flagEntry(f).cap, unanswered: ids, explained_in: flagEntry(f).explained_in })),
    completeness: {
      in_scope: n,
      answered: nAnswered,
      not_applicable: nNotApplicable,
      unanswered: nUnanswered,
      percent: roundPercent(done, n),
      confidence,
    },
    contributions: contributions.map(([row, status, level, points, maxPoints, flagRaised]) => ({
      criterion: row.id,
      theme: row.theme,
      weight_points: row.points,
      status,
      level,
      points,
      max_points: maxPoints,
      gate: row.gateId,
      flag: row.flag,
      flag_raised: flagRaised,
    })),
    actions: keyed.map((k, i) => ({
      rank: i + 1,
      criterion: k.row.id,
      kind: ACTION_KINDS[k.kind],
      theme: k.row.theme,
      level: k.level,
      target_level: k.target,
      gain: k.gain,
      action: k.row.action,
      who: k.row.who,
      explained_in: k.row.explainedIn,
    })),
  };
}

/** Static-host hook (see static-host.js): rescore after every save, where a kernel would. */
export function derive(state) {
  if (!state.rubric || !state.assessment) return {};
  return { score: scorePlan(state.assessment, state.rubric) };
}
