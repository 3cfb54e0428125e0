// The report of a score, the twin of score_report() and render_markdown() in widgets/_reports.py:
// the same structure and the same Markdown, character for character (tests/test_parity.py). The
// CLI, the notebook widget and the page's "Download report" all give this one report.

import labels from "./labels.js";
import { escapeMarkdown } from "./text.js";

export const DISCLAIMER =
  "This score is evidence for a conversation inside the team and with the communities involved. It is not a certificate, and it cannot show that a plan is participatory.";

const byId = (list) => Object.fromEntries((list || []).map((item) => [item.id, item]));
const pct = (value) => (value === null ? "n/a" : `${value.toFixed(1)} %`);
const range = (low, high) => (low === null ? "n/a" : low === high ? low.toFixed(1) : `${low.toFixed(1)} to ${high.toFixed(1)}`);

function rangeNote(tally) {
  if (tally.unanswered === 0) return " (every question answered)";
  return ` (between ${pct(tally.low_percent)} and ${pct(tally.high_percent)} if every unanswered question were answered at 0, or at 3)`;
}

/** The questions behind criterion ids, for readers (twin of _questions). */
function questions(criteria, ids) {
  return [["text", ids.map((x) => `\u201c${criteria[x].question}\u201d`).join("; ")]];
}

const isWebAddress = (url) => typeof url === "string" && (url.startsWith("https://") || url.startsWith("http://"));

/** The title of a model type or lifecycle stage id (twin of _option_title). */
function optionTitle(options, value) {
  if (!value) return "not given";
  const found = (options || []).find((o) => o.id === value);
  return found ? found.title || value : String(value);
}

// A reader's name for a kind of book section label (twin of _LABEL_KINDS).
// What a context limit of the band says (`band.limited_by` entries of kind "context", by id).
const CONTEXT_LIMITS = {
  "inform-only": "the plan informs only: nobody takes part",
  "no-voice": "nobody in the plan's groups has a say of their own: only data workers, data contributors, partners or people who are only told",
};
const LABEL_KINDS = { practice: "Guidance", guardrail: "Guardrail", guardrails: "Guardrails", usecase: "Use case", supplychain: "Supply chain", tool: "Tool" };

