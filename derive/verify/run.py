"""Verify documents: walk each display's rows, read the members, check every step.

A step is a pair of consecutive members of a chain and the relation between them.  A row that
starts with a relation (``&= ...``) continues the chain from the last member before it, even
across displays (beamer splits a chain over frames).  A row that starts with a bare label
(``p(y \\mid \\hat y) = ...``) defines it (see :mod:`derive.verify.labels`); its first relation is
not a step.  Files run in parallel in a process pool (``jobs``).
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from derive.errors import DeriveError
from derive.verify.check import Outcome, check_step
from derive.verify.extract import Display, read_document
from derive.verify.labels import OPERATOR, LabelBook, is_label, undefined_calls
from derive.verify.settings import Settings, read_toml
from derive.verify.steps import Member, split_rows

__all__ = ["FileReport", "StepReport", "verify_file", "verify_files"]

_PROSE_WORDS = frozenset({"at", "and", "for", "if", "where", "since", "so", "with", "when", "hence", "thus", "by", "as",
                          "otherwise", "i.e.", "e.g.", "s.t.", "st", "for all", "let"})
_CONSTANT_IN = re.compile(r"const(?:ant)?\.?(?:\\\s|\\,|\s)*in\b\s*\}?\s*\$?(.+?)\$?\s*$")
_RESET = re.compile(r"\s*reset\b\s*,?")  # ``% derive: reset, assume ...``: only what follows holds
_NAMING = ("=", "define", "equiv")  # the relations by which a label names a formula
_RELATION_TEXT = {"=": "=", "define": ":=", "equiv": "\\equiv", "approx": "\\approx", "propto": "\\propto",
                  "le": "\\le", "lt": "<", "ge": "\\ge", "gt": ">", "neq": "\\neq", "sim": "\\sim", "in": "\\in"}


@dataclass(frozen=True)
class StepReport:
    """One step (or definition) of a file: where, what, and the verdict."""

    path: str
    line: int
    cell: int | None
    left: str
    relation: str
    right: str
    status: str  # proved | refuted | evidence | undecided | unread | definition
    method: str
    detail: str
    counterexample: dict | None
    assumptions: tuple[str, ...]

    @property
    def location(self) -> str:
        return f"{self.path}:cell {self.cell}:{self.line}" if self.cell is not None else f"{self.path}:{self.line}"


@dataclass
class FileReport:
    """The steps of one file, or the error that stopped it being read."""

    path: str
    steps: list[StepReport] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class _Read:
    """A member as read: its text, line, expression (or the reason it cannot be read)."""

    latex: str
    line: int
    expr: sp.Basic | None
    why: str = ""
    up_to_constant: bool = False


def _prose_in(text: str) -> str | None:
    """Words in a formula (``\\text{at } y = e_c``), which the reader would take for symbols."""
    text = re.sub(r"\\begin\{cases\}.*?\\end\{cases\}", " ", text, flags=re.S)  # conditions are words
    for m in re.finditer(r"\\(?:text|textrm|mbox)\s*\{([^{}]*)\}", text):
        words = m.group(1)
        if words != words.strip() or " " in words.strip() or words.strip().lower() in _PROSE_WORDS:
            return m.group(0)
    return None


def _read_member(member: Member, display: Display) -> _Read:
    from derive import parse_latex

    text = " ".join(member.latex.split())
    line = display.line_at(member.offset + len(member.latex) - len(member.latex.lstrip()))
    words = _prose_in(text)
    if words:
        return _Read(text, line, None, f"cannot read {text!r}: it holds words ({words}); move them to a note "
                     "('&& \\text{...}' or \\intertext{...})", member.up_to_constant)
    if re.search(r"\\q?quad(?![A-Za-z])", text):
        return _Read(text, line, None, f"cannot read {text!r}: two formulas in one row, separated by a space "
                     "(\\quad); give each its own row", member.up_to_constant)
    try:
        expr = parse_latex(text)
    except Exception as exc:  # a ParseError, or a SymPy failure the reader did not catch: not read, said so
        reason = getattr(exc, "reason", f"{type(exc).__name__}: {exc}")
        return _Read(text, line, None, f"cannot read {text!r}: {reason}", member.up_to_constant)
    if not isinstance(expr, sp.Expr):
        return _Read(text, line, None, f"cannot read {text!r}: not a formula ({type(expr).__name__})",
                     member.up_to_constant)
    return _Read(text, line, expr, "", member.up_to_constant)


class _Walker:
    """The state of one file's walk: the settings in force, the labels, the last member."""

    def __init__(self, path: str, settings: Settings, directives):
        self.path = path
        self.base = settings
        self.directives = sorted(directives, key=lambda d: (d.cell or 0, d.line))
        self.book = LabelBook()
        self.last: _Read | None = None
        self.steps: list[StepReport] = []
        self.chain_params: tuple[str, ...] = ()

    def settings_at(self, display: Display) -> Settings:
        settings = self.base
        for d in self.directives:
            if ((d.cell or 0), d.line) <= ((display.cell or 0), display.line):
                where = f"{self.path}:{d.line}" if d.cell is None else f"{self.path}:cell {d.cell}:{d.line}"
                text = d.text
                reset = _RESET.match(text)
                if reset:  # a new section: the earlier directives no longer hold
                    settings, text = self.base, text[reset.end():]
                if text.strip():
                    settings = settings.with_directive(text, where)
        return settings

    def record(self, display, left: _Read, kind: str, right: _Read, outcome: Outcome, settings: Settings) -> None:
        self.steps.append(StepReport(self.path, right.line, display.cell, left.latex, _RELATION_TEXT[kind],
                                     right.latex, outcome.status, outcome.method, outcome.detail,
                                     outcome.counterexample, tuple(settings.describe())))

    def step(self, display: Display, left: _Read, kind: str, right: _Read, settings: Settings) -> None:
        if left.expr is None or right.expr is None:
            why = left.why or right.why
            self.record(display, left, kind, right, Outcome("unread", "", why), settings)
            return
        try:
            outcome = self.outcome(left, kind, right, settings)
        except Exception as exc:  # SymPy failing on a formula it was given: this step is not read, said so
            outcome = Outcome("unread", "", f"derive could not compare the sides ({type(exc).__name__}: {exc})")
        self.record(display, left, kind, right, outcome, settings)

    def outcome(self, left: _Read, kind: str, right: _Read, settings: Settings) -> Outcome:
        a, b = self.book.substitute(left.expr), self.book.substitute(right.expr)
        one_sided = sorted(undefined_calls(a) ^ undefined_calls(b))
        prose = self.book.prose_only_on_one_side(a, b)
        operators = sorted(n for n in undefined_calls(a) | undefined_calls(b) if OPERATOR.match(n))
        if operators:
            outcome = Outcome("unread", "", f"{operators[0]}[...] is an expectation or variance; derive does not "
                              "read these operators yet (their linearity is unknown to the checker)")
        elif one_sided:
            outcome = Outcome("unread", "", f"{one_sided[0]} occurs on one side only: "
                              + self.book.why_not_written_out(one_sided[0]))
        elif prose:
            outcome = Outcome("unread", "", f"{', '.join(prose)} is defined in words, not as a formula "
                              f"({self.book.prose[prose[0]]!r})")
        else:
            outcome = check_step(a, b, kind, left.up_to_constant or right.up_to_constant, settings)
        return outcome

    def constant_in(self, rows, settings: Settings) -> Settings:
        """Params from the chain's own notes (an underbrace ``\\text{const.\\ in }\\hat{y}``), used when
        none are declared; they stay in force for the rest of the chain (beamer frames)."""
        from derive.verify.settings import SettingsError, split_list, symbol_name

        for row in rows:
            for note in row.notes:
                m = _CONSTANT_IN.search(note)
                if m:
                    names = m.group(1)
                    if names.count("}") > names.count("{"):
                        names = names[:names.rindex("}")]
                    try:
                        self.chain_params = tuple(symbol_name(n, self.path) for n in split_list(names))
                    except SettingsError:
                        continue
        if settings.params or not self.chain_params:
            return settings
        return settings.with_params(list(self.chain_params), "the chain's note 'const. in ...'")

    def display(self, display: Display, settings: Settings) -> None:
        rows = split_rows(display.body)
        if display.kind in ("\\[", "$$", "equation", "equation*", "displaymath", "math") and len(rows) <= 1 \
                and "&" not in display.body:
            return  # a single formula, not a chain
        settings = self.constant_in(rows, settings)
        if rows and not rows[0].continues:
            self.book.new_chain()
        for row in rows:
            self.row(display, row, settings)

    def row(self, display: Display, row, settings: Settings) -> None:
        """The steps of one row (a definition first when it starts with a label)."""
        self.book.read_notes(row.notes)
        members = [_read_member(m, display) for m in row.members]
        if row.continues:
            if self.last is None:
                members[0] = _Read("", members[0].line, None, "the row starts with a relation but no formula "
                                   "comes before it")
            else:
                members[0] = self.last
        steps = list(zip(members, row.relations, members[1:]))
        if any(kind in ("sim", "in") for kind in row.relations):
            self.record(display, members[0], row.relations[0], members[-1],
                        Outcome("definition", "", "a statement (distributed as, member of), not a step"), settings)
            return
        words = [m.why for m in members if m.expr is None and "holds words" in m.why]
        if words:  # \text{at } y = e_c: none of the row's relations is read
            for left, kind, right in steps:
                self.record(display, left, kind, right, Outcome("unread", "", words[0]), settings)
            self.last = members[-1]
            return
        aside = False
        if steps and not row.continues and len(members) == 2 and members[0].expr is not None:
            members[0], members[1] = self._as_elements(members[0], members[1])
            steps = list(zip(members, row.relations, members[1:]))
        if steps and not row.continues and members[0].expr is not None and is_label(members[0].expr):
            # ``L(yhat) = p(y | yhat) = formula``: every label before the first formula names it
            names = 1
            while names < len(steps) and steps[names - 1][1] in _NAMING and members[names].expr is not None \
                    and is_label(members[names].expr):
                names += 1
            value = members[names]
            for label, kind, _ in steps[:names]:
                if kind in _NAMING and value.expr is not None:
                    self.book.define(label.expr, value.expr)
                outcome = Outcome("definition", "", "names the formula after it") if value.expr is not None \
                    else Outcome("unread", "", value.why)
                self.record(display, label, kind, value, outcome, settings)
            aside = names == 1 and len(members) == 2 and self._is_aside(members[0].expr)
            del steps[:names]
        for left, kind, right in steps:
            self.step(display, left, kind, right, settings)
        if not aside:
            self.last = members[-1]

    def _as_elements(self, label: _Read, value: _Read) -> tuple[_Read, _Read]:
        r"""``\hat y_k = softmax`` after a line with the vector ``\hat y``: outside a sum the reader
        takes ``\hat y_k`` (and ``z_k`` in the value) for symbols of their own; where the chain
        holds the vector, they are its elements ``yhat[k]`` (and ``z[k]`` where the value holds the
        vector ``z``), so that the definition is substituted into the next row."""
        if not (isinstance(label.expr, sp.Symbol) and self.last is not None and self.last.expr is not None
                and value.expr is not None):
            return label, value
        bases = {str(b.label): b for expr in (self.last.expr, value.expr) for b in expr.atoms(sp.IndexedBase)}

        def element(symbol: sp.Symbol):
            base, _, index = symbol.name.rpartition("_")
            if base in bases and index.isidentifier():
                return bases[base][sp.Symbol(index, integer=True)]
            return None

        head = element(label.expr)
        if head is None or str(head.base.label) not in {str(b.label) for b in self.last.expr.atoms(sp.IndexedBase)}:
            return label, value
        swap = {s: element(s) for s in value.expr.free_symbols if isinstance(s, sp.Symbol) and element(s) is not None}
        return (_Read(label.latex, label.line, head, label.why, label.up_to_constant),
                _Read(value.latex, value.line, value.expr.xreplace(swap), value.why, value.up_to_constant))

    def _is_aside(self, label: sp.Basic) -> bool:
        """A definition of a symbol the chain has used (``\\hat y = \\sigma(z)`` after a line in
        ``\\hat y``) is an aside: the next ``&= ...`` continues the line before it, substituted."""
        if self.last is None or self.last.expr is None or not isinstance(label, (sp.Symbol, sp.Indexed)):
            return False
        name = label.name if isinstance(label, sp.Symbol) else str(label.base.label)
        used = {s.name for s in self.last.expr.free_symbols if isinstance(s, sp.Symbol)}
        used |= {str(b.label) for b in self.last.expr.atoms(sp.IndexedBase)}
        return name in used


def verify_file(path: str | Path, settings: Settings | None = None, *, inline: bool = False) -> FileReport:
    """Every step of one file (errors reading it are in ``FileReport.error``)."""
    start = time.perf_counter()
    path = Path(path)
    report = FileReport(str(path))
    try:
        settings = read_toml(path.parent, settings or Settings())
        document = read_document(path, inline=inline)
        walker = _Walker(str(path), settings, document.directives)
        for display in document.displays:
            walker.display(display, walker.settings_at(display))
        report.steps = walker.steps
    except DeriveError as exc:
        report.error = str(exc)
    report.seconds = time.perf_counter() - start
    return report


def verify_files(paths: list[str | Path], settings: Settings | None = None, *, inline: bool = False,
                 jobs: int = 1) -> list[FileReport]:
    """:func:`verify_file` on each path, ``jobs`` files at a time (in order of ``paths``)."""
    if jobs <= 1 or len(paths) <= 1:
        return [verify_file(p, settings, inline=inline) for p in paths]
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        futures = [pool.submit(verify_file, p, settings, inline=inline) for p in paths]
        return [f.result() for f in futures]
