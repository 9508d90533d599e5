"""The textbook corpus (textbook_corpus.py): every formula reads as its intended meaning or is
refused with a message that names the construct and how to write it; none is read silently
wrong.  A reading is right when it is the meaning structurally, or when both have the same
symbols (names and assumptions) and SymPy proves their difference zero."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sympy as sp

from derive import parse_chain
from derive.errors import ParseError
from derive.latex.parse import Relation, parse_latex
from latex.textbook_corpus import ROWS, Chain, Refused, Rel


def expand_matrices(e: sp.Basic) -> sp.Basic:
    """Products of matrix expressions multiplied out, transposes pushed to the symbols."""
    return e.replace(lambda m: isinstance(m, sp.MatMul), lambda m: sp.expand(m.doit()))


def same(got: sp.Basic, want: sp.Basic) -> bool:
    """Structurally equal, or the same symbols and a difference SymPy proves zero."""
    if got == want:
        return True
    if got.has(sp.MatrixExpr) or want.has(sp.MatrixExpr):
        return expand_matrices(got) == expand_matrices(want)
    if got.free_symbols != want.free_symbols or got.atoms(sp.Indexed) != want.atoms(sp.Indexed):
        return False
    try:
        return sp.simplify(sp.piecewise_fold(got - want)) == 0
    except (TypeError, ValueError, NotImplementedError):
        return False


@pytest.mark.parametrize(("latex", "meaning", "options"), [pytest.param(tex, want, opts, id=id_) for id_, tex, want, opts in ROWS])
def test_textbook_formula(latex: str, meaning: object, options: dict) -> None:
    if isinstance(meaning, Refused):
        with pytest.raises(ParseError) as info:
            parse_latex(latex, **options)
        assert re.match(meaning.reason, info.value.reason), info.value.reason
        return
    if isinstance(meaning, Chain):
        members = parse_chain(latex, **options)
        assert [kind for kind, _ in members] == [kind for kind, _ in meaning.members]
        for (_, got), (_, want) in zip(members, meaning.members):
            assert same(got, want), f"\n got: {sp.srepr(got)}\nwant: {sp.srepr(want)}"
        return
    got = parse_latex(latex, **options)
    if isinstance(meaning, Rel):
        assert isinstance(got, Relation) and got.kind == meaning.kind, got
        assert same(got.lhs, meaning.lhs), f"\n got: {sp.srepr(got.lhs)}\nwant: {sp.srepr(meaning.lhs)}"
        assert same(got.rhs, meaning.rhs), f"\n got: {sp.srepr(got.rhs)}\nwant: {sp.srepr(meaning.rhs)}"
        return
    assert same(got, meaning), f"\n got: {sp.srepr(got)}\nwant: {sp.srepr(meaning)}"


def test_the_corpus_is_large_and_mostly_read() -> None:
    ids = [row[0] for row in ROWS]
    assert len(ids) == len(set(ids)) >= 150
    kinds = Counter(type(row[2]).__name__ for row in ROWS)
    assert kinds["Refused"] <= len(ROWS) // 4, kinds  # most of the corpus is read, not refused


@pytest.mark.parametrize("construct", [
    r"\psi(", r"\Gamma(", r"\Gamma_p(", r"\mathrm{B}(", r"I_0(", r"K_{\nu}(", r"\operatorname{erf}", r"\Phi(",
    r"\mathrm{tr}(", r"\det", r"\operatorname{diag}", r"\operatorname{sigmoid}", r"\operatorname{softmax}",
    r"\operatorname{softplus}", r"\operatorname{logsumexp}", r"\lfloor", r"\lceil", r"\operatorname{sign}",
    r"\mathbb{1}[", r"\mathbb{1}_", r"[y = k]", r"^\mathrm{T}", r"^\top", r"^T", r"|\Sigma|", r"\otimes", r"A^{-1}",
    r"\binom", r"\choose", r"\frac{\partial", r"\partial_", r"\frac{d}{dz}", r"\nabla_", r"\begin{cases}",
    r"\text{if", r"\text{for", r"\text{otherwise", r"w_{ij}", r"x_{i,j}", r"\alpha_{2i}", r"\operatorname{",
    r"\mathrm{", r"\begin{align}", r"\begin{aligned}", r"\begin{split}", r"\\", r"&=", r"\nonumber", r"\label",
])
def test_every_construct_is_in_the_corpus(construct: str) -> None:
    assert any(construct in row[1] for row in ROWS), construct
