// The form (plan fields, questions by theme, progress), part of the self-assessment front-end (widgets/static/assessment.js puts the parts together).

import { h, headingTag } from "../lib/dom.js";
import { levelOf } from "../scoring.js";
import { byId, UI } from "./file.js";

//: The rubric's weight classes in words (their meaning is given once, above the questions).
const WEIGHT_WORDS = { H: "high", M: "medium", L: "low" };

/** The form of one assessment, drawn into ctx.form; returns build, syncAnswers and syncProgress. */
export function createForm(ctx) {
  const { model, uid, controls, form, result, layout, linkTo, getAssessment, updateAnswer, updateField } = ctx;

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

  function buildCriterion(c, rubric) {
    const scale = rubric.scale;
    const flags = byId(rubric.red_flags);
    const legendId = `${uid}-${c.id}-q`;
    const radios = new Map();
    const levelsBox = h("div", { class: "pai-levels" });
    const options = scale.map((lv) => ({ value: lv.level, name: `${lv.level} · ${lv.name}`, text: c.levels[String(lv.level)] }));
    if (c.not_applicable_if) options.push({ value: "n/a", name: UI.notApplicable, text: c.not_applicable_if });
    for (const opt of options) {
      const input = h("input", {
        type: "radio",
        name: `${uid}-${c.id}`,
        value: String(opt.value),
        id: `${uid}-${c.id}-${opt.value === "n/a" ? "na" : opt.value}`,
        onchange: () => updateAnswer(c.id, { level: opt.value }),
      });
      radios.set(opt.value, input);
      levelsBox.append(
        h("label", { class: "pai-level", for: input.id }, input, h("span", {}, h("span", { class: "pai-level-name", text: opt.name }), " ", h("span", { text: opt.text }))),
      );
    }
    const flag = c.flag ? flags[c.flag.id] : null;
    // "Why this matters" is said once per theme (its intro); each question gives its weight and,
    // for a guardrail question, what the guardrail protects.
    const why = h(
      "p",
      { class: "pai-why" },
      h("span", { class: "pai-weight", text: `Weight: ${WEIGHT_WORDS[c.weight] || c.weight}.` }),
      flag ? ` Guardrail: ${flag.meaning}` : "",
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
      { type: "button", class: "pai-clear", onclick: () => updateAnswer(c.id, { level: null }), "aria-describedby": legendId },
      "Clear answer",
    );
    const fieldset = h(
      "fieldset",
      { class: "pai-criterion", id: `${uid}-${c.id}`, "data-criterion": c.id },
      h("legend", { id: legendId }, h("span", { text: c.question }), flag ? h("span", { class: "pai-flag-tag", text: "Guardrail" }) : null),
      levelsBox,
      why,
      details,
      clear,
    );
    controls.set(c.id, { radios, evidence, notes, fieldset, details });
    return fieldset;
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
      form.append(intro, fields);
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
    }
    ctx.schedulePrintView();
  }

  function syncProgress() {
    const answers = getAssessment().answers || {};
    const isAnswered = (c) => levelOf(answers[c.id]) !== null;
    const answered = ctx.view.criteria.filter(isAnswered).length;
    progressBar.max = ctx.view.criteria.length;
    progressBar.value = answered;
    progressText.textContent = `${answered} of ${ctx.view.criteria.length} questions answered`;
    for (const [tid, node] of themeCounts) {
      const inTheme = ctx.view.criteria.filter((c) => c.theme === tid);
      node.textContent = `(${inTheme.filter(isAnswered).length}/${inTheme.length})`;
    }
  }

  return { build, syncAnswers, syncProgress };
}
