// Scores an engagement-plan assessment in the browser: a step-by-step port of widgets/_scoring.py
// (rubric 2.0).
//
// The algorithm is specified in widgets/rubric/SCORING.md; `scorePlan(assessment, rubric)` returns
// exactly what Python's `score_plan(assessment).to_dict()` returns, key for key and in the same key
// order (tests/test_parity.py runs both on every example and fixture plan and on generated plans).
// All sums are integers; the only division is the documented half-up rounding to one decimal. The
// rubric (exported from the YAML at build time) supplies every id, weight, ladder step, threshold,
// cap and text: nothing of the rubric is written here.

export const NOT_APPLICABLE = "n/a";
const MAX_LEVEL = 3;
const INFORM_ONLY = "inform-only";
// The context limit of a plan whose declared groups give affected people no say (`band_rules.voice_roles`).
const NO_VOICE = "no-voice";
const CONTEXT_DEFAULTS = { process: "product-lifecycle", convener: "company", participants: "people-take-part" };
const ANSWERED = "answered";
const NA = "not-applicable";
const UNANSWERED = "unanswered";
const ACTION_KINDS = ["red-flag", "unanswered-guardrail", "next-level-gate", "improve", "unanswered"];

/** 100 * n / d rounded half up to one decimal, from integers (SCORING.md, "Rounding"); null if d is 0. */
export function roundPercent(numerator, denominator) {
  if (denominator === 0) return null;
  // Exact for the integer sizes a rubric produces: the true quotient is never within float error of an integer.
  return Math.floor((2000 * numerator + denominator) / (2 * denominator)) / 10;
}

const compiledCache = new WeakMap();

const isLevel = (level) => Number.isInteger(level);

/**
 * Precompute plain arrays and maps from the rubric data, once per rubric object: the criteria with
 * their weights, raised flags per level, applicability, groups and ladder step; the ladder; the bands
 * and IAP2 levels in index order; the flags' caps and rubric order; the roles that hold power.
 */
export function compileRubric(rubric) {
  let compiled = compiledCache.get(rubric);
  if (compiled) return compiled;
  const byIndex = (a, b) => a.index - b.index;
  const iap2Order = [...rubric.iap2_levels].sort(byIndex).map((lv) => lv.id);
  const bandOrder = [...rubric.bands].sort(byIndex).map((b) => b.id);
  const weights = Object.fromEntries(Object.entries(rubric.weights).map(([k, v]) => [k, v.points]));
  const rules = rubric.band_rules || {};
  const ladder = (rules.ladder || []).map((s) => ({ step: s.step, rule: s.rule, criteria: [...s.criteria] }));
  const stepOf = new Map();
  for (const s of ladder) for (const cid of s.criteria) stepOf.set(cid, s.step);
  const own = rules.members_govern_own_body;
  const ownBody = own
    ? { conveners: new Set(own.conveners), roles: new Set(own.roles), flags: new Set(own.flags) }
    : null;
  const rows = rubric.criteria.map((c, index) => {
    const raises = new Map(Object.entries(c.raises || {}).map(([k, v]) => [Number(k), [...v]]));
    const flags = [];
    for (const level of [...raises.keys()].sort((a, b) => a - b)) {
      for (const f of raises.get(level)) if (!flags.includes(f)) flags.push(f);
    }
    return {
      id: c.id,
      index,
      theme: c.theme,
      points: weights[c.weight],
      stages: c.stages,
      short: Boolean(c.short),
      raises,
      hasRaises: raises.size > 0,
      flags,
      needsParticipants: Boolean(c.needs_participants),
      processes: c.processes ? [...c.processes] : null,
      perGroup: Boolean(c.per_group),
      groupRoles: c.group_roles ? [...c.group_roles] : [],
      groupRule: c.group_rule || "worst",
      step: stepOf.has(c.id) ? stepOf.get(c.id) : null,
      capAtMost: rules.cap_at_most ?? 0,
      // `band_rules.members_govern_own_body`, for a per-group criterion raising one of its flags.
      ownBody: ownBody && c.per_group && flags.some((f) => ownBody.flags.has(f)) ? ownBody : null,
      action: c.next_step.action,
      who: c.next_step.who,
      explainedIn: c.explained_in,
      levelTwo: c.levels["2"], // what a partial level-1 answer still misses (partly_met)
    };
  });
  compiled = {
    iap2Order,
    bandOrder,
    rules,
    ladder,
    flags: new Map(rubric.red_flags.map((f) => [f.id, f])),
    flagRank: new Map(rubric.red_flags.map((f, i) => [f.id, i])),
    flagCaps: new Map(rubric.red_flags.map((f) => [f.id, bandOrder.indexOf(f.cap)])),
    capping: new Set(rubric.red_flags.filter((f) => (f.effect ?? "cap") === "cap").map((f) => f.id)),
    bandIap2: [...rubric.bands].sort(byIndex).map((b) => iap2Order.indexOf(b.iap2)),
    flagCapAtMost: new Map(rubric.red_flags.map((f) => [f.id, f.cap_at_most ?? rules.cap_at_most ?? 0])),
    powerRoles: new Set((rubric.group_roles || []).filter((r) => r.holds_power).map((r) => r.id)),
    voiceRoles: new Set(rules.voice_roles || []),
    themeOrder: rubric.themes.map((t) => t.id),
    scopes: { full: rows, short: rows.filter((r) => r.short) },
    byId: new Map(rows.map((r) => [r.id, r])),
  };
  compiledCache.set(rubric, compiled);
  return compiled;
}

