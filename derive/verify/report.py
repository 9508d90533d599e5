"""The verification report: text, JSON or GitHub annotations, the summary and the exit code.

Exit codes: 0 every step proved, 1 some step refuted, 3 some step only evidence, undecided or
not read (and none refuted), or no step found at all, 2 a file could not be read.
"""

from __future__ import annotations

import json
from collections import Counter

from derive.verify.check import format_point
from derive.verify.run import FileReport, StepReport

__all__ = ["FORMATS", "exit_code", "render", "summary"]

FORMATS = ("text", "json", "github")
EXIT_PROVED, EXIT_REFUTED, EXIT_BAD_INPUT, EXIT_UNDECIDED = 0, 1, 2, 3
_STEP_STATUSES = ("proved", "refuted", "evidence", "undecided", "unread")
_WORDS = {"proved": "proved", "refuted": "REFUTED", "evidence": "evidence only", "undecided": "undecided",
          "unread": "not read", "definition": "definition"}


def _steps(reports: list[FileReport]) -> list[StepReport]:
    return [s for r in reports for s in r.steps if s.status in _STEP_STATUSES]


def exit_code(reports: list[FileReport]) -> int:
    """0 all proved, 1 any refuted, 2 a file unreadable, 3 otherwise (also when no step was found)."""
    statuses = Counter(s.status for s in _steps(reports))
    if statuses["refuted"]:
        return EXIT_REFUTED
    if any(r.error for r in reports):
        return EXIT_BAD_INPUT
    if statuses["evidence"] or statuses["undecided"] or statuses["unread"] or not statuses:
        return EXIT_UNDECIDED  # nothing found to check is not a pass
    return EXIT_PROVED


def summary(reports: list[FileReport]) -> str:
    """``12 steps in 2 files: 10 proved, 1 refuted, 1 not read (3 definitions)``."""
    steps = _steps(reports)
    counts = Counter(s.status for s in steps)
    parts = [f"{counts[k]} {_WORDS[k]}" for k in _STEP_STATUSES if counts[k]]
    definitions = sum(1 for r in reports for s in r.steps if s.status == "definition")
    errors = sum(1 for r in reports if r.error)
    text = f"{len(steps)} steps in {len(reports)} file{'s' * (len(reports) != 1)}: {', '.join(parts) or 'none'}"
    if definitions:
        text += f" ({definitions} definitions)"
    if errors:
        text += f"; {errors} file{'s' * (errors != 1)} not read"
    return text


def _step_text(step: StepReport) -> str:
    line = f"{step.location}: {_WORDS[step.status]}: {step.left} {step.relation} {step.right}"
    detail = step.detail
    if step.method and step.status in ("proved", "refuted", "evidence"):
        detail += f" [{step.method}]"
    line += f"\n    {detail}"
    if step.counterexample:
        line += f"\n    counterexample: {format_point(step.counterexample)}"
    return line


def _text(reports: list[FileReport], verbose: bool) -> str:
    out = []
    for report in reports:
        if report.error:
            out.append(f"{report.path}: error: {report.error}")
            continue
        assumptions = sorted({a for s in report.steps for a in s.assumptions})
        out.append(f"{report.path}: {len(_steps([report]))} steps"
                   + (f"; assuming: {', '.join(assumptions)}" if assumptions else "; assuming: nothing beyond "
                      "the symbols' domains"))
        for step in report.steps:
            if verbose or step.status not in ("proved", "definition"):
                out.append(_step_text(step))
    out.append(summary(reports))
    return "\n".join(out)


def _github(reports: list[FileReport]) -> str:
    out = []
    for report in reports:
        if report.error:
            out.append(f"::error file={report.path}::{_escape(report.error)}")
            continue
        for step in report.steps:
            level = {"refuted": "error", "evidence": "warning", "undecided": "warning", "unread": "warning"}.get(step.status)
            if level is None:
                continue
            message = f"{_WORDS[step.status]}: {step.left} {step.relation} {step.right}: {step.detail}"
            if step.counterexample:
                message += f"; counterexample: {format_point(step.counterexample)}"
            if step.cell is not None:
                message = f"cell {step.cell}, line {step.line}: {message}"
                out.append(f"::{level} file={report.path}::{_escape(message)}")
            else:
                out.append(f"::{level} file={report.path},line={step.line}::{_escape(message)}")
    out.append(summary(reports))
    return "\n".join(out)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _json(reports: list[FileReport]) -> str:
    def step(s: StepReport) -> dict:
        point = {k: str(v) for k, v in (s.counterexample or {}).items()} or None
        return {"line": s.line, "cell": s.cell, "left": s.left, "relation": s.relation, "right": s.right,
                "status": s.status, "method": s.method, "detail": s.detail, "counterexample": point,
                "assumptions": list(s.assumptions)}

    data = {"files": [{"path": r.path, "error": r.error, "seconds": round(r.seconds, 3),
                       "steps": [step(s) for s in r.steps]} for r in reports],
            "summary": summary(reports), "exit_code": exit_code(reports)}
    return json.dumps(data, indent=2)


def render(reports: list[FileReport], fmt: str = "text", *, verbose: bool = False) -> str:
    """The report in ``fmt`` (text, json or github)."""
    if fmt == "json":
        return _json(reports)
    if fmt == "github":
        return _github(reports)
    return _text(reports, verbose)
