"""Sums as a textbook means them, and the exact re-evaluation that confirms a counterexample.

A textbook's sum_{i=lo}^{hi} f(i) with hi < lo is empty: 0 (a product: 1).  SymPy's
``Sum.doit`` follows Karr's convention instead (sum_{i=5}^{n} 1 = n - 4 for every n, so -3 at
n = 1); :func:`textbook` writes sums with concrete bounds out term by term, outermost first,
so that an inner bound depending on an outer index is concrete when the inner sum is written.

:func:`exact_values` evaluates a side at a point of rationals exactly where SymPy can (rational
arithmetic; values carried to 2 * DIGITS digits where a non-integer power would make SymPy factor
them) and certifies :data:`DIGITS` digits of what is not exact; :func:`differ` decides from those.
"""

from __future__ import annotations

from typing import Any, Mapping

import sympy as sp
from sympy.core.evalf import PrecisionExhausted

DIGITS = 50  #: precision of the confirmation where a value is not exact
REL = sp.Float("1e-40", DIGITS)  #: |a - b| <= REL * (1 + |a| + |b|) at DIGITS digits is no difference
MAXN = 2000  #: most working digits evalf may use to certify DIGITS digits
UNDEFINED = "undefined"  #: the value of a side that is not a real finite number at the point


def textbook(expr: sp.Basic) -> sp.Basic:
    """Sums and Products with concrete integer bounds written out, empty ranges as 0 and 1."""
    if isinstance(expr, (sp.Sum, sp.Product)):
        var, lo, hi = expr.limits[-1]
        inner = type(expr)(expr.function, *expr.limits[:-1]) if len(expr.limits) > 1 else expr.function
        if not (lo.is_Integer and hi.is_Integer):
            return type(expr)(textbook(inner), (var, textbook(lo), textbook(hi)))
        terms = [textbook(inner.xreplace({var: sp.Integer(v)})) for v in range(int(lo), int(hi) + 1)]
        return sp.Add(*terms) if isinstance(expr, sp.Sum) else sp.Mul(*terms)
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)) and not expr.has(sp.Sum, sp.Product):
        return expr
    args = [textbook(arg) for arg in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def has_concrete_sums(expr: sp.Basic) -> bool:
    return any(lo.is_Integer and hi.is_Integer for s in expr.atoms(sp.Sum, sp.Product) for _, lo, hi in s.limits)


def may_be_empty(expr: sp.Basic, domains: Mapping[str, sp.Set]) -> list[str]:
    """The ranges of ``expr``'s Sums and Products that are not provably non-empty, nor exactly
    empty (hi = lo - 1), for every value of their bounds in ``domains`` (by name): there
    Karr's convention, which SymPy's symbolic stages use, is not the textbook's."""
    found = []
    for node in expr.atoms(sp.Sum, sp.Product):
        for var, lo, hi in node.limits:
            length = hi - lo + 1
            shift = {}
            for s in length.free_symbols:  # an integer from m on: m + t with t = 0, 1, ...
                domain = domains.get(getattr(s, "name", ""), sp.S.Reals)
                if s.is_integer and domain.is_subset(sp.S.Integers) and domain.inf.is_finite:
                    shift[s] = domain.inf + sp.Symbol("t", integer=True, nonnegative=True)
            if length.is_nonnegative is not True and length.xreplace(shift).is_nonnegative is not True:
                found.append(f"{var} from {lo} to {hi}")
    return found


def _value(expr: sp.Basic) -> tuple[sp.Expr, sp.Expr] | str | None:
    """(exact, DIGITS-digit value) with every digit certified by SymPy's ``evalf(strict=True)``;
    UNDEFINED when exactly infinite or clearly not real; None when SymPy cannot tell."""
    if expr.has(sp.Integral, sp.Limit, sp.Derivative):
        expr = expr.doit()
        if expr.has(sp.Integral, sp.Limit, sp.Derivative):
            return None  # quadrature is no certificate
    if expr.has(sp.zoo, sp.nan) or expr in (sp.oo, -sp.oo) or expr.has(sp.oo, -sp.oo) and not expr.is_finite:
        return UNDEFINED  # exactly: a division by zero, log 0
    try:
        value = sp.N(expr, DIGITS, strict=True, maxn=MAXN)
    except PrecisionExhausted:  # no certified digits (1 - 1/(1 + e^{-10^7})): no verdict from here
        return None
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return UNDEFINED
    re, im = value.as_real_imag()
    if im != 0 and abs(im) > REL * (1 + abs(re)):
        return UNDEFINED
    return expr, re


def exact_values(expr: sp.Basic, sizes: Mapping[sp.Symbol, int], values: Mapping[sp.Basic, sp.Rational]
                 ) -> tuple[sp.Expr, sp.Expr] | str | None:
    """``expr`` at the point: sizes first (sums written out), then every other variable (Symbols,
    Indexed elements, opaque calls, by the atom).  None when a variable is left without a value."""
    at = textbook(expr.xreplace(dict(sizes)))
    if any(not power.exp.is_Integer for power in at.atoms(sp.Pow)):
        # a rational to a non-integer power makes SymPy look for perfect powers (factoring):
        # such points are evaluated with values correct to 2 * DIGITS digits instead
        values = {k: v if v.is_Integer else sp.Float(v, 2 * DIGITS) for k, v in values.items()}
    at = at.xreplace(dict(values))
    if at.free_symbols:
        return None
    return _value(at)


def differ(va: Any, vb: Any) -> bool | None:
    """True when the values (from :func:`exact_values`) differ: one side real and the other not, or
    both real and different exactly (rational arithmetic) or at DIGITS digits; None when a value
    is missing; False otherwise."""
    if va is None or vb is None:
        return None
    if va == UNDEFINED or vb == UNDEFINED:
        return (va == UNDEFINED) != (vb == UNDEFINED)
    (ea, fa), (eb, fb) = va, vb
    difference = ea - eb
    if difference.is_Rational:
        return difference != 0
    try:
        numeric = sp.N(difference, DIGITS, strict=True, maxn=MAXN)
    except PrecisionExhausted:  # the digits cannot tell a - b from 0
        return False
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return None
    if not numeric.is_number:
        return None
    return bool(abs(numeric) > REL * (1 + abs(fa) + abs(fb)))