/** The red flags an answer at `level` raises (none for n/a or unanswered). */
function flagsAt(crit, level) {
  if (!isLevel(level)) return [];
  return crit.raises.get(level) || [];
}

const unique = (items) => [...new Set(items)];

// ----------------------------------------------------------------------------- tallies (step 3)

const newTally = () => ({ earned: 0, answeredMax: 0, unansweredMax: 0, answered: 0, notApplicable: 0, unanswered: 0 });

function addToTally(t, status, points, weight) {
  if (status === ANSWERED) {
    t.earned += points;
    t.answeredMax += 3 * weight;
    t.answered += 1;
  } else if (status === UNANSWERED) {
    t.unansweredMax += 3 * weight;
    t.unanswered += 1;
  } else {
    t.notApplicable += 1;
  }
}

function tallyDict(t) {
  const applicableMax = t.answeredMax + t.unansweredMax;
  return {
    earned: t.earned,
    answered_max: t.answeredMax,
    unanswered_max: t.unansweredMax,
    applicable_max: applicableMax,
    percent: roundPercent(t.earned, t.answeredMax),
    low_percent: roundPercent(t.earned, applicableMax),
    high_percent: roundPercent(t.earned + t.unansweredMax, applicableMax),
    answered: t.answered,
    not_applicable: t.notApplicable,
    unanswered: t.unanswered,
  };
}

// ----------------------------------------------------------------------------- steps 1-6

function statusOf(level) {
  if (level === null || level === undefined) return UNANSWERED;
  if (level === NOT_APPLICABLE) return NA;
  return ANSWERED;
}

// Steps 1 and 2 for one criterion: applicability, per-group cells, effective level, raises.
function rowOf(crit, context, groups, plain, cells) {
  const row = (status, reason, level, groupCells, raises) => ({ crit, status, reason, level, groups: groupCells, raises });
  if (crit.needsParticipants && context.participants === INFORM_ONLY) return row(NA, "no-participants", null, [], []);
  if (crit.processes !== null && !crit.processes.includes(context.process)) return row(NA, "process", null, [], []);
  if (crit.perGroup && groups.length) {
    const asked = groups.filter((g) => crit.groupRoles.includes(g.role));
    if (!asked.length) return row(NA, "no-group", null, [], []);
    const groupCells = asked.map((g) => {
      const lv = cells.has(g.id) ? cells.get(g.id) : plain;
      return [g.id, statusOf(lv), lv];
    });
    const ints = groupCells.filter(([, st]) => st === ANSWERED).map(([, , lv]) => lv);
    if (ints.length) {
      const level = crit.groupRule === "worst" ? Math.min(...ints) : Math.max(...ints);
      // Read from the best-placed group, a question is flagged from that group at any level its
      // descriptors name, and from a group below it only where the safeguard is missing.
      const raises = [];
      for (const [gid, st, lv] of groupCells) {
        if (st !== ANSWERED) continue;
        if (crit.groupRule !== "worst" && lv !== level && lv > crit.capAtMost) continue;
        for (const f of flagsAt(crit, lv)) raises.push([f, gid, lv]);
      }
      if (crit.ownBody && raises.length && crit.ownBody.conveners.has(context.convener)) {
        // `band_rules.members_govern_own_body`: members governing the affected people's own body,
        // which convenes the plan, are not raised these flags for that body.
        const roleOf = new Map(asked.map((g) => [g.id, g.role]));
        const kept = raises.filter(([f, gid]) => !(crit.ownBody.flags.has(f) && crit.ownBody.roles.has(roleOf.get(gid))));
        return row(ANSWERED, null, level, groupCells, kept);
      }
      return row(ANSWERED, null, level, groupCells, raises);
    }
    if (groupCells.every(([, st]) => st === NA)) return row(NA, "answered-n/a", null, groupCells, []);
    return row(UNANSWERED, null, null, groupCells, []);
  }
  const status = statusOf(plain);
  if (status === ANSWERED) return row(ANSWERED, null, plain, [], flagsAt(crit, plain).map((f) => [f, null, plain]));
  return row(status, status === NA ? "answered-n/a" : null, null, [], []);
}

/** `rowOf`, then the criterion's partial level-1 answers (`keys`: null for the plain level, group ids for groups' own answers) spared. */
function answerRow(C, crit, context, groups, plain, cells, partial) {
  const row = rowOf(crit, context, groups, plain, cells);
  const keys = partial.get(crit.id);
  return keys ? sparePartlyMet(C, row, cells, keys) : row;
}

/**
 * `band_rules.partial_spares_level_one_flags` (SCORING.md step 2): an answer at level 1 marked
 * `partial` keeps its level (points, ladder, IAP2) but does not raise the flags its question raises at
 * level 1 and not at level 2. A group takes the `partial` of its own answer, else that of the plain
 * level. Each such answer is recorded in `row.partly` as [group or null, flags not raised].
 */
