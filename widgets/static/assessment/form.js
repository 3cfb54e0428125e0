// The form (plan fields, questions by theme, progress), part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { h, headingTag } from "../lib/dom.js";
import { levelOf } from "../scoring.js";
import { byId, notApplicableReason, questionStatus, UI } from "./file.js";
import { createPlanSetup } from "./plan.js";

//: The rubric's weight classes in words (their meaning is given once, above the questions).
const WEIGHT_WORDS = { H: "high", M: "medium", L: "low" };

/** The form of one assessment, drawn into ctx.form; returns build, syncAnswers and syncProgress. */
export function createForm(ctx) {
  const { model, uid, controls, form, result, layout, linkTo, getAssessment, updateAnswer, updateField, say } = ctx;
  const planSetup = createPlanSetup(ctx);
  // Per-group questions whose "differs by group" box is ticked, though no group has its own answer yet.
  const differs = new Set();
  // "Part of level 2" ticks hidden because another level was chosen ("question" or "question|group"):
  // the file may hold the tick only with level 1, so the form remembers it, and gives it back when
  // level 1 is chosen again.
  const partialKept = new Set();
  // A new file (uploaded, or started over) brings its own ticks: none hidden from before is given back.
  ctx.forgetHiddenTicks = () => partialKept.clear();

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

  function levelOptions(c, scale) {
    const options = scale.map((lv) => ({ value: lv.level, name: `${lv.level} · ${lv.name}`, text: c.levels[String(lv.level)] }));
    if (c.not_applicable_if) options.push({ value: "n/a", name: UI.notApplicable, text: c.not_applicable_if });
    return options;
  }

  /** One radio per level; `brief` shows the level names only (the descriptors are above). */
  function radioSet(idBase, options, onPick, brief = false) {
    const radios = new Map();
    const box = h("div", { class: brief ? "pai-levels pai-levels-brief" : "pai-levels" });
    for (const opt of options) {
      const input = h("input", {
        type: "radio",
        name: idBase,
        value: String(opt.value),
        id: `${idBase}-${opt.value === "n/a" ? "na" : opt.value}`,
        onchange: () => onPick(opt.value),
      });
      radios.set(opt.value, input);
      box.append(
        h("label", { class: "pai-level", for: input.id }, input,
          h("span", {}, h("span", { class: "pai-level-name", text: opt.name }), brief ? "" : " ", brief ? "" : h("span", { text: opt.text }))),
      );
    }
    return { box, radios };
  }

  /**
   * The "part of level 2" box of a question or a group's row, shown under the levels when level 1
   * is chosen. `whom` names the question (and the group) for a screen reader.
   */
  function partialBox(idBase, whom, onToggle) {
    const input = h("input", { type: "checkbox", id: `${idBase}-partial`, "aria-describedby": `${idBase}-partial-hint`,
      onchange: () => onToggle(input.checked) });
    const field = h("div", { class: "pai-partial", hidden: true },
      input, " ",
      h("label", { for: input.id }, UI.partial.label, h("span", { class: "pai-visually-hidden", text: `, ${whom}` })),
      h("p", { class: "pai-partial-hint", id: `${idBase}-partial-hint`, text: UI.partial.hint }));
    return { field, input };
  }

  /** The level picked for a question or a group's row, with its "part of level 2" tick kept or given back. */
  function pickLevel(key, current, value, write) {
    if (value === 1) {
      const back = partialKept.delete(key) || current?.partial === true;
      write(back ? { level: 1, partial: true } : { level: 1 });
      return;
    }
    if (current?.partial === true && current.level === 1) partialKept.add(key);
    write({ level: value });
  }

  function toggled(key, checked, write) {
    partialKept.delete(key);
    write({ partial: checked });
  }

  function buildCriterion(c, rubric) {
    const flags = byId(rubric.red_flags);
    const legendId = `${uid}-${c.id}-q`;
    const options = levelOptions(c, rubric.scale);
    const write = (patch) => updateAnswer(c.id, patch);
    const { box: levelsBox, radios } = radioSet(`${uid}-${c.id}`, options,
      (value) => pickLevel(c.id, getAssessment().answers?.[c.id], value, write));
    const partial = partialBox(`${uid}-${c.id}`, `for: ${c.question}`, (checked) => {
      toggled(c.id, checked, write);
      // The hint asks for the part in place: the evidence field is shown to write it in.
      if (checked) control.details.open = true;
    });
    // Under the level-1 choice itself, so the box reads as part of that answer (and Tab reaches it next).
    radios.get(1)?.closest("label")?.after(partial.field);
    // The red flags this question can raise (rubric 2.0: `raises`, by level); a guardrail among
    // them marks the question as a guardrail question.
    const raises = [...new Set(Object.values(c.raises || {}).flat())].map((id) => flags[id]).filter(Boolean);
    const flag = raises.find((f) => f.kind === "guardrail") || null;
    // "Why this matters" is said once per theme (its intro); each question gives its weight and,
    // for a guardrail question, what the guardrail protects.
    const why = h(
      "p",
      { class: "pai-why" },
      h("span", { class: "pai-weight", text: `Weight: ${WEIGHT_WORDS[c.weight] || c.weight}.` }),
      flag ? ` Guardrail: ${flag.meaning}` : "",
      raises.length ? ` Red flags it can raise: ${raises.map((f) => f.title).join("; ")}.` : "",
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
      { type: "button", class: "pai-clear", onclick: () => pickLevel(c.id, getAssessment().answers?.[c.id], null, write), "aria-describedby": legendId },
      "Clear answer",
    );
    const naNote = h("p", { class: "pai-na-reason", id: `${uid}-${c.id}-na`, hidden: true });
    const control = { radios, evidence, notes, details, naNote, criterion: c, options, partial };
    let groupPart = null;
    if (c.per_group) {
      control.allGroups = h("p", { class: "pai-all-groups", hidden: true });
      control.differs = h("input", {
        type: "checkbox",
        id: `${uid}-${c.id}-differs`,
        onchange: () => {
          if (control.differs.checked) {
            differs.add(c.id);
            syncAnswers();
            control.groupsBox.querySelector("input[type=radio]")?.focus();
          } else {
            differs.delete(c.id);
            const cells = getAssessment().answers?.[c.id]?.by_group;
            if (cells && Object.keys(cells).length) {
              ctx.updateCell(c.id, null, null);
              say("This question is answered once for every group again; the answers given per group were kept, word for word, in its notes.");
            } else syncAnswers();
          }
        },
      });
      control.differsField = h("div", { class: "pai-differs", hidden: true }, control.differs, " ",
        h("label", { for: control.differs.id, text: "Differs by group: answer for each group" }));
      control.groupsBox = h("div", { class: "pai-group-answers", hidden: true });
      control.groupKey = "";
      groupPart = [control.allGroups, control.differsField, control.groupsBox];
    }
    const fieldset = h(
      "fieldset",
      { class: "pai-criterion", id: `${uid}-${c.id}`, "data-criterion": c.id },
      h("legend", { id: legendId }, h("span", { text: c.question }), flag ? h("span", { class: "pai-flag-tag", text: "Guardrail" }) : null),
      naNote,
      levelsBox,
      groupPart,
      why,
      details,
      clear,
    );
    control.fieldset = fieldset;
    controls.set(c.id, control);
    return fieldset;
  }

  /** The per-group level choices of one question, rebuilt when its asked groups change. */
  function buildGroupAnswers(control, asked, rubric) {
    const c = control.criterion;
    const roles = byId(rubric.group_roles);
    control.cells = new Map();
    control.groupsBox.replaceChildren(
      ...asked.map((g) => {
        const idBase = `${uid}-${c.id}-g-${g.id}`;
        const key = `${c.id}|${g.id}`;
        const write = (patch) => ctx.updateCell(c.id, g.id, patch);
        const own = () => getAssessment().answers?.[c.id]?.by_group?.[g.id];
        const { box, radios } = radioSet(idBase, control.options, (value) => pickLevel(key, own(), value, write), true);
        const partial = partialBox(idBase, `for ${g.label}: ${c.question}`, (checked) => toggled(key, checked, write));
        const evidence = h("textarea", { id: `${idBase}-evidence`, rows: 1, oninput: (e) => ctx.updateCell(c.id, g.id, { evidence: e.target.value }) });
        const clear = h("button", { type: "button", class: "pai-clear", "aria-describedby": `${idBase}-legend`,
          onclick: () => pickLevel(key, own(), null, write) }, "Clear this group's answer");
        const inherits = h("p", { class: "pai-inherits", text: "No answer of its own: it takes the answer for all groups." });
        control.cells.set(g.id, { radios, evidence, inherits, partial });
        return h(
          "fieldset",
          { class: "pai-group-answer", "data-group": g.id },
          h("legend", { id: `${idBase}-legend` }, h("span", { text: `For ${g.label}` }), h("span", { class: "pai-role", text: ` (${roles[g.role]?.title || g.role})` })),
          inherits,
          box,
          partial.field,
          h("div", { class: "pai-field" }, h("label", { for: evidence.id, text: `Evidence for ${g.label}` }), evidence),
          clear,
        );
      }),
    );
  }

  function build() {
    ctx.view = computeView();
    const { rubric } = ctx.view;
    controls.clear();
    themeCounts.clear();
    form.replaceChildren();
    result.replaceChildren();
    layout.classList.toggle("pai-has-aside", true);

    const intro = h(
      "div",
      { class: "pai-intro" },
      h("p", { class: "pai-caveat", text: rubric.summary }),
      h("p", { class: "pai-caveat pai-weights", text: Object.entries(rubric.weights || {}).map(([id, w]) => `${(WEIGHT_WORDS[id] || id).replace(/^./, (c) => c.toUpperCase())} weight: ${w.meaning}`).join(" ") }),
    );
    if (!ctx.view.subset) {
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
      form.append(intro, fields, planSetup.build(rubric));
    }
    form.append(
      h(
        "div",
        { class: "pai-progress" },
        h("label", { for: progressBar.id, text: "Progress" }),
        progressBar,
        progressText,
        h("a", { href: `#${uid}-result-h`, class: "pai-to-result", text: ctx.view.subset ? "See the self-check result" : "See your result" }),
      ),
    );
    if (ctx.view.themes.length > 1) {
      themeNav.replaceChildren(
        h(
          "ol",
          {},
          ctx.view.themes.map((t) => {
            const count = h("span", { class: "pai-theme-count" });
            themeCounts.set(t.id, count);
            return h("li", {}, h("a", { href: `#${uid}-theme-${t.id}` }, h("span", { text: t.title }), " ", count));
          }),
        ),
      );
      form.append(themeNav);
    }
    for (const theme of ctx.view.themes) {
      const section = h(
        "section",
        { class: "pai-theme", id: `${uid}-theme-${theme.id}`, "aria-labelledby": `${uid}-theme-${theme.id}-h` },
        h(headingTag(ctx.headingLevel), { class: "pai-theme-title", id: `${uid}-theme-${theme.id}-h`, text: theme.title }),
        h("p", { class: "pai-theme-intro" }, h("strong", { text: "Why this matters: " }), theme.summary, " ", linkTo(theme.explained_in)),
      );
      for (const c of ctx.view.criteria.filter((x) => x.theme === theme.id)) section.append(buildCriterion(c, rubric));
      form.append(section);
    }
    syncAnswers();
    ctx.syncScore();
  }

  /**
   * Take the focus to a question of the form, from a link elsewhere on the page: to its chosen
   * level, or its first, so the arrow keys answer it at once. False when this page does not ask it.
   */
  ctx.focusQuestion = function focusQuestion(cid) {
    const control = controls.get(cid);
    if (!control || !control.fieldset.isConnected) return false;
    const radios = [...control.radios.values()].filter((r) => !r.disabled);
    const target = radios.find((r) => r.checked) || radios[0] || control.fieldset;
    if (target === control.fieldset) control.fieldset.tabIndex = -1;
    control.fieldset.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    return true;
  };

  // ---------------------------------------------------------------- keeping the form in step with the model

  function setValue(control, value) {
    const text = value ?? "";
    // Never overwrite what the person is typing.
    if (control.value !== text && document.activeElement !== control) control.value = text;
  }

  function syncAnswers() {
    if (!ctx.view) return;
    const a = getAssessment();
    if (!ctx.view.subset) {
      for (const key of ["team", "product", "model_type", "lifecycle_stage", "date", "rater", "round"]) {
        if (about[key]) setValue(about[key], a[key] === undefined || a[key] === null ? "" : String(a[key]));
      }
    }
    if (!ctx.view.subset) planSetup.sync(ctx.view.rubric, a);
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
      syncPartial(ctl.partial, answer, level);
      syncApplies(ctl, a);
    }
    ctx.schedulePrintView();
  }

  /** The "part of level 2" box: shown with level 1 only, ticked as the file says. */
  function syncPartial(partial, answer, level) {
    partial.field.hidden = level !== 1;
    const ticked = level === 1 && answer?.partial === true;
    if (partial.input.checked !== ticked) partial.input.checked = ticked;
  }

  /** Not applicable (with the reason) or per group, as the plan's context and groups say. */
  function syncApplies(ctl, a) {
    const c = ctl.criterion;
    const rubric = ctx.view.rubric;
    const status = questionStatus(c, rubric, a);
    const dropped = !status.applies;
    ctl.fieldset.classList.toggle("pai-na", dropped);
    ctl.naNote.hidden = !dropped;
    const answer = a.answers?.[c.id];
    const kept = answer && (levelOf(answer) !== null || answer.by_group) ? " Your answer stays in the file and counts again if the plan changes." : "";
    ctl.naNote.textContent = dropped ? notApplicableReason(status, c, rubric, a) + kept : "";
    for (const input of ctl.radios.values()) input.disabled = dropped;
    ctl.partial.input.disabled = dropped;
    if (!c.per_group) return;
    const perGroup = status.applies && status.asked.length > 0;
    const cells = (answer && answer.by_group) || {};
    const open = perGroup && (differs.has(c.id) || Object.keys(cells).length > 0);
    ctl.allGroups.hidden = !perGroup;
    ctl.allGroups.textContent = perGroup
      ? (open ? "Groups without an answer of their own take this answer" : "One answer for every group asked") + `: ${status.asked.map((g) => g.label).join(", ")}.`
      : "";
    ctl.differsField.hidden = !perGroup;
    if (ctl.differs.checked !== open) ctl.differs.checked = open;
    ctl.groupsBox.hidden = !open;
    if (!open) return;
    const key = JSON.stringify(status.asked);
    if (key !== ctl.groupKey) {
      ctl.groupKey = key;
      buildGroupAnswers(ctl, status.asked, rubric);
    }
    for (const [gid, cell] of ctl.cells) {
      const own = cells[gid];
      const level = own ? own.level ?? null : null;
      for (const [value, input] of cell.radios) {
        const checked = value === level;
        if (input.checked !== checked) input.checked = checked;
      }
      cell.inherits.hidden = Boolean(own);
      setValue(cell.evidence, own?.evidence || "");
      syncPartial(cell.partial, own, level);
    }
  }

  function syncProgress() {
    const a = getAssessment();
    const answers = a.answers || {};
    const rubric = ctx.view.rubric;
    const applies = ctx.view.criteria.filter((c) => questionStatus(c, rubric, a).applies);
    const isAnswered = (c) => levelOf(answers[c.id]) !== null || Object.values(answers[c.id]?.by_group || {}).some((x) => (x.level ?? null) !== null);
    const answered = applies.filter(isAnswered).length;
    const dropped = ctx.view.criteria.length - applies.length;
    progressBar.max = Math.max(applies.length, 1);
    progressBar.value = answered;
    progressText.textContent = `${answered} of ${applies.length} questions answered` + (dropped ? ` (${dropped} do not apply to this plan)` : "");
    for (const [tid, node] of themeCounts) {
      const inTheme = applies.filter((c) => c.theme === tid);
      node.textContent = `(${inTheme.filter(isAnswered).length}/${inTheme.length})`;
    }
  }

  return { build, syncAnswers, syncProgress };
}
