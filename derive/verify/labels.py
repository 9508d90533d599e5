"""Names a document defines, and their use in later rows.

A row whose first member is a bare *label* (a symbol ``J``, ``\\bar\\ell``, or a call of a
function the reader does not know, ``p(y \\mid \\hat y)``, ``\\mathcal{L}(\\hat y)``) names the
member after it: nothing is checked, the definition is recorded.  Later members that use the
label get its definition substituted, with the arguments renamed
(``p(y_i \\mid \\hat y_i)`` after ``p(y \\mid \\hat y) = ...``).  The latest definition wins, so each
section of a book may define its own ``p``.

A symbol that a note defines in words (``&& \\text{$f$ = \\texttt{mse\\_loss}}``, or an
``\\intertext`` before the row) is *prose-defined*: a step in which it appears on one side only
cannot be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import DeriveError

__all__ = ["OPERATOR", "LabelBook", "is_label", "undefined_calls"]

#: Operators that are not functions of their argument's value: never labels, never opaque functions.
OPERATOR = re.compile(r"^(mathbb\{[EV]\}|E|Var|Cov|operatorname\{(E|Var|Cov)\}|mathrm\{(E|Var|Cov)\})(_|$|\{)")
_PROSE = re.compile(r"\$([^$]+)\$\s*(?:=|:=|is\b|denotes\b)")


def is_label(expr: sp.Basic) -> bool:
    """A bare symbol, its power (``\\hat\\sigma^2``), an element (``\\hat y_k``) or an undefined
    function's call: the name of a quantity, not a formula."""
    if isinstance(expr, sp.Pow) and isinstance(expr.base, sp.Symbol) and expr.exp.is_Number:
        return True
    if isinstance(expr, AppliedUndef):
        return not OPERATOR.match(str(expr.func))
    return isinstance(expr, (sp.Symbol, sp.Indexed))


def undefined_calls(expr: sp.Basic) -> set[str]:
    """Names of the undefined functions called in ``expr``."""
    return {str(call.func) for call in expr.atoms(AppliedUndef)}


def _matches(actual: sp.Basic, formal: sp.Basic) -> bool:
    """An argument fits a parameter when it is a number, the same symbol, or its element
    (``y_i`` for ``y``; where the definition has the vector's elements ``y_k``, they become
    ``y_{ik}``)."""
    if actual.is_Number or actual == formal:
        return True
    name = getattr(formal, "name", None)
    if isinstance(actual, sp.Symbol):
        return actual.name == name
    return isinstance(actual, sp.Indexed) and str(actual.base.label) == name


@dataclass
class LabelBook:
    """The definitions seen so far: ``functions`` (``p``, ``\\mathcal{L}``, elements ``[]yhat``:
    name -> (formal arguments, value or None when it cannot be written out)), and ``symbols``
    (name -> value, for the current chain only)."""

    functions: dict[str, tuple] = field(default_factory=dict)
    symbols: dict[str, sp.Expr] = field(default_factory=dict)
    prose: dict[str, str] = field(default_factory=dict)

    def new_chain(self) -> None:
        """Symbol definitions end with their chain; function definitions last for the file."""
        self.symbols.clear()

    def define(self, label: sp.Basic, value: sp.Basic) -> None:
        """Record ``label := value``.  A value that uses the label, or a vector argument (``p(y)``
        with ``y_k`` in the value), leaves the label defined but not written out."""
        if isinstance(label, sp.Pow):
            return
        if isinstance(label, sp.Symbol):
            if label.name in {s.name for s in value.free_symbols}:
                self.symbols.pop(label.name, None)
            else:
                self.symbols[label.name] = value
            return
        if isinstance(label, sp.Indexed):
            name, args = "[]" + str(label.base.label), label.indices
            recursive = label.base.label in {b.label for b in value.atoms(sp.IndexedBase)}
        else:
            name, args = str(label.func), label.args
            recursive = name in undefined_calls(value)
        plain = all(isinstance(a, sp.Symbol) for a in args) and len(set(args)) == len(args)
        usable = plain and not recursive
        self.functions[name] = (args, value if usable else None)

    def substitute(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with every defined label replaced by its definition (nested ones too)."""
        for _ in range(5):
            new = self._once(expr)
            if new == expr:
                return new
            expr = new
        return expr

    def _entry(self, e: sp.Basic) -> tuple | None:
        if isinstance(e, sp.Indexed):
            key, actual = "[]" + str(e.base.label), e.indices
        else:
            key, actual = str(e.func), e.args
        entry = self.functions.get(key)
        if entry is None or entry[1] is None or len(entry[0]) != len(actual):
            return None
        if not all(_matches(a, f) for a, f in zip(actual, entry[0])):
            return None
        value = entry[1]
        for formal, arg in zip(entry[0], actual):
            if arg == formal:
                continue
            stand_in = sp.IndexedBase(sp.Dummy("vector"))
            if isinstance(arg, sp.Indexed):  # y -> y_i: the elements y_k become y_{ik}
                value = value.replace(lambda e: isinstance(e, sp.Indexed) and e.base.label == formal,
                                      lambda e, arg=arg: stand_in[arg.indices + e.indices])
            value = value.xreplace({formal: arg})
            if isinstance(arg, sp.Indexed):
                value = value.xreplace({stand_in: arg.base})
        return value

    def _once(self, expr: sp.Basic) -> sp.Basic:
        expr = expr.replace(lambda e: isinstance(e, (AppliedUndef, sp.Indexed)) and self._entry(e) is not None,
                            self._entry)
        named = {s: self.symbols[s.name] for s in expr.free_symbols
                 if isinstance(s, sp.Symbol) and s.name in self.symbols}
        return expr.xreplace(named) if named else expr

    def why_not_written_out(self, name: str) -> str:
        """Why a call of ``name`` stayed as it is."""
        entry = self.functions.get(name)
        if entry is None:
            return f"{name} is not defined in the document; define it in an earlier row, e.g. '{name}(x) = ...'"
        if entry[1] is None:
            return f"{name} is defined, but not as a formula derive can substitute (a vector argument or a recursion)"
        shown = ", ".join(map(str, entry[0]))
        return f"{name} is defined as {name}({shown}); this call's arguments are not those or their elements"

    def read_notes(self, notes: list[str]) -> None:
        """Record the symbols the notes define in words (``$f$ = \\texttt{...}``)."""
        from derive import parse_latex

        for note in notes:
            for m in _PROSE.finditer(note):
                try:
                    expr = parse_latex(m.group(1))
                except DeriveError:
                    continue
                if isinstance(expr, sp.Symbol):
                    self.prose[expr.name] = note.strip()

    def prose_only_on_one_side(self, a: sp.Basic, b: sp.Basic) -> list[str]:
        """Prose-defined names that occur in exactly one of ``a``, ``b``."""
        names_a = {s.name for s in a.free_symbols if isinstance(s, sp.Symbol)}
        names_b = {s.name for s in b.free_symbols if isinstance(s, sp.Symbol)}
        return sorted(n for n in self.prose if (n in names_a) != (n in names_b))