function sparePartlyMet(C, row, cells, keys) {
  if (row.status !== ANSWERED) return row;
  const crit = row.crit;
  const isPartial = (gid) => (gid !== null && cells.has(gid) ? keys.has(gid) : keys.has(null));
  const found = row.groups.length
    ? row.groups.filter(([gid, st, lv]) => st === ANSWERED && lv === 1 && isPartial(gid)).map(([gid]) => gid)
    : (row.level === 1 && isPartial(null) ? [null] : []);
  if (!found.length) return row;
  const two = flagsAt(crit, 2);
  const spare = new Set(C.rules.partial_spares_level_one_flags ? flagsAt(crit, 1).filter((f) => !two.includes(f)) : []);
  const marked = new Set(found);
  const partly = found.map((key) => [key, unique(row.raises.filter(([f, gid]) => gid === key && spare.has(f)).map(([f]) => f))]);
  const raises = row.raises.filter(([f, gid]) => !(spare.has(f) && marked.has(gid)));
  return { ...row, raises, partly };
}

const metBy = (r, metAt) => r.status === ANSWERED && r.level >= metAt;

/**
 * Whether `band_rules.voice_roles` holds the plan at the ladder's first step: it declares groups and
 * none of them has a role through which affected people have a say (SCORING.md step 4).
 */
function noVoice(C, groups, rows) {
  if (!(C.voiceRoles.size > 0 && groups.length > 0 && !groups.some((g) => C.voiceRoles.has(g.role)))) return false;
  // `band_rules.fair_work_is_voice`: a plan that declares workers and whose answers outside the
  // ladder raise no flag has a say through its workers.
  return !(C.rules.fair_work_is_voice && groups.some((g) => g.role === "workers")
    && !rows.some((r) => r.crit.step === null && r.raises.length > 0));
}

/** Step 4: the ladder steps the plan meets, in ladder order (only inform when the plan gives affected people no say). */
function stepsMetOf(C, groups, rows) {
  const metAt = C.rules.met_at;
  const state = new Map(rows.filter((r) => r.crit.step !== null).map((r) => [r.crit.id, r]));
  const silenced = noVoice(C, groups, rows);
  const stepsMet = [];
  for (const { step, rule, criteria } of C.ladder) {
    if (silenced && step !== "inform") continue;
    const present = criteria.filter((cid) => state.has(cid)).map((cid) => state.get(cid));
    const ok = present.map((r) => metBy(r, metAt));
    if (present.length && (rule === "all" ? ok.every(Boolean) : ok.some(Boolean))) stepsMet.push(step);
  }
  return stepsMet;
}

/**
 * `band_rules.met_step_clears_falling_short`: a ladder question whose step the plan meets anyway
 * (`stepsMet`, from the rows before settling: settling changes no level and no raise outside the ladder,
 * so the steps met stay the same) raises its flag only where its safeguard is missing (level at most
 * `cap_at_most`), not where it falls short. The steps met only grow when answers are raised or
 * unanswered ones filled, so rows settled once stay settled in the bounds and the search.
 */
function settle(C, rows, stepsMet) {
  if (!C.rules.met_step_clears_falling_short) return rows;
  return rows.map((r) => {
    const atMost = r.crit.capAtMost;
    if (!stepsMet.includes(r.crit.step) || !r.raises.some(([, , lv]) => lv > atMost)) return r;
    return { ...r, raises: r.raises.filter(([, , lv]) => lv <= atMost) };
  });
}

/** Steps 1-6 of SCORING.md for one set of answers (`plain`: id -> level; `byGroup`: id -> Map group -> level). */
function evaluate(C, scope, context, groups, plain, byGroup, partial = new Map()) {
  const inScope = scope === "short" ? C.scopes.short : C.scopes.full;
  const rows = inScope.map((crit) =>
    answerRow(C, crit, context, groups, plain.has(crit.id) ? plain.get(crit.id) : null, byGroup.get(crit.id) || new Map(), partial),
  );
  return judge(C, groups, rows);
}

/** Whether the ladder rows (`state`) meet `step` on their answers alone, whatever holds the plan's ladder. */
function stepMetByAnswers(C, step, state) {
  const found = C.ladder.find((s) => s.step === step);
  if (!found) return false;
  const ok = found.criteria.filter((cid) => state.has(cid)).map((cid) => metBy(state.get(cid), C.rules.met_at));
  return ok.length > 0 && (found.rule === "all" ? ok.every(Boolean) : ok.some(Boolean));
}

/** Whether the plan meets `band_rules.heard_floor`: its step is met and each of its criteria is answered at `metAt` or above. */
function heard(floorRule, state, stepsMet, metAt) {
  if (!stepsMet.includes(floorRule.step)) return false;
  return floorRule.criteria.every((cid) => state.has(cid) && metBy(state.get(cid), metAt));
}

