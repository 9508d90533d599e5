"""SymPy's own LaTeX-parser test pairs, read by our parser: none read wrong, and at least 80%
of the in-scope ones read right (the rest refused with a ParseError).

Right means equal to SymPy's expected value up to what the two parsers name differently:
symbols compared by name without assumptions (ours carry derive's domains), subscripts
without braces (``x_{0}`` and ``x_0``), and SymPy's unevaluated forms evaluated."""

from __future__ import annotations

import re

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import ParseError
from derive.latex.parse import parse_latex
from latex.sympy_pairs import OUT_OF_SCOPE, PAIRS


def plain(e: sp.Basic) -> sp.Basic:
    """Symbols and undefined functions by their brace-free names, without assumptions;
    indexed elements as symbols ``x_0``; everything evaluated."""
    e = sp.sympify(e)
    e = e.replace(lambda s: isinstance(s, AppliedUndef),
                  lambda s: sp.Function(re.sub(r"[{}]", "", s.func.__name__))(*s.args))
    mapping = {s: sp.Symbol(re.sub(r"[{}]", "", s.name)) for s in e.atoms(sp.Symbol)}
    return e.xreplace(mapping).doit()


def read(latex: str, options: dict) -> sp.Basic | None:
    try:
        return parse_latex(latex, **options)
    except ParseError:
        return None


def right(got: sp.Basic, want: sp.Basic) -> bool:
    got, want = plain(got), plain(want)
    if isinstance(want, sp.Eq):
        return isinstance(got, sp.Eq) and right(got.lhs, want.lhs) and right(got.rhs, want.rhs)
    return got == want or sp.simplify(got - want) == 0


@pytest.mark.parametrize(("latex", "want", "options"), PAIRS, ids=[p[0] for p in PAIRS])
def test_never_read_wrong(latex: str, want: sp.Basic, options: dict) -> None:
    got = read(latex, options)
    assert got is None or right(got, want), f"{latex!r} read as {got!r}, SymPy expects {want!r}"


def test_most_in_scope_pairs_are_read_right() -> None:
    read_right = [latex for latex, want, options in PAIRS if (got := read(latex, options)) is not None and right(got, want)]
    assert len(PAIRS) + len(OUT_OF_SCOPE) == 115  # every GOOD_PAIR of SymPy's test file
    assert len(read_right) >= 0.8 * len(PAIRS), sorted(set(p[0] for p in PAIRS) - set(read_right))