/** "word-word" -> "Word word", as Python's str.capitalize() after replacing hyphens. */
const capitalised = (text) => {
  const spaced = text.replace(/-/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
};

/** Whether an answer (or a group's cell) says "part of level 2 is in place" (twin of _is_partial). */
export function isPartial(answer) {
  return answer !== null && typeof answer === "object" && answer.partial === true && answer.level === 1;
}

/** A level as the reports show it: "1, part of 2" for a partial level-1 answer (twin of _level_shown). */
export function levelShown(level, partial) {
  return partial && level === 1 ? `${level}, part of ${level + 1}` : String(level);
}

/**
 * One list item per `partly_met` entry: the question, the group, the red flags not raised on the
 * team's word, and the rest of level 2 as the next step (twin of _partly_items).
 */
function partlyItems(criteria, flagsById, entries, groupLabel, inView) {
  return entries
    .filter((x) => inView(x.criterion))
    .map((x) => {
      const who = x.group ? ` (for ${groupLabel(x.group)})` : "";
      const titles = x.flags.map((f) => `\u201c${flagsById[f].title}\u201d`);
      const spared = titles.length
        ? `${titles.length < 3 ? titles.join(" and ") : titles.join("; ")} ${titles.length === 1 ? "is" : "are"} not raised because you said part of level 2 is in place: a reviewer should check this. `
        : "No red flag depends on this answer. ";
      return [["strong", criteria[x.criterion].question], ["text", `${who}: level 1, part of 2. ${spared}`],
        ["em", "Next step:"], ["text", ` reach all of level 2: ${x.next_step}`]];
    });
}

/** The report as data (see score_report in widgets/_reports.py). */
export function scoreReport({ rubric, assessment, score, links = {}, criteriaIds = null }) {
  const a = assessment;
  const bands = byId(rubric.bands);
  const flagsById = byId(rubric.red_flags);
  const themesById = byId(rubric.themes);
  const iap2 = byId(rubric.iap2_levels);
  const criteria = byId(rubric.criteria);
  const bandTitle = (id) => (id === null ? "not enough answers" : bands[id].title);
  const has = (table, key) => Object.prototype.hasOwnProperty.call(table, key);
  // A reader's name for a book section label, when the site gave no title for it (twin of _label_title).
  const labelTitle = (label) => {
    if (label.startsWith("theme-") && has(themesById, label.slice(6))) return `Guidance: ${themesById[label.slice(6)].title}`;
    if (label.startsWith("guardrail-") && has(flagsById, label.slice(10))) return `Guardrail: ${flagsById[label.slice(10)].title}`;
    const cut = label.indexOf("-");
    const [kind, rest] = cut < 0 ? [label, ""] : [label.slice(0, cut), label.slice(cut + 1)];
    return `${has(LABEL_KINDS, kind) ? LABEL_KINDS[kind] : "Book"}: ${capitalised(rest)}`;
  };
  // A link to the book section where the site gave its address; its title otherwise.
  const read = (label) => {
    const title = links[label] ? links[label].title : labelTitle(label);
    const url = links[label] ? links[label].url : undefined;
    return isWebAddress(url) ? [["text", "Read: "], ["link", title, url], ["text", "."]] : [["text", `Read in the book: ${title}.`]];
  };
  const fact = (name, value) => [["strong", `${name}:`], ["text", ` ${value}`]];
  const actionText = (x) => nextStepText(criteria[x.criterion], x);

  const band = score.band;
  const limitText = {
    ladder: (lim) => `the power the plan shares (any one more step of the ladder raises it; the next is ${iap2[lim.id].title})`,
    context: (lim) => (has(CONTEXT_LIMITS, lim.id) ? CONTEXT_LIMITS[lim.id] : CONTEXT_LIMITS["inform-only"]),
    profile: () => "a weak profile on the other questions (one band lower)",
  };
  const limits = band.limited_by.map((lim) =>
    has(limitText, lim.kind) ? limitText[lim.kind](lim) : `the red flag "${flagsById[lim.id].title}"`,
  );
  const could = band.low === band.high ? "" : ` (could be ${bandTitle(band.low)} to ${bandTitle(band.high)} once every question is answered)`;
  const comp = score.completeness;
  const standing = [
    fact("Band", bandTitle(band.id) + could),
    fact("Limited by", limits.join(", ") || "nothing (no answers yet)"),
    fact("IAP2 level reached", iap2[score.iap2.level].title),
    fact("Overall score on answered questions", pct(score.overall.percent) + rangeNote(score.overall)),
    fact("Completeness", `${comp.answered} answered, ${comp.not_applicable} not applicable, ${comp.unanswered} unanswered of ${comp.in_scope}; confidence ${comp.confidence}`),
  ];

  const groupLabels = new Map((score.groups || []).map((g) => [g.id, g.label]));
  const groupLabel = (gid) => (groupLabels.has(gid) ? groupLabels.get(gid) : gid);
  const flags = score.red_flags.map((f) => {
    const flag = flagsById[f.id];
    const who = f.groups && f.groups.length ? ` For: ${f.groups.map(groupLabel).join(", ")}.` : "";
    return [
      ["strong", flag.title],
      ["text", ` (limits the band to ${bandTitle("limit" in f ? f.limit : f.cap)}). ${flag.meaning.trim()}${who} Raised by `],
      ...questions(criteria, f.raised_by),
      ["text", `. Next step: ${flag.next_step} `],
      ...read(f.explained_in),
    ];
  });
  if (!flags.length) flags.push([["text", "None raised."]]);
  for (const f of score.unconfirmed_flags) {
    flags.push([["em", "Unconfirmed:"], ["text", ` ${flagsById[f.id].title}: answer `], ...questions(criteria, f.unanswered), ["text", " to check it."]]);
  }

  const themes = score.themes
    .filter((t) => t.answered + t.not_applicable + t.unanswered > 0)
    .map((t) => [
      [["text", themesById[t.id].title]],
      [["text", pct(t.percent)], ["bar", t.percent === null ? 0 : t.percent]],
      [["text", range(t.low_percent, t.high_percent)]],
      [["text", `${t.answered + t.not_applicable}/${t.answered + t.not_applicable + t.unanswered}`]],
    ]);

  const inView = (cid) => !criteriaIds || !criteriaIds.length || criteriaIds.includes(cid);
  const partly = partlyItems(criteria, flagsById, score.partly_met || [], groupLabel, inView);
  // Next steps the team has taken on (the file's `actions`): who owns each and by when.
  const owned = new Map((Array.isArray(a.actions) ? a.actions : []).filter((x) => x && x.criterion).map((x) => [x.criterion, x]));
  const ownedSpans = (entry) => (!entry || !(entry.owner || entry.due) ? []
    : [["em", "Owner:"], ["text", ` ${entry.owner || "not named"}, by ${entry.due || "no date"}. `]]);
  const steps = score.actions
    .filter((x) => inView(x.criterion))
    .map((x) => {
      const target = x.target_level === null ? "" : ` (from level ${x.level} to ${x.target_level})`;
      return [
        ["strong", criteria[x.criterion].question],
        ["text", ` [${labels.action_kinds[x.kind]}]${target}. ${actionText(x)} `],
        ["em", "Who:"],
        ["text", ` ${x.who}. `],
        ...ownedSpans(owned.get(x.criterion)),
        ...read(x.explained_in),
      ];
    });
  const nextSteps = steps.length
    ? { ordered: steps }
    : { paragraph: [["text", "No next step: every question is at its highest level or does not apply."]] };

  const change = score.what_would_change || {};
  const moves = (change.moves || [])
    .filter((m) => inView(m.criterion))
    .map((m) => {
      const crit = criteria[m.criterion];
      const group = m.group ? ` for ${groupLabel(m.group)}` : "";
      const start = m.from === null ? "unanswered" : `level ${m.from}`;
      return [["strong", crit.question], ["text", `${group}: from ${start} to level ${m.to} (${crit.levels[String(m.to)]})`]];
    });
  let changeText;
  if (change.target === null || change.target === undefined) changeText = "The band is at the top of the scale, or there are not enough answers yet.";
  else if (change.reachable) changeText = `These answers together would move the band up to at least ${bandTitle(change.target)}:`;
  else changeText = `No change of answers alone reaches ${bandTitle(change.target)}: the plan's context (for example, inform only, or only data workers and data contributors in its groups) sets its ceiling.`;
  const changeBlocks = [{ paragraph: [["text", changeText]] }];
  if (moves.length) changeBlocks.push({ list: moves });
  // One list item per answer that holds the band where it is (twin of _holding_items).
  const metAt = rubric.band_rules.met_at;
  const ruleOf = new Map(rubric.band_rules.ladder.map((s) => [s.step, s.rule]));
  const holding = [];
  for (const x of change.holding_down || []) {
    if (x.kind === "profile") {
      holding.push([["text", `The other answers earn under ${score.profile.low_percent} % of their points.`]]);
      continue;
    }
    if (!inView(x.criterion)) continue;
    const question = criteria[x.criterion].question;
    const level = x.level === null ? "unanswered" : `level ${x.level}`;
    if (x.kind === "red-flag") {
      const who = x.group ? ` for ${groupLabel(x.group)}` : "";
      holding.push([["text", `The red flag "${flagsById[x.id].title}", raised by `], ["strong", question], ["text", `${who} at ${level}.`]]);
    } else {
      const either = ruleOf.get(x.id) === "any" ? " (or another of its questions)" : "";
      holding.push([["text", `The ladder step "${iap2[x.id].title}" needs `], ["strong", question], ["text", ` at level ${metAt} or more${either}; it is ${level}.`]]);
    }
  }
  const holdingBlocks = [];
  if ((change.holding_down || []).some((x) => x.kind === "ladder")) {
    holdingBlocks.push({ paragraph: [["text", "The band counts the steps of the ladder that the plan meets: meeting any one more of the steps named below raises it by one band."]] });
  }
  holdingBlocks.push(holding.length ? { list: holding } : { paragraph: [["text", "Nothing holds this result down."]] });

  const groupRows = (score.groups || []).map((g) => [
    [["text", g.label]],
    [["text", g.role + (g.holds_power ? " (holds power)" : "")]],
    [["text", g.red_flags.map((f) => flagsById[f].title).join(", ") || "none"]],
  ]);

  const answers = a.answers || {};
  const rows = score.contributions
    .filter((c) => inView(c.criterion))
    .map((c) => {
      const ans = answers[c.criterion];
      const texts = ans !== null && typeof ans === "object" && !Array.isArray(ans) ? [ans.evidence, ans.notes] : [];
      let shown = { answered: levelShown(c.level, isPartial(ans)), "not-applicable": "n/a", unanswered: "unanswered" }[c.status];
      if (c.reason === "no-participants") shown += " (no participants)";
      else if (c.reason === "process" || c.reason === "no-group") shown += " (does not apply to this plan)";
      if (c.groups && c.groups.length) {
        const cells = ans !== null && typeof ans === "object" && ans.by_group && typeof ans.by_group === "object" ? ans.by_group : {};
        // A group without an answer of its own takes the plain answer, its tick included.
        const own = (gid) => (Object.prototype.hasOwnProperty.call(cells, gid) ? cells[gid] : ans);
        const cell = (x) => (x.status === "not-applicable" ? "n/a" : x.level !== null ? levelShown(x.level, isPartial(own(x.group))) : "unanswered");
        shown += ` (${c.groups.map((x) => `${groupLabel(x.group)}: ${cell(x)}`).join("; ")})`;
      }
      if (c.flags && c.flags.length) shown += " (red flag)";
      return [
        [["text", criteria[c.criterion].question]],
        [["text", themesById[c.theme].title]],
        [["text", String(c.weight_points)]],
        [["text", shown]],
        [["text", `${c.points}/${c.max_points}`]],
        [["text", texts.filter((x) => x).join(" / ")]],
      ];
    });

  const sections = [
    { heading: "Where the plan stands", blocks: [{ list: standing }] },
    { heading: "Red flags", blocks: [{ list: flags }] },
    ...(partly.length
      ? [{ heading: labels.partial.section, blocks: [
        { paragraph: [["text", labels.partial.report_intro]] },
        { list: partly }] }]
      : []),
    { heading: "What would change the result", blocks: changeBlocks },
    { heading: "What holds it down", blocks: holdingBlocks },
    {
      heading: "Themes",
      blocks: [{ table: { caption: "Score per theme, in percent of the points available on answered questions", head: ["Theme", "Score on answered questions", "Range (unanswered at 0 or 3)", "Answered"], rows: themes } }],
    },
    { heading: "Next steps", blocks: [nextSteps] },
    ...(groupRows.length
      ? [{ heading: "Participant groups", blocks: [{ table: { caption: "Each declared group: its role and the red flags raised for it", head: ["Group", "Role", "Red flags raised for it"], rows: groupRows } }] }]
      : []),
    {
      heading: "Answers: how each number was reached",
      blocks: [{ table: { caption: "Each question in view: answer, points, evidence and notes", head: ["Question", "Theme", "Weight", "Answer", "Points", "Evidence and notes"], rows } }],
    },
  ];
  if ((a.migrations || []).length) {
    sections.push({ heading: "Migrations applied to this file", blocks: [{ list: a.migrations.map((m) => [["text", m]]) }] });
  }
  return {
    title: `Engagement-plan self-assessment: ${a.team || "unnamed team"}`,
    facts: [
      ["Product", a.product || "not given"],
      ["Model type", optionTitle(rubric.model_types, a.model_type)],
      ["Lifecycle stage", optionTitle(rubric.lifecycle_stages, a.lifecycle_stage)],
      ["Date", a.date || "not given"],
      ["Rubric", `${rubric.id} ${rubric.version}, ${score.scope} version`],
    ],
    disclaimer: DISCLAIMER,
    sections,
  };
}

/**
 * What to do next for one action, starting from the level the answer reached (the same text as
 * the report's next steps): the criterion's own step from level 0 or an unanswered question, the
 * next level's description otherwise, and evidence a reader can check for the top level.
 */
export function nextStepText(criterion, action) {
  if (action.target_level === null) return `Answer this question; then, if needed: ${criterion.next_step.action}`;
  if (action.target_level === 3) return `Put it in place, with evidence a reader can check. Level 3 means: ${criterion.levels["3"]}`;
  if (action.level === null || action.level === 0) return `${criterion.next_step.action} Level ${action.target_level} means: ${criterion.levels[String(action.target_level)]}`;
  return `Reach level ${action.target_level}: ${criterion.levels[String(action.target_level)]}`;
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

const mdUrl = (url) => url.replace(/ /g, "%20").replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/</g, "%3C").replace(/>/g, "%3E");

function mdInline(spans) {
  return spans
    .map(([kind, text, url]) => {
      if (kind === "link") return `[${escapeMarkdown(text)}](${mdUrl(url)})`;
      if (kind === "text") return escapeMarkdown(text);
      if (kind === "strong") return `**${escapeMarkdown(text)}**`;
      if (kind === "em") return `*${escapeMarkdown(text)}*`;
      if (kind === "code") return IDENTIFIER.test(text) ? `\`${text}\`` : escapeMarkdown(text);
      return "";
    })
    .join("");
}

/** A report from scoreReport() as Markdown; every piece of text is escaped. */
export function renderMarkdown(report) {
  const lines = [`# ${escapeMarkdown(report.title)}`, ""];
  for (const [name, value] of report.facts) lines.push(`- **${escapeMarkdown(name)}:** ${escapeMarkdown(value)}`);
  lines.push("", `> ${escapeMarkdown(report.disclaimer)}`);
  for (const section of report.sections) {
    lines.push("", `## ${escapeMarkdown(section.heading)}`, "");
    for (const block of section.blocks) {
      if (block.paragraph) lines.push(mdInline(block.paragraph));
      else if (block.list) lines.push(...block.list.map((item) => `- ${mdInline(item)}`));
      else if (block.ordered) lines.push(...block.ordered.map((item, i) => `${i + 1}. ${mdInline(item)}`));
      else {
        const { head, rows } = block.table;
        lines.push(`| ${head.map((x) => escapeMarkdown(x)).join(" | ")} |`, `|${"---|".repeat(head.length)}`);
        lines.push(...rows.map((row) => `| ${row.map(mdInline).join(" | ")} |`));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The Markdown report of one scored assessment (the page's "Download report"). */
export function markdownReport(args) {
  return renderMarkdown(scoreReport(args));
}