/** Steps 3-6 of SCORING.md from the rows of steps 1-2. */
function judge(C, groups, rowsIn) {
  // Step 4's ladder first: settling the rows does not change which steps are met.
  const stepsMet = stepsMetOf(C, groups, rowsIn);
  const rows = settle(C, rowsIn, stepsMet);
  const rules = C.rules;
  const metAt = rules.met_at;
  const overall = newTally();
  const profile = newTally();
  const themeTallies = new Map();
  for (const r of rows) {
    const crit = r.crit;
    const points = r.status === ANSWERED ? crit.points * r.level : 0;
    addToTally(overall, r.status, points, crit.points);
    if (!themeTallies.has(crit.theme)) themeTallies.set(crit.theme, newTally());
    addToTally(themeTallies.get(crit.theme), r.status, points, crit.points);
    if (crit.step === null) addToTally(profile, r.status, points, crit.points);
  }
  const themes = C.themeOrder.filter((t) => themeTallies.has(t)).map((t) => [t, themeTallies.get(t)]);

  // Step 4: the ladder of power (`stepsMet`) and the IAP2 level.
  const state = new Map(rows.map((r) => [r.crit.id, r]));
  // The IAP2 level is the ladder's position: how much the plan shares, not its strongest promise.
  const powerSteps = stepsMet.filter((s) => s !== "inform").length;
  const ladderBand = 1 + powerSteps;
  const iap2 = powerSteps ? ladderBand : stepsMet.includes("inform") ? 1 : 0;

  // Step 5: the profile.
  let drop = 0;
  if (profile.answeredMax >= rules.profile_min_points && 100 * profile.earned < rules.profile_low_percent * profile.answeredMax) {
    drop = 1;
  }
  const floor = C.bandOrder.indexOf(rules.profile_floor);
  const pre = Math.max(Math.min(ladderBand, floor), ladderBand - drop);

  // Step 6: red flags and the band.
  const planHasPowerGroup = groups.some((g) => C.powerRoles.has(g.role));
  const groupRole = new Map(groups.map((g) => [g.id, g.role]));
  const raised = new Map();
  for (const r of rows) {
    for (const [f, gid, lv] of r.raises) {
      if (!raised.has(f)) raised.set(f, []);
      raised.get(f).push([r.crit.id, gid, lv]);
    }
  }
  // The groups the band follows: the power-holding ones, or in a plan without any, those with a say.
  const carriers = planHasPowerGroup ? C.powerRoles : C.voiceRoles.size ? C.voiceRoles : new Set(groupRole.values());
  const othersHaveIt = (row, gid) =>
    row.groups.some(([g, st, lv]) => g !== gid && carriers.has(groupRole.get(g)) && st === ANSWERED && lv >= metAt);
  const flagLimits = new Map();
  const capped = new Set();
  for (const [f, where] of raised) {
    const powerLevels = where
      .filter(([, gid]) => gid === null || !planHasPowerGroup || C.powerRoles.has(groupRole.get(gid)))
      .map(([, , lv]) => lv);
    // `band_rules.cap_spared_where_power_has_it`: a safeguard missing for one of the groups the band
    // follows caps only where no other such group asked the same question has it.
    const capLevels = C.capping.has(f) && rules.cap_spared_where_power_has_it
      ? where.filter(([cid, gid]) => gid === null
        || ((!planHasPowerGroup || C.powerRoles.has(groupRole.get(gid))) && !othersHaveIt(state.get(cid), gid)))
        .map(([, , lv]) => lv)
      : powerLevels;
    // `band_rules.power_holders_lower_only`: the flag, raised for a group that holds power (people
    // serving unpaid on the body that decides), lowers the band and does not cap it; only an answer for
    // no group in particular still caps (a plan with a power-holding group caps on nobody else's anyway).
    const capFrom = planHasPowerGroup && (rules.power_holders_lower_only || []).includes(f)
      ? where.filter(([, gid]) => gid === null).map(([, , lv]) => lv)
      : capLevels;
    const cap = C.flagCaps.get(f);
    // A capping flag caps where an answer for power shows the safeguard missing (at or below its
    // `cap_at_most`); any other raise lowers the band by `flag_drop`, never below its cap.
    // A flag's own `cap_at_most` holds where no declared group holds power; where one does, the band
    // follows that group, so the rule's applies.
    const atMost = planHasPowerGroup ? rules.cap_at_most : C.flagCapAtMost.get(f);
    const caps = C.capping.has(f) && capFrom.some((lv) => lv <= atMost);
    if (caps) capped.add(f);
    flagLimits.set(f, [caps ? cap : Math.max(cap, pre - rules.flag_drop), powerLevels.length > 0]);
  }
  const unheard = rules.unheard_pipeline;
  if (unheard && raised.size && noVoice(C, groups, rows) && !stepMetByAnswers(C, unheard.step, state)) {
    // `band_rules.unheard_pipeline`: no group with a say, and the answers of the people in the plan
    // reach no decision either: a guardrail failed there caps at the rule's band.
    const unheardBand = C.bandOrder.indexOf(unheard.band);
    for (const f of capped) {
      const [limit, power] = flagLimits.get(f);
      flagLimits.set(f, [Math.min(limit, unheardBand), power]);
    }
  }
  const floorRule = rules.heard_floor;
  if (floorRule && heard(floorRule, state, stepsMet, metAt)) {
    // Affected people take part directly and their input demonstrably reaches a decision:
    // no flag puts the plan below the floor (non-participation means nobody real is heard).
    const floorBand = C.bandOrder.indexOf(floorRule.band);
    for (const [f, [limit, power]] of flagLimits) flagLimits.set(f, [Math.max(limit, floorBand), power]);
  }
  let band = null;
  let iap2Kept = iap2;
  if (overall.answered) {
    band = Math.min(pre, ...[...flagLimits.values()].map(([limit]) => limit));
    // The IAP2 level is the promise the plan can keep: never above the one its band stands for.
    iap2Kept = Math.min(iap2, C.bandIap2[band]);
  }
  return { rows, overall, themes, profile, stepsMet, iap2: iap2Kept, ladderBand, drop, pre, flagLimits, raised, band };
}

/**
 * The rows of the answers with every unanswered question (and unanswered explicit group cell) set
 * to `value`; a criterion whose answers this leaves as they are keeps its row.
 */
