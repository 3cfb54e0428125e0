"""Command line for the engagement-plan self-assessment: score, validate, compare, export the rubric.

    python -m widgets score PLAN [--format md|json|html|docx] [--output FILE [--force]]
    python -m widgets validate PLAN [PLAN ...]
    python -m widgets compare PLAN [PLAN ...] [--format md|csv|json|docx] [--room [--anonymise]] [--output FILE [--force]]
    python -m widgets rubric [--format md|csv|json] [--output FILE [--force]]
    python -m widgets room [--folder DIR] [--host 127.0.0.1] [--port 8765]

Exit status: 0 when everything was read (and written); 1 when an input file has a problem
(each printed as a plain message naming the file, the field and what was expected) or the
output cannot be written; 2 for a usage error, including an ``--output`` that names one of the
input files or, without ``--force``, any file that already exists, and ``--format docx`` (a binary
Word file) without ``--output`` when the screen would receive it. Status 3 means a bug in the
toolkit (please report it). No traceback is shown unless PAI_DEBUG=1 is set. See the book
chapter "The rubric" and widgets/rubric/ASSESSMENT-FORMAT.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default also exits 2, but prints usage; keep it short
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m widgets",
                description="Score an engagement plan against the published rubric. "
                            "A score is evidence for a conversation, never a certificate.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    s = sub.add_parser("score", help="score one assessment file and print a report")
    s.add_argument("plan", metavar="PLAN", help="assessment file (YAML or JSON)")
    s.add_argument("--format", choices=["md", "json", "html", "docx"], default="md",
                   help="docx is a Word file: give --output FILE (or redirect to a file)")
    s.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of the screen")
    s.add_argument("--force", action="store_true", help="replace FILE if it exists (never an input file)")
    v = sub.add_parser("validate", help="check assessment files and list every problem")
    v.add_argument("plans", metavar="PLAN", nargs="+")
    c = sub.add_parser("compare", help="a table of several assessments (teams, or one team over time)")
    c.add_argument("plans", metavar="PLAN", nargs="+")
    c.add_argument("--format", choices=["md", "csv", "json", "docx"], default="md",
                   help="docx is a Word file: give --output FILE (or redirect to a file); not with --room")
    c.add_argument("--output", "-o", metavar="FILE")
    c.add_argument("--force", action="store_true", help="replace FILE if it exists (never an input file)")
    c.add_argument("--room", action="store_true",
                   help="a workshop room summary: raters within teams, rounds, disagreements (PLAN may be a folder)")
    c.add_argument("--anonymise", action="store_true", help="with --room: replace team and rater names by labels")
    r = sub.add_parser("rubric", help="export the rubric for reviewers")
    r.add_argument("--format", choices=["md", "csv", "json"], default="md")
    r.add_argument("--output", "-o", metavar="FILE")
    r.add_argument("--force", action="store_true", help="replace FILE if it exists")
    from .liveroom.cli import add_parser as add_room_parser

    add_room_parser(sub)
    return p


class _RefusedOutput(Exception):
    """The output file named on the command line would replace an input or an existing file."""


def _check_output(args) -> None:
    """Refuse, before any work, an output that is one of the inputs, or exists without --force."""
    output = getattr(args, "output", None)
    if getattr(args, "format", None) == "docx":
        if getattr(args, "room", False) or getattr(args, "anonymise", False):
            raise _RefusedOutput("--format docx is not available with --room; use md, csv or json, "
                                 "or compare without --room for a Word table.")
        if not output and sys.stdout.isatty():
            raise _RefusedOutput("--format docx writes a Word file, which a terminal cannot show. "
                                 "Add --output FILE.docx (or redirect the output to a file).")
    if not output:
        return
    target = Path(output)
    inputs = [args.plan] if getattr(args, "plan", None) else list(getattr(args, "plans", None) or [])
    for name in inputs:
        try:
            same = target.exists() and Path(name).exists() and os.path.samefile(target, name)
        except OSError:
            same = False
        if same or os.path.abspath(output) == os.path.abspath(name):
            raise _RefusedOutput(f"--output {output} is an input file; the report would replace it. "
                                 "Choose another file name.")
    if target.exists() and not args.force:
        raise _RefusedOutput(f"--output {output} already exists. Choose another file name, "
                             "or add --force to replace it.")


def _emit(text: str | bytes, output: str | None, force: bool = False) -> None:
    """Write a report to ``output``, or to standard output; bytes (a Word file) are written as they are."""
    if output:
        # "x" creates the file and fails if it appeared since the check; the loaders refuse lone
        # surrogates, and backslashreplace keeps any other unencodable character visible.
        if isinstance(text, bytes):
            with open(output, "wb" if force else "xb") as fh:
                fh.write(text)
        else:
            with open(output, "w" if force else "x", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(text)
        print(f"wrote {output}", file=sys.stderr)
    elif isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


def _run(args) -> int:
    from ._assessment import AssessmentError, load_assessment
    from ._reports import compare_report, render_report, rubric_export
    from ._text import strip_controls as clean
    from ._scoring import score_plan

    if args.command == "score":
        assessment = load_assessment(args.plan)
        score = score_plan(assessment)
        _emit(render_report(score, assessment, args.format), args.output, args.force)
        return 0
    if args.command == "validate":
        status = 0
        for plan in args.plans:
            try:
                a = load_assessment(plan)
            except AssessmentError as err:
                print(clean(err.describe()).replace("the assessment file", clean(plan), 1), file=sys.stderr)
                status = EXIT_INVALID
                continue
            answered = sum(1 for x in a.answers.values() if x.level is not None)
            print(clean(f"ok: {plan} (rubric {a.rubric_version}, {a.scope} version, {answered} answers)"))
            for note in a.migrations:
                print(clean(f"  migrated: {note}"))
        return status
    if args.command == "compare" and (args.room or args.anonymise):
        from ._room import compare_room

        _emit(compare_room(args.plans, anonymise=args.anonymise, fmt=args.format), args.output, args.force)
        return 0
    if args.command == "compare":
        pairs, problems = [], []
        for plan in args.plans:
            try:
                a = load_assessment(plan)
            except AssessmentError as err:
                problems.extend(err.problems)
                continue
            pairs.append((a, score_plan(a)))
        if problems:
            raise AssessmentError(problems)
        _emit(compare_report(pairs, args.format), args.output, args.force)
        return 0
    if args.command == "room":
        from .liveroom.cli import run as run_room

        return run_room(args)
    if args.command == "rubric":
        _emit(rubric_export(args.format), args.output, args.force)
        return 0
    _parser().print_help(sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    from ._assessment import AssessmentError
    from ._text import strip_controls as clean

    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
        sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        pass
    args = _parser().parse_args(argv)
    try:
        _check_output(args)
        return _run(args)
    except _RefusedOutput as err:
        print(f"error: {clean(err)}", file=sys.stderr)
        return EXIT_USAGE
    except AssessmentError as err:
        print(clean(err.describe()), file=sys.stderr)
        print("The format is described in widgets/rubric/ASSESSMENT-FORMAT.md; "
              "`python -m widgets validate PLAN` lists every problem.", file=sys.stderr)
        return EXIT_INVALID
    except FileExistsError as err:
        print(f"error: --output {clean(err.filename or '')} already exists. Choose another file name, "
              "or add --force to replace it.", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"error: cannot write {clean(err.filename or '')}: {clean(err.strerror or err)}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - the CLI never shows a traceback to users
        if os.environ.get("PAI_DEBUG") == "1":
            raise
        print(f"internal error: {clean(type(err).__name__)}: {clean(err)}\n"
              "This is a bug in the toolkit, not in your file; please report it (set PAI_DEBUG=1 for details).",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    sys.exit(code)
