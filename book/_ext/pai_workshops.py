"""Sphinx extension for the Workshops part: agendas, handouts and the index of facilitator notes.

Everything here is generated at build time from data that has one home, so a page and its
printed handout can never disagree:

* ``{pai-agenda} 90`` renders one session agenda from ``book/workshops/_data/agendas.yaml``
  (an overview table with start times, then each block's purpose, words to read aloud,
  materials and what to collect).
* ``{pai-worksheet} short`` and ``{pai-worksheet} usecase:<slug>`` print a participant worksheet
  from the rubric (``widgets/rubric/engagement-plan.yaml``): every question with every level as
  a box to tick and lines for evidence; a use case's worksheet has the criteria of its self-check.
* ``{pai-rubric-levels}`` prints the whole rubric with all four levels of every question.
* ``{pai-guardrails-card}`` prints every red flag and the questions that raise it: the guardrails
  first, on a sheet of their own, then the other kinds of flag, each under its heading.
* ``{pai-example-plans}`` writes each example plan in ``widgets/examples/`` as prose.
* ``{pai-facilitator-notes}`` is an index, by topic, of every "Facilitator notes" admonition in
  the book, collected from the pages while they are read (nothing is typed twice).
* ``{pai-handouts}`` lists the handout PDFs, which ``book/_ext/pai_handouts.py`` prints with
  headless Chromium after the HTML build (``make book``).

Generated text is MyST, parsed as if it were in the page; user-editable text in the data
files is escaped with the project's Markdown escaper.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
AGENDAS = ROOT / "book" / "workshops" / "_data" / "agendas.yaml"
EXAMPLES = ROOT / "widgets" / "examples"
#: The handouts: PDF file name (under ``handouts/`` in the site) -> (page, title).
HANDOUTS = {
    "agendas.pdf": ("book/workshops/10-handout-agendas", "Session agendas (60, 90, 120 minutes and a half-day)"),
    "short-assessment-worksheet.pdf": ("book/workshops/11-handout-short-assessment", "Short self-assessment worksheet"),
    "use-case-worksheets.pdf": ("book/workshops/12-handout-use-cases", "Use-case worksheets"),
    "rubric.pdf": ("book/workshops/13-handout-rubric", "The rubric with all levels"),
    "guardrails-card.pdf": ("book/workshops/14-handout-guardrails", "Guardrails card"),
    "example-plans.pdf": ("book/workshops/15-handout-example-plans", "Example plans as prose"),
    "action-log.pdf": ("book/workshops/16-handout-action-log", "Action log"),
    "evaluation-form.pdf": ("book/workshops/17-handout-evaluation", "Evaluation form"),
}
HANDOUT_DIR = "handouts"
NOTE_TITLE = re.compile(r"^facilitator notes?\b", re.IGNORECASE)
#: The lead-in word of a note item (its bold start) -> the topic it is indexed under.
TOPICS = (
    ("format", "Session formats and timing"),
    ("prepare", "Preparing a session"),
    ("before the session", "Preparing a session"),
    ("warm-up", "Exercises and activities"),
    ("exercise", "Exercises and activities"),
    ("role play", "Exercises and activities"),
    ("discussion", "Discussion"),
    ("watch for", "What to watch for"),
    ("link", "Links to other parts"),
    ("materials", "Materials"),
    ("sensitivity", "Sensitive topics"),
    ("time", "Session formats and timing"),  # after "exercise": "Timeline exercise" is an exercise
)
GENERAL_TOPIC = "General advice"


def _md(text: Any) -> str:
    from widgets._text import escape_markdown

    return escape_markdown(text)


def load_agendas() -> list[dict]:
    """The agendas, checked: every block has its fields and the minutes add up."""
    data = yaml.safe_load(AGENDAS.read_text(encoding="utf-8"))
    agendas = data["agendas"]
    for a in agendas:
        for b in a["blocks"]:
            missing = [k for k in ("id", "title", "minutes", "purpose", "read_aloud", "materials", "collect") if k not in b]
            if missing:
                raise ValueError(f"{AGENDAS}: agenda {a['id']}, block {b.get('id')}: missing {', '.join(missing)}")
        total = sum(b["minutes"] for b in a["blocks"]) + a["buffer"]
        if total != a["minutes"]:
            raise ValueError(f"{AGENDAS}: agenda {a['id']}: blocks and buffer add up to {total} minutes, not {a['minutes']}")
    return agendas


def agenda_markdown(agenda: dict) -> str:
    out = [f"*{_md(agenda['audience'])}*", "",
           f"| Start | Block | Minutes | Purpose |", "|---|---|---|---|"]
    t = 0
    for b in agenda["blocks"]:
        out.append(f"| {t // 60}:{t % 60:02d} | {_md(b['title'])} | {b['minutes']} | {_md(b['purpose'])} |")
        t += b["minutes"]
    out.append(f"| {t // 60}:{t % 60:02d} | Buffer for overruns | {agenda['buffer']} | Keep it: every session overruns somewhere. |")
    out.append("")
    t = 0
    for i, b in enumerate(agenda["blocks"], start=1):
        out += [f"```{{rubric}} {i}. {_md(b['title'])} ({b['minutes']} min, from {t // 60}:{t % 60:02d})", "```",
                f"Purpose\n: {_md(b['purpose'])}", "",
                f"Read aloud\n: \u201c{_md(b['read_aloud'])}\u201d", "",
                f"Materials\n: {'; '.join(_md(m) for m in b['materials'])}", "",
                f"Collect\n: {'; '.join(_md(m) for m in b['collect'])}", ""]
        t += b["minutes"]
    return "\n".join(out)


def _rubric():
    from widgets._scoring import load_rubric

    return load_rubric()


def _level_lines(c, *, tick: bool) -> list[str]:
    rubric = _rubric()
    names = {s["level"]: s["name"] for s in rubric.data["scale"]}
    box = "\u2610 " if tick else ""
    lines = [f"- {box}**{lv} {_md(names[lv])}.** {_md(c.levels[lv])}" for lv in range(4)]
    if tick:
        # Beside level 1, a second box: the plan does part of level 2 (the form's box under level 1).
        from widgets._reports import ui_labels

        lines.insert(2, f"  - {box}*{_md(ui_labels()['partial']['worksheet'])}*")
    if c.not_applicable_if:
        lines.append(f"- {box}**Does not apply.** {_md(c.not_applicable_if)}")
    return lines


def worksheet_markdown(criteria, *, title: str) -> str:
    rubric = _rubric()
    out = ["Team: ______________________  Rater (name or nickname): ______________  Round: ____  Date: __________", ""]
    theme = None
    for n, c in enumerate(criteria, start=1):
        if c.theme != theme:
            theme = c.theme
            out += [f"```{{rubric}} {_md(rubric.themes[theme]['title'])}", "```", ""]
        # One block a question, so that printing keeps it on one sheet with its evidence line.
        out += [":::{container} pai-worksheet-question", f"**{n}. {_md(c.question)}** ({c.id})", ""] + _level_lines(c, tick=True)
        out += ["", "Evidence: ____________________________________________________________", ":::", ""]
    return "\n".join(out)


def rubric_levels_markdown() -> str:
    rubric = _rubric()
    out = ["| Level | Name | Meaning |", "|---|---|---|"]
    out += [f"| {s['level']} | {_md(s['name'])} | {_md(s['meaning'])} |" for s in rubric.data["scale"]]
    out.append("")
    theme = None
    for c in rubric.criteria:
        if c.theme != theme:
            theme = c.theme
            out += [f"```{{rubric}} {_md(rubric.themes[theme]['title'])}", "```", ""]
        flag = f" Raises the red flag *{_md(rubric.red_flags[c.flag]['title'])}* at level {c.flag_at_or_below} or below." if c.flag else ""
        short = " In the short assessment." if c.short else ""
        out += [f"**{_md(c.question)}** ({c.id}, weight {c.weight}).{short}{flag}", ""] + _level_lines(c, tick=False) + [""]
    return "\n".join(out)


#: The parts of the guardrails card, one per kind of red flag, in the order printed: the guardrails
#: first (their own sheet), then the other kinds. Kind -> (heading, what the part holds).
CARD_PARTS = {
    "guardrail": ("The guardrails",
                  "What a participatory process must never do: the floor under every plan that calls itself "
                  "participatory, whatever else the plan does well."),
    "warning-sign": ("Warning signs",
                     "Signs that what a plan claims, or the terms it offers, do not match what it does for the "
                     "people who take part."),
    "pattern": ("Patterns found in plans",
                "Failures of recruitment, design and follow-through that reviewers meet again and again in real "
                "engagement plans."),
    "labour": ("Labour conditions",
               "The conditions of the people who collect, label, rate and red-team the data: the supply chain."),
}


def guardrails_card_parts() -> list[tuple[str, str]]:
    """The guardrails card as (kind, MyST text) parts: the guardrails, then each other kind.

    Each flag is numbered within its part and followed by the questions that raise it, with the
    highest answer level that does (the card is printed for a room: questions by their text, as the
    form shows them, never by id). A kind the rubric has but ``CARD_PARTS`` does not name is an
    error, so a new kind of flag cannot drop off the card unseen.
    """
    rubric = _rubric()
    unknown = sorted({f["kind"] for f in rubric.red_flags.values()} - set(CARD_PARTS))
    if unknown:
        raise ValueError(f"red flags of kind {', '.join(unknown)} have no part on the guardrails card "
                         "(add them to CARD_PARTS in book/_ext/pai_workshops.py)")
    parts = []
    for kind, (heading, intro) in CARD_PARTS.items():
        flags = [(fid, f) for fid, f in rubric.red_flags.items() if f["kind"] == kind]
        if not flags:
            continue
        out = [f"```{{rubric}} {_md(heading)}", "```", "", f"*{_md(intro)}*", ""]
        for i, (fid, f) in enumerate(flags, start=1):
            raised = [(c, max(level for level, ids in c.raises.items() if fid in ids))
                      for c in rubric.criteria if fid in c.flags]
            # One paragraph a flag (its questions on a line of their own), so a part prints compactly.
            out += [f"**{i}. {_md(f['title'])}.** {_md(f['meaning'])}\\",
                    "*Raised by:* " + "; ".join(f"{_md(c.question)} (answered at level {level}{' or below' if level else ''})"
                                              for c, level in raised), ""]
        parts.append((kind, "\n".join(out)))
    return parts


def guardrails_markdown() -> str:
    """The whole guardrails card as MyST text (its parts one after the other)."""
    return "\n".join(text for _, text in guardrails_card_parts())


def example_plans_markdown() -> str:
    from widgets._assessment import load_assessment

    rubric = _rubric()
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        a = load_assessment(path)
        out += [f"```{{rubric}} {_md(a.team)}", "```", "",
                f"*{_md(a.product)}.* Model type: {_md(a.model_type.replace('-', ' '))}. Stage now: "
                f"{_md(a.lifecycle_stage.replace('-', ' '))}. File: `{path.name}`.", ""]
        for tid, theme in rubric.themes.items():
            said, silent = [], []
            for c in rubric.criteria:
                if c.theme != tid:
                    continue
                ans = a.answers.get(c.id)
                if ans is None or ans.level is None:
                    silent.append(c.question)
                elif ans.level == "n/a":
                    said.append(f"{c.not_applicable_if}")
                else:
                    said.append(ans.evidence or c.levels[ans.level])
            text = " ".join(_md(s if s.rstrip().endswith((".", "!", "?")) else s + ".") for s in said)
            if silent:
                text += " The plan does not say: " + " ".join(_md(q) for q in silent)
            out += [f"**{_md(theme['title'])}.** {text}", ""]
    return "\n".join(out)


class _Generated(SphinxDirective):
    """Base: subclasses return MyST text, parsed into the page."""

    def text(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        try:
            text = self.text()
        except (ValueError, KeyError) as exc:
            logger.warning("%s: %s", self.name, exc, location=self.get_location())
            return []
        for dep in self.dependencies:
            self.env.note_dependency(str(dep))
        container = nodes.container(classes=[f"pai-{self.name.removeprefix('pai-')}"])
        container += self.parse_text_to_nodes(text)
        return [container]

    dependencies: tuple = ()


class AgendaDirective(_Generated):
    required_arguments = 1
    dependencies = (AGENDAS,)

    def text(self) -> str:
        wanted = self.arguments[0]
        for a in load_agendas():
            if a["id"] == wanted:
                return agenda_markdown(a)
        raise ValueError(f"no agenda {wanted!r} in {AGENDAS.name}")


class WorksheetDirective(_Generated):
    required_arguments = 1

    def text(self) -> str:
        rubric = _rubric()
        which = self.arguments[0]
        if which == "short":
            return worksheet_markdown([c for c in rubric.criteria if c.short], title="Short self-assessment")
        if which.startswith("usecase:"):
            from widgets.partone import USECASE_CRITERIA

            slug = which.split(":", 1)[1]
            if slug not in USECASE_CRITERIA:
                raise ValueError(f"unknown use case {slug!r}")
            return worksheet_markdown([rubric.by_id[cid] for cid in USECASE_CRITERIA[slug]], title=slug)
        raise ValueError(f"expected 'short' or 'usecase:<slug>', got {which!r}")


class RubricLevelsDirective(_Generated):
    def text(self) -> str:
        return rubric_levels_markdown()


class GuardrailsCardDirective(_Generated):
    """The card in parts, each in a container of its kind (``pai-card-guardrail`` ...), so the
    print stylesheet can give the guardrails a sheet of their own."""

    def text(self) -> str:
        return guardrails_markdown()

    def run(self) -> list[nodes.Node]:
        try:
            parts = guardrails_card_parts()
        except ValueError as exc:
            logger.warning("%s: %s", self.name, exc, location=self.get_location())
            return []
        card = nodes.container(classes=["pai-guardrails-card"])
        for kind, text in parts:
            part = nodes.container(classes=["pai-card-part", f"pai-card-{kind}"])
            part += self.parse_text_to_nodes(text)
            card += part
        return [card]


class ExamplePlansDirective(_Generated):
    dependencies = tuple(sorted(EXAMPLES.glob("*.yaml")))

    def text(self) -> str:
        return example_plans_markdown()


EXAMPLE_DIR = f"{HANDOUT_DIR}/examples"


class ExampleFilesDirective(SphinxDirective):
    """Links to the example plans as JSON files, which the self-assessment page and the room view open."""

    def run(self) -> list[nodes.Node]:
        depth = self.env.docname.count("/")
        items = nodes.bullet_list()
        for path in sorted(EXAMPLES.glob("*.yaml")):
            self.env.note_dependency(str(path))
            para = nodes.paragraph()
            ref = nodes.reference("", "", internal=True, refuri="../" * depth + f"{EXAMPLE_DIR}/{path.stem}.json")
            ref += nodes.literal(text=f"{path.stem}.json")
            para += ref
            items += nodes.list_item("", para)
        return [items]


def write_example_files(app: Sphinx, exception) -> None:
    """The example plans as JSON in the built site (the page reads JSON; the repository keeps YAML)."""
    if exception is not None or app.builder.format != "html":
        return
    import json

    from widgets._assessment import load_assessment

    out = Path(app.outdir) / EXAMPLE_DIR
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        doc = load_assessment(path).to_dict()
        (out / f"{path.stem}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class HandoutsDirective(SphinxDirective):
    """Links to the handout PDFs and their pages."""

    def run(self) -> list[nodes.Node]:
        depth = self.env.docname.count("/")
        items = nodes.bullet_list()
        for pdf, (docname, title) in HANDOUTS.items():
            para = nodes.paragraph()
            ref = nodes.reference("", "", internal=True, refuri="../" * depth + f"{HANDOUT_DIR}/{pdf}")
            ref += nodes.Text(f"{title} (PDF)")
            para += ref
            para += nodes.Text(" \u2014 ")
            page = nodes.inline()
            page += self.parse_text_to_nodes(f"{{doc}}`page </{docname}>`")[0].children
            para += page
            items += nodes.list_item("", para)
        return [items]


# --------------------------------------------------------------------------- facilitator notes


class facilitator_index(nodes.General, nodes.Element):
    """Placeholder replaced by the index of facilitator notes once every page is read."""


class FacilitatorNotesDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        self.env.pai_note_index_docs = getattr(self.env, "pai_note_index_docs", set()) | {self.env.docname}
        return [facilitator_index()]


def _outdated(app, env, added, changed, removed):
    # The index depends on every page: rebuild it whenever any page is read again.
    if added or changed or removed:
        return sorted(getattr(env, "pai_note_index_docs", set()) - set(removed))
    return []


def note_topic(lead: str) -> str:
    """The topic a note item is indexed under, from its bold lead-in (e.g. "Format (40 min).")."""
    key = lead.strip().lower()
    for word, topic in TOPICS:
        if word in key:
            return topic
    return lead.strip().rstrip(".:") or GENERAL_TOPIC


def _collect_notes(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    notes = getattr(env, "pai_facilitator_notes", {})
    env.pai_facilitator_notes = notes
    found = []
    for n, adm in enumerate(doctree.findall(nodes.admonition)):
        titles = [t for t in adm.children if isinstance(t, nodes.title)]
        if not titles or not NOTE_TITLE.match(titles[0].astext().strip()):
            continue
        if not adm["ids"]:
            adm["ids"].append(f"facilitator-notes-{n}")
        section = adm.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        heading = section[0].astext() if section is not None and section.children else ""
        items = [li for bl in adm.findall(nodes.bullet_list) for li in bl.children if isinstance(li, nodes.list_item)]
        for li in items or [adm]:
            para = li.next_node(nodes.paragraph)
            text = para.astext() if para is not None else li.astext()
            strong = para.next_node(nodes.strong) if para is not None else None
            lead = ""
            first = next((c for c in (para.children if para is not None else [])
                          if not (isinstance(c, nodes.Text) and not c.astext().strip())), None)
            if strong is not None and first is strong:
                lead = strong.astext()
            found.append({"anchor": adm["ids"][0], "section": heading, "topic": note_topic(lead) if lead else GENERAL_TOPIC,
                          "text": text})
    if found:
        notes[env.docname] = found
    else:
        notes.pop(env.docname, None)


def _purge(app, env, docname):
    getattr(env, "pai_facilitator_notes", {}).pop(docname, None)


def _merge(app, env, docnames, other):
    env.pai_note_index_docs = getattr(env, "pai_note_index_docs", set()) | getattr(other, "pai_note_index_docs", set())
    mine = env.pai_facilitator_notes = getattr(env, "pai_facilitator_notes", {})
    for docname, notes in getattr(other, "pai_facilitator_notes", {}).items():
        if docname in docnames:
            mine[docname] = notes


def facilitator_notes(env) -> dict[str, list[tuple[str, dict]]]:
    """Topic -> [(docname, note)], topics sorted, notes in table-of-contents order."""
    order = {d: i for i, d in enumerate(_toc_order(env))}
    by_topic: dict[str, list] = {}
    for docname in sorted(getattr(env, "pai_facilitator_notes", {}), key=lambda d: (order.get(d, 10**6), d)):
        for note in env.pai_facilitator_notes[docname]:
            by_topic.setdefault(note["topic"], []).append((docname, note))
    return dict(sorted(by_topic.items(), key=lambda kv: (kv[0] == GENERAL_TOPIC, kv[0])))


def _toc_order(env) -> list[str]:
    out, stack = [], [env.config.root_doc]
    seen = set()
    while stack:
        d = stack.pop(0)
        if d in seen:
            continue
        seen.add(d)
        out.append(d)
        stack[0:0] = env.toctree_includes.get(d, [])
    return out


def _resolve_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(facilitator_index)):
        env = app.env
        out = []
        for topic, notes in facilitator_notes(env).items():
            section = nodes.rubric(text=f"{topic} ({len(notes)})")
            out.append(section)
            bl = nodes.bullet_list(classes=["pai-note-index"])
            for target, note in notes:
                para = nodes.paragraph()
                title = env.titles[target].astext() if target in env.titles else target
                uri = app.builder.get_relative_uri(docname, target) + "#" + note["anchor"]
                ref = nodes.reference("", "", internal=True, refuri=uri)
                ref += nodes.Text(title + (f", {note['section']}" if note["section"] and note["section"] != title else ""))
                para += ref
                para += nodes.Text(": " + note["text"])
                bl += nodes.list_item("", para)
            out.append(bl)
        node.replace_self(out or [nodes.paragraph(text="No facilitator notes were found.")])


STATIC = Path(__file__).resolve().parent / "static"


def _add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_static)
    app.add_css_file("pai-print.css", media="print")
    app.add_directive("pai-agenda", AgendaDirective)
    app.add_directive("pai-worksheet", WorksheetDirective)
    app.add_directive("pai-rubric-levels", RubricLevelsDirective)
    app.add_directive("pai-guardrails-card", GuardrailsCardDirective)
    app.add_directive("pai-example-plans", ExamplePlansDirective)
    app.add_directive("pai-handouts", HandoutsDirective)
    app.add_directive("pai-example-files", ExampleFilesDirective)
    app.connect("build-finished", write_example_files)
    app.add_directive("pai-facilitator-notes", FacilitatorNotesDirective)
    app.add_node(facilitator_index)
    app.connect("doctree-read", _collect_notes)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-resolved", _resolve_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