function filledRows(C, groups, context, plain, byGroup, rows, value, partial = new Map()) {
  return rows.map((r) => {
    const crit = r.crit;
    const lv = plain.has(crit.id) ? plain.get(crit.id) : null;
    let cells = byGroup.get(crit.id) || new Map();
    const missing = [];
    if (crit.perGroup && groups.length) {
      for (const g of groups) {
        if (crit.groupRoles.includes(g.role) && cells.has(g.id) && cells.get(g.id) === null) missing.push(g.id);
      }
    }
    if (lv !== null && lv !== undefined && !missing.length) return r;
    if (missing.length) {
      cells = new Map(cells);
      for (const gid of missing) cells.set(gid, value);
    }
    return answerRow(C, crit, context, groups, lv === null || lv === undefined ? value : lv, cells, partial);
  });
}

// ----------------------------------------------------------------------------- step 8: what would change

/** The lowest level above `level` at which the criterion raises no flag capped below `below` (3 if none). */
function firstCleanLevel(crit, level, below, caps) {
  const start = isLevel(level) ? level + 1 : 0;
  for (let lv = start; lv <= MAX_LEVEL; lv += 1) {
    if (!flagsAt(crit, lv).some((f) => caps.get(f) < below)) return lv;
  }
  return MAX_LEVEL;
}

function currentLevel(row, gid) {
  if (gid === null) return row.status === ANSWERED ? row.level : null;
  for (const [g, st, lv] of row.groups) if (g === gid) return st === ANSWERED ? lv : null;
  return null;
}

const moveKey = (cid, gid) => JSON.stringify([cid, gid]);

/**
 * The rows of the answers with `moves` applied (a null group sets the plain level, a group its
 * cell); the criteria no move touches keep their rows.
 */
function movedRows(C, context, groups, plain, byGroup, rows, moves, partial = new Map()) {
  const per = new Map();
  for (const m of moves.values()) {
    if (!per.has(m.cid)) per.set(m.cid, []);
    per.get(m.cid).push(m);
  }
  return rows.map((r) => {
    const change = per.get(r.crit.id);
    if (change === undefined) return r;
    const cid = r.crit.id;
    let lv = plain.has(cid) ? plain.get(cid) : null;
    const cells = new Map(byGroup.get(cid) || []);
    for (const { gid, level } of change) {
      if (gid === null) lv = level;
      else cells.set(gid, level);
    }
    return answerRow(C, r.crit, context, groups, lv, cells, partial);
  });
}

/** The moves that would meet one ladder step, or null if it cannot be met (n/a, out of scope). */
function stepMoves(rows, rule, cids, metAt) {
  const present = cids.filter((cid) => rows.has(cid)).map((cid) => rows.get(cid));
  if (!present.length) return null;
  const candidates = [];
  for (const r of present) {
    if (r.status === NA) {
      if (rule === "all") return null;
      continue;
    }
    if (metBy(r, metAt)) continue;
    let gid = null;
    if (r.groups.length) {
      // A per-group question: lift its best-placed group (the first with the highest answered level).
      let best = null;
      let bestValue = -Infinity;
      for (const [g, st, lv] of r.groups) {
        const value = st !== ANSWERED ? -1 : lv;
        if (value > bestValue) {
          best = g;
          bestValue = value;
        }
      }
      gid = best;
    }
    candidates.push([r.crit.id, gid, metAt, r.level === null ? -1 : r.level]);
  }
  if (rule === "all") return candidates.map(([cid, gid, lv]) => [cid, gid, lv]);
  if (!candidates.length) return null;
  let best = candidates[0];
  for (const cand of candidates) if (cand[3] > best[3]) best = cand; // the first of the highest current levels
  return [best.slice(0, 3)];
}

/** Answers raised to 3, largest gain first, until the profile is no longer low (step 8). */
function profileMoves(C, ev) {
  const low = C.rules.profile_low_percent;
  let earned = ev.profile.earned;
  let answeredMax = ev.profile.answeredMax;
  const cands = [];
  for (const r of ev.rows) {
    const crit = r.crit;
    if (crit.step !== null || r.status === NA || (crit.perGroup && r.groups.length)) continue;
    const current = r.status === ANSWERED ? r.level : null;
    if (current === MAX_LEVEL) continue;
    cands.push([-(crit.points * (MAX_LEVEL - (current || 0))), crit.index, crit, current]);
  }
  cands.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = [];
  for (const [, , crit, current] of cands) {
    if (100 * earned >= low * answeredMax) break;
    earned += crit.points * (MAX_LEVEL - (current || 0));
    if (current === null) answeredMax += 3 * crit.points;
    out.push([crit.id, null, MAX_LEVEL]);
  }
  return out;
}

/**
 * The answers that hold the band where it is (SCORING.md step 8); no ladder step when the plan's
 * groups give affected people no say (no answer moves it then).
 */
function holdingDown(C, ev, groups) {
  if (ev.band === null) return [];
  const out = [];
  for (const f of [...ev.flagLimits.keys()].sort((a, b) => C.flagRank.get(a) - C.flagRank.get(b))) {
    if (ev.flagLimits.get(f)[0] !== ev.band) continue;
    for (const [cid, gid, lv] of ev.raised.get(f)) out.push({ kind: "red-flag", id: f, criterion: cid, group: gid, level: lv });
  }
  if (ev.pre === ev.band && ev.drop && ev.ladderBand > ev.pre) {
    out.push({ kind: "profile", id: "profile", criterion: null, group: null, level: null });
  }
  if (ev.pre === ev.band && ev.ladderBand === ev.band && !noVoice(C, groups, ev.rows)) {
    const rows = new Map(ev.rows.map((r) => [r.crit.id, r]));
    const metAt = C.rules.met_at;
    for (const { step, criteria } of C.ladder) {
      if (step === "inform" || ev.stepsMet.includes(step)) continue;
      for (const cid of criteria) {
        const r = rows.get(cid);
        if (r !== undefined && !metBy(r, metAt)) {
          out.push({ kind: "ladder", id: step, criterion: cid, group: null, level: r.status === ANSWERED ? r.level : null });
        }
      }
    }
  }
  return out;
}

