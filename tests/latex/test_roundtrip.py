"""Everything `derive build` prints into outputs/catalog.json reads back as what it came from.

Every printed expression (nll, loss, dataset loss, dropped terms, scale, deviance, peers,
entropies, KL divergences and their pairs, closed forms) is read back with ``parse_latex``
under the symbols of the expression it was printed from (``readback_symbols``: the printer
shows ``var`` as ``v``, ``lam`` as ``\\lambda``; each symbol keeps its declared domain) and is
proved equal to it: structurally, or SymPy simplifies the difference to 0 (matrix products
multiplied out; a min or max split into its two cases).  Every reference that is expected to
hold reads back as its target the same way, and every step of an identity reads, and equals
the identity's left or right side unless it still holds a named quantity (H(P), an
expectation, a derivative of an unknown function).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.functions.elementary.piecewise import ExprCondPair

from derive.errors import ParseError
from derive.latex.parse import parse_latex, readback_functions, readback_symbols

def _quadratic_form() -> type:
    """The catalogue's scalar v^T A v class (where the multivariate normal defines it)."""
    for module in ("derive.distributions.multivariate_normal", "derive.assumptions.multivariate"):
        try:
            return getattr(importlib.import_module(module), "QuadraticForm")
        except (ImportError, AttributeError):
            continue
    raise ImportError("QuadraticForm is defined in none of the modules this test knows")


QuadraticForm = _quadratic_form()
CATALOG = json.loads((Path(__file__).resolve().parents[2] / "outputs" / "catalog.json").read_text())
NAMESPACE = {**vars(sp), "ExprCondPair": ExprCondPair, "QuadraticForm": QuadraticForm, "Str": sp.core.symbol.Str}


def from_srepr(text: str) -> sp.Basic:
    return eval(text, dict(NAMESPACE))  # noqa: S307  (our own committed output)


def printed_pairs() -> list[tuple[str, str, str]]:
    """(where, latex, srepr) for every printed expression of the catalogue."""
    pairs: list[tuple[str, str, str]] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("srepr"), str) and isinstance(node.get("latex"), str):
                pairs.append((path, node["latex"], node["srepr"]))
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for number, value in enumerate(node):
                walk(value, f"{path}[{number}]")

    walk(CATALOG, "")
    return pairs


def reference_pairs() -> list[tuple[str, str, str]]:
    """(where, latex, srepr of the target) for every reference expected to hold exactly."""
    return [(f"{entry['name']}/reference/{ref['target']}", ref["latex"], entry[ref["target"]]["srepr"])
            for entry in CATALOG["assumptions"] for ref in entry["references"]
            if ref["expected"] and ref["mode"] == "exact" and isinstance(entry.get(ref["target"]), dict)]


def multiplied_out(e: sp.Basic) -> sp.Basic:
    e = e.replace(lambda x: isinstance(x, QuadraticForm), lambda x: sp.MatMul(x.args[0].T, x.args[1], x.args[0]))
    return e.replace(lambda x: isinstance(x, sp.MatMul), lambda x: sp.expand(x.doit()))


def zero_by_cases(diff: sp.Basic, depth: int = 0) -> bool:
    """``diff == 0`` by SymPy, splitting a Min or Max of a symbol s and an expression A into the
    cases s = A + t, s = A, s = A - t (t > 0) when SymPy alone cannot decide (a proof by cases,
    each case by simplify)."""
    if sp.simplify(sp.piecewise_fold(diff)) == 0:
        return True
    if depth > 2:
        return False
    for kink in sorted(diff.atoms(sp.Min, sp.Max), key=sp.count_ops):
        for pivot, other in (kink.args[:2], kink.args[1::-1]):
            if isinstance(pivot, sp.Symbol) and pivot not in other.free_symbols:
                t = sp.Symbol("t_case", positive=True)
                return all(zero_by_cases(diff.subs(pivot, value), depth + 1) for value in (other + t, other, other - t))
    return False


def integrands(e: sp.Basic) -> dict | None:
    """A sum of multiples of integrals as {limits: the summed integrand} (None when a term
    is not one number times one integral)."""
    found: dict = {}
    for term in sp.Add.make_args(sp.expand(e, deep=False)):
        integrals = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Integral)]
        if len(integrals) != 1:
            return None
        (integral,) = integrals
        factor = term / integral
        found[integral.limits] = found.get(integral.limits, 0) + factor * integral.function
    return found