/** SCORING.md step 8: the answers to change to move the band up one, and what holds it down. */
function whatWouldChange(C, scope, context, groups, plain, byGroup, ev, partial = new Map()) {
  const holding = holdingDown(C, ev, groups);
  if (ev.band === null || ev.band >= C.bandOrder.length - 1) {
    return { target: null, reachable: false, moves: [], holding_down: holding };
  }
  const target = ev.band + 1;
  const caps = C.flagCaps;
  const metAt = C.rules.met_at;
  const rows = new Map(ev.rows.map((r) => [r.crit.id, r]));
  let moves = new Map();
  const wished = (cid, gid) => (moves.has(moveKey(cid, gid)) ? moves.get(moveKey(cid, gid)).level : -1);
  const want = (cid, gid, level) => {
    const current = currentLevel(rows.get(cid), gid);
    if (current !== null && current >= level) return;
    const key = moveKey(cid, gid);
    if (wished(cid, gid) < level) {
      if (moves.has(key)) moves.get(key).level = level;
      else moves.set(key, { cid, gid, level });
    }
  };

  // 1. Every answer raising a flag capped below the target is moved to its first clean level.
  for (const r of ev.rows) {
    for (const [f, gid, lv] of r.raises) {
      if (caps.get(f) < target) want(r.crit.id, gid, firstCleanLevel(r.crit, lv, target, caps));
    }
  }
  // 2. Enough ladder steps, or the profile, to lift the pre-flag band to the target.
  const need = target - (ev.ladderBand - ev.drop);
  if (need > 0) {
    const options = [];
    for (const { step, rule, criteria } of C.ladder) {
      if (step === "inform" || ev.stepsMet.includes(step)) continue;
      const cost = stepMoves(rows, rule, criteria, metAt);
      // Moves already wanted (pass 1) cost nothing more.
      if (cost !== null) options.push(cost.filter(([cid, gid, lv]) => wished(cid, gid) < lv));
    }
    options.sort((a, b) => a.length - b.length); // stable: ladder order among equal costs
    const planA = options.length >= need ? options.slice(0, need) : null;
    let planB = null;
    if (ev.drop && options.length >= need - 1) planB = [...options.slice(0, need - 1), profileMoves(C, ev)];
    const size = (plan) => plan.reduce((n, m) => n + m.length, 0);
    let chosen = planA;
    if (planB !== null && (planA === null || size(planB) < size(planA))) chosen = planB;
    for (const groupOfMoves of chosen || []) for (const [cid, gid, lv] of groupOfMoves) want(cid, gid, lv);
  }
  const order = [...moves.keys()];
  // Only the moved criteria are scored again; every other row is the plan's own.
  const bandWith = (trial) => judge(C, groups, movedRows(C, context, groups, plain, byGroup, ev.rows, trial, partial)).band;
  const reached = bandWith(moves);
  if (reached === null || reached < target) {
    return { target: C.bandOrder[target], reachable: false, moves: [], holding_down: holding };
  }
  // 3. Prune: drop every move the target does not need, last added first.
  for (const key of order.reverse()) {
    const trial = new Map([...moves].filter(([k]) => k !== key));
    const band = bandWith(trial);
    if (band !== null && band >= target) moves = trial;
  }
  const groupIndex = new Map(groups.map((g, i) => [g.id, i]));
  const rank = (m) => [C.byId.get(m.cid).index, m.gid === null ? -1 : groupIndex.get(m.gid)];
  const out = [...moves.values()]
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1];
    })
    .map((m) => ({ criterion: m.cid, group: m.gid, from: currentLevel(rows.get(m.cid), m.gid), to: m.level }));
  return { target: C.bandOrder[target], reachable: true, moves: out, holding_down: holding };
}

// ----------------------------------------------------------------------------- the score

export function levelOf(answer) {
  // As in Python: an answer is either an object with `level` or the bare level.
  if (answer !== null && typeof answer === "object" && !Array.isArray(answer)) return answer.level ?? null;
  return answer ?? null;
}

const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);

/** The per-group levels of an `answers` object: criterion id -> Map(group id -> level). */
export function groupLevelsOf(answers) {
  const out = new Map();
  for (const [cid, a] of Object.entries(answers || {})) {
    const cells = isObject(a) ? a.by_group : null;
    if (isObject(cells) && Object.keys(cells).length) {
      out.set(cid, new Map(Object.entries(cells).map(([gid, cell]) => [gid, levelOf(cell)])));
    }
  }
  return out;
}

/** The answers marked `partial: true` of an `answers` object: criterion id -> Set of null (the plain answer) and group ids. */
export function partialsOf(answers) {
  const marked = (a) => isObject(a) && a.partial === true;
  const out = new Map();
  for (const [cid, a] of Object.entries(answers || {})) {
    const keys = new Set(marked(a) ? [null] : []);
    const cells = isObject(a) ? a.by_group : null;
    if (isObject(cells)) for (const [gid, cell] of Object.entries(cells)) if (marked(cell)) keys.add(gid);
    if (keys.size) out.set(cid, keys);
  }
  return out;
}

/** Prioritised actions, most urgent first (SCORING.md step 9). */
function actionsOf(C, ev, stage, nextStep, blocked) {
  const metAt = C.rules.met_at;
  const keyed = [];
  for (const r of ev.rows) {
    const crit = r.crit;
    if (r.status === NA || (r.status === ANSWERED && r.level === MAX_LEVEL && !r.raises.length)) continue;
    let level = r.status === ANSWERED ? r.level : null;
    let group = null;
    let kind;
    let target;
    if (r.raises.length) {
      const worst = Math.min(...r.raises.map(([, , lv]) => lv));
      group = r.raises.find(([, , lv]) => lv === worst)[1];
      kind = "red-flag";
      target = firstCleanLevel(crit, worst, C.bandOrder.length, C.flagCaps);
      level = level === null ? worst : Math.min(level, worst);
    } else if (level === null && crit.hasRaises) {
      kind = "unanswered-guardrail";
      target = null;
    } else if (blocked.includes(crit.id) && crit.step === nextStep) {
      kind = "next-level-gate";
      target = level !== null ? metAt : null;
    } else if (level !== null) {
      kind = "improve";
      target = level + 1;
    } else {
      kind = "unanswered";
      target = null;
    }
    const gain = target === null ? null : crit.points * (target - level);
    const missing = crit.points * (MAX_LEVEL - (level || 0));
    const key = [ACTION_KINDS.indexOf(kind), -missing, stage !== null && crit.stages.includes(stage) ? 0 : 1, crit.index];
    keyed.push({ key, crit, kind, level, target, gain, group });
  }
  keyed.sort((a, b) => {
    for (let i = 0; i < 4; i += 1) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return 0;
  });
  return keyed;
}

/**
 * Score an assessment (the JSON file format: `answers`, `scope`, `context`, `groups`, plan fields)
 * against the rubric. Returns the JSON form of Python's `Score.to_dict()`, key for key.
 */