def proved_equal(got: sp.Basic, want: sp.Basic) -> bool:
    if got == want:
        return True
    if isinstance(got, sp.Piecewise) and isinstance(want, sp.Piecewise) and len(got.args) == len(want.args):
        # branch by branch under the same conditions (a difference of two Piecewise with an
        # infinite branch is oo - oo, which no simplification proves 0)
        return all(gc == wc and proved_equal(ge, we) for (ge, gc), (we, wc) in zip(got.args, want.args))
    if got.has(sp.Integral) and want.has(sp.Integral):  # linearity: compare the integrands
        left, right = integrands(got), integrands(want)
        return (left is not None and right is not None and left.keys() == right.keys()
                and all(sp.simplify(sp.expand_log(left[k] - right[k], force=True)) == 0 for k in left))
    if got.has(sp.MatrixExpr) or want.has(sp.MatrixExpr) or want.has(QuadraticForm):
        # constant logs split (log(2 pi) = log 2 + log pi: the printer writes constants in one log)
        return (sp.expand_log(multiplied_out(got), force=True)
                == sp.expand_log(multiplied_out(want), force=True))
    return zero_by_cases(got - want)


@pytest.mark.parametrize(("latex", "srepr"), [pytest.param(t, s, id=w) for w, t, s in printed_pairs()])
def test_printed_expression_reads_back(latex: str, srepr: str) -> None:
    want = from_srepr(srepr)
    got = parse_latex(latex, symbols=readback_symbols(want), functions=readback_functions(want))
    assert proved_equal(got, want), f"\n got: {sp.srepr(got)}\nwant: {srepr}"


@pytest.mark.parametrize(("latex", "srepr"), [pytest.param(t, s, id=w) for w, t, s in reference_pairs()])
def test_reference_reads_back_as_its_target(latex: str, srepr: str) -> None:
    want = from_srepr(srepr)
    got = parse_latex(latex, symbols=readback_symbols(want), functions=readback_functions(want))
    assert proved_equal(got, want), f"\n got: {sp.srepr(got)}\nwant: {srepr}"


IDENTITY_STEPS = [(f"{idn['name']}/{step['label']}", step["latex"], idn["lhs"], idn["rhs"])
                  for idn in CATALOG["information"]["identities"] for step in idn["steps"]]
#: Steps refused on purpose: a derivative of a name in a subscript (Q_theta: not read as 0),
#: an ellipsis (NLL(x_1, \dots, x_n)).
DOCUMENTED_REFUSALS = r"^(the derivative in theta is 0 as written|ellipses are not supported: write the sum with \\sum$)"


@pytest.mark.parametrize(("latex", "lhs", "rhs"), [pytest.param(t, l, r, id=w) for w, t, l, r in IDENTITY_STEPS])
def test_identity_step_reads_back(latex: str, lhs: str, rhs: str) -> None:
    sides = from_srepr(lhs), from_srepr(rhs)
    try:
        got = parse_latex(latex, symbols=readback_symbols(sides[0]), functions=readback_functions(*sides))
    except ParseError as exc:  # only the documented refusals
        assert re.match(DOCUMENTED_REFUSALS, exc.reason), exc
        return
    named = got.atoms(AppliedUndef) - sides[0].atoms(AppliedUndef) - sides[1].atoms(AppliedUndef)
    if named or got.has(sp.Derivative) or any(call.func.__name__.startswith("mathbb") for call in got.atoms(AppliedUndef)):
        return  # a step that still names a quantity (H(P), E_P[...]): read, not evaluated
    assert any(proved_equal(got, side) for side in sides), f"\n got: {got}\nlhs: {sides[0]}\nrhs: {sides[1]}"


def test_the_round_trip_covers_the_catalogue() -> None:
    paths = [w for w, _, _ in printed_pairs()]
    for part in ("/nll", "/loss", "/dataset_loss", "/dropped", "/entropy", "/kl", "/kl_pairs"):
        assert any(part in p for p in paths), part
    assert len(paths) >= 300 and len(reference_pairs()) >= 30 and len(IDENTITY_STEPS) >= 20