export function scorePlan(assessment, rubric) {
  const C = compileRubric(rubric);
  const a = assessment || {};
  const answers = a.answers || {};
  const plain = new Map(Object.entries(answers).map(([cid, x]) => [cid, levelOf(x)]));
  const byGroup = groupLevelsOf(answers);
  const partial = partialsOf(answers);
  const scope = a.scope || "full";
  if (scope !== "full" && scope !== "short") throw new Error(`scope must be "full" or "short", not ${JSON.stringify(scope)}`);
  const plan = {};
  for (const k of ["team", "product", "model_type", "lifecycle_stage", "date"]) plan[k] = a[k] ?? null;
  const context = { ...CONTEXT_DEFAULTS, ...(a.context || {}) };
  const groups = (a.groups || []).map((g) => ({ id: g.id, label: g.label ?? g.id, role: g.role }));
  const stage = plan.lifecycle_stage;
  const { bandOrder, iap2Order, flagRank, flags } = C;
  const metAt = C.rules.met_at;

  const ev = evaluate(C, scope, context, groups, plain, byGroup, partial);
  // The bounds score again only the criteria with an unanswered part.
  const low = judge(C, groups, filledRows(C, groups, context, plain, byGroup, ev.rows, 0, partial));
  const high = judge(C, groups, filledRows(C, groups, context, plain, byGroup, ev.rows, MAX_LEVEL, partial));
  const byRank = (x, y) => flagRank.get(x) - flagRank.get(y);

  const limits = [];
  if (ev.band !== null) {
    if (context.participants === INFORM_ONLY && ev.band === ev.ladderBand) limits.push({ kind: "context", id: INFORM_ONLY });
    else if (ev.band === ev.ladderBand && ev.band === ev.pre && noVoice(C, groups, ev.rows)) limits.push({ kind: "context", id: NO_VOICE });
    else if (ev.band === ev.ladderBand && ev.band === ev.pre) {
      const open = C.ladder.find(({ step }) => step !== "inform" && !ev.stepsMet.includes(step));
      limits.push({ kind: "ladder", id: open ? open.step : "empower" });
    }
    if (ev.drop && ev.band === ev.pre && ev.pre < ev.ladderBand) limits.push({ kind: "profile", id: bandOrder[ev.pre] });
    for (const f of [...ev.flagLimits.keys()].sort(byRank)) {
      if (ev.flagLimits.get(f)[0] === ev.band) limits.push({ kind: "red-flag", id: f });
    }
  }
  const allNa = ev.overall.answered + ev.overall.unanswered === 0;
  const bandLow = allNa ? null : low.band;
  const bandHigh = allNa ? null : high.band;

  const n = ev.rows.length;
  const done = ev.overall.answered + ev.overall.notApplicable;
  let confidence;
  if (ev.overall.answered === 0) confidence = "none";
  else if (10 * done >= 9 * n && bandLow === bandHigh) confidence = "high";
  else if (10 * done >= 6 * n) confidence = "medium";
  else confidence = "low";

  const raisedIds = [...ev.raised.keys()].sort(byRank);
  const unconfirmed = new Map();
  for (const r of ev.rows) {
    const crit = r.crit;
    if (!crit.hasRaises || r.status === NA) continue;
    if (r.status === UNANSWERED || r.groups.some(([, st]) => st === UNANSWERED)) {
      for (const f of crit.flags) {
        if (ev.raised.has(f)) continue;
        if (!unconfirmed.has(f)) unconfirmed.set(f, []);
        if (!unconfirmed.get(f).includes(crit.id)) unconfirmed.get(f).push(crit.id);
      }
    }
  }

  // The first unmet ladder step (from inform) and its criteria not yet met.
  const rowsById = new Map(ev.rows.map((r) => [r.crit.id, r]));
  const next = C.ladder.find(({ step }) => !ev.stepsMet.includes(step));
  const nextStep = next ? next.step : null;
  const blocked = next ? next.criteria.filter((cid) => rowsById.has(cid) && !metBy(rowsById.get(cid), metAt)) : [];

  const anyPower = groups.some((g) => C.powerRoles.has(g.role));
  const groupFlags = new Map(groups.map((g) => [g.id, []]));
  const groupLevels = new Map(groups.map((g) => [g.id, {}]));
  for (const r of ev.rows) {
    for (const [gid, st, lv] of r.groups) groupLevels.get(gid)[r.crit.id] = st === ANSWERED ? lv : st === NA ? NOT_APPLICABLE : null;
  }
  for (const f of raisedIds) {
    for (const [, gid] of ev.raised.get(f)) {
      if (gid !== null && !groupFlags.get(gid).includes(f)) groupFlags.get(gid).push(f);
    }
  }

  const actions = actionsOf(C, ev, stage, nextStep, blocked).map((k, i) => ({
    rank: i + 1,
    criterion: k.crit.id,
    kind: k.kind,
    theme: k.crit.theme,
    group: k.group,
    level: k.level,
    target_level: k.target,
    gain: k.gain,
    action: k.crit.action,
    who: k.crit.who,
    explained_in: k.crit.explainedIn,
  }));

  return {
    rubric: { id: rubric.id, version: rubric.version },
    scope,
    plan,
    context,
    band: {
      id: ev.band === null ? null : bandOrder[ev.band],
      low: bandLow === null ? null : bandOrder[bandLow],
      high: bandHigh === null ? null : bandOrder[bandHigh],
      limited_by: limits,
      ladder: bandOrder[ev.ladderBand],
      profile_drop: ev.drop,
    },
    iap2: {
      level: iap2Order[ev.iap2],
      index: ev.iap2,
      high: iap2Order[high.iap2],
      steps_met: [...ev.stepsMet],
      next_step: nextStep,
      next_step_blocked_by: blocked,
    },
    overall: tallyDict(ev.overall),
    profile: {
      earned: ev.profile.earned,
      answered_max: ev.profile.answeredMax,
      percent: roundPercent(ev.profile.earned, ev.profile.answeredMax),
      low_percent: C.rules.profile_low_percent,
      drop: ev.drop,
    },
    themes: ev.themes.map(([t, tally]) => ({ id: t, explained_in: `theme-${t}`, ...tallyDict(tally) })),
    groups: groups.map((g) => ({
      id: g.id,
      label: g.label,
      role: g.role,
      holds_power: C.powerRoles.has(g.role) || !anyPower,
      red_flags: groupFlags.get(g.id),
      levels: groupLevels.get(g.id),
    })),
    red_flags: raisedIds.map((f) => ({
      id: f,
      kind: flags.get(f).kind,
      cap: flags.get(f).cap,
      limit: bandOrder[ev.flagLimits.get(f)[0]],
      power: ev.flagLimits.get(f)[1],
      raised_by: unique(ev.raised.get(f).map(([cid]) => cid)),
      groups: unique(ev.raised.get(f).map(([, gid]) => gid).filter((gid) => gid !== null)),
      explained_in: flags.get(f).explained_in,
    })),
    unconfirmed_flags: [...unconfirmed.keys()].sort(byRank).map((f) => ({
      id: f,
      cap: flags.get(f).cap,
      unanswered: unconfirmed.get(f),
      explained_in: flags.get(f).explained_in,
    })),
    completeness: {
      in_scope: n,
      answered: ev.overall.answered,
      not_applicable: ev.overall.notApplicable,
      unanswered: ev.overall.unanswered,
      percent: roundPercent(done, n),
      confidence,
    },
    what_would_change: whatWouldChange(C, scope, context, groups, plain, byGroup, ev, partial),
    partly_met: ev.rows.flatMap((r) => (r.partly || []).map(([gid, spared]) => ({
      criterion: r.crit.id, group: gid, flags: spared, next_step: r.crit.levelTwo,
    }))),
    contributions: ev.rows.map((r) => {
      const crit = r.crit;
      const answered = r.status === ANSWERED;
      return {
        criterion: crit.id,
        theme: crit.theme,
        weight_points: crit.points,
        status: r.status,
        reason: r.reason,
        level: answered ? r.level : null,
        points: answered ? crit.points * r.level : 0,
        max_points: answered ? 3 * crit.points : 0,
        step: crit.step,
        in_profile: crit.step === null,
        flags: unique(r.raises.map(([f]) => f)),
        groups: r.groups.map(([gid, st, lv]) => ({
          group: gid,
          status: st,
          level: st === ANSWERED ? lv : null,
          flags: unique(r.raises.filter(([, g]) => g === gid).map(([f]) => f)),
        })),
      };
    }),
    actions,
  };
}

/** Static-host hook (see static-host.js): rescore after every save, where a kernel would. */
export function derive(state) {
  if (!state.rubric || !state.assessment) return {};
  return { score: scorePlan(state.assessment, state.rubric) };
}
