"""One integrator for the whole package: the normalisation proofs and the expectations.

    integrate(f, x, lo, hi)                      E_P[f] terms: the line split at the kinks
                                                 of every |a x + c|, each piece by SymPy
                                                 (``how``: its manual or meijerg strategy)
    integrate(f, x, lo, hi, domains, movers)     a normaliser, the textbook way: on the real
                                                 line shift x = t + c by a location c (the
                                                 result cannot depend on c) and fold onto
                                                 (0, oo) as f(t) + f(-t); on (0, oo) with
                                                 log x substitute x = e^u; Piecewise branches
                                                 decided on the domains; simplified

Both routes end in the same SymPy call; the second is taken when the caller names the
location symbols that may move (``movers``, possibly empty) and the domains.
"""

from __future__ import annotations

from functools import cmp_to_key
from itertools import combinations

import sympy as sp

from derive.errors import Unsupported
from derive.symbolic.domains import resolve_piecewise


def integrate(f: sp.Expr, x: sp.Symbol, lo, hi, domains=None, movers=None, how: str = "default") -> sp.Expr:
    """int_lo^hi f dx.  With ``movers`` (location symbols, possibly none) and ``domains``,
    the normaliser route (shift, fold, substitute, branches decided, simplified); without,
    the kinks of |.| split the line and the result is returned as SymPy gives it."""
    if movers is not None:
        return _normaliser(f, x, lo, hi, domains, tuple(movers))
    return _split_at_kinks(f, x, lo, hi, how)


def _normaliser(f: sp.Expr, y: sp.Symbol, lo, hi, domains, movers) -> sp.Expr:
    """Shift by a location and fold the real line; log substitution on (0, oo)."""
    if lo == -sp.oo and hi == sp.oo:
        t = sp.Dummy("t", real=True)
        g = f.xreplace({y: t})
        for c in movers:
            shifted = f.xreplace({y: t + c})
            if shifted.has(c):  # cases at y < mu: t + mu < mu is t < 0
                shifted = _against_zero(shifted)
            if not shifted.has(c):
                g = shifted
                break
        u = sp.Dummy("u", positive=True)
        right, left = g.xreplace({t: u}), g.xreplace({t: -u})
        folded = 2 * right if (right == left or sp.simplify(right - left) == 0) else right + left
        folded = resolve_piecewise(folded, domains)
        result = sp.integrate(folded, (u, 0, sp.oo))
        if result.has(sp.Integral) and isinstance(sp.expand(folded), sp.Add):
            result = sp.Add(*[resolve_piecewise(sp.integrate(term, (u, 0, sp.oo)), domains)
                              for term in sp.Add.make_args(sp.expand(folded))])
    elif lo == 0 and hi == sp.oo and f.has(sp.log(y)):
        u = sp.Dummy("u", real=True)
        return _normaliser(f.xreplace({y: sp.exp(u)}) * sp.exp(u), u, -sp.oo, sp.oo, domains, movers)
    else:
        result = sp.integrate(f, (y, lo, hi))
    result = resolve_piecewise(result, domains)
    if result.has(sp.Integral):
        return result
    return sp.simplify(sp.powsimp(result, force=False))


def _against_zero(expr: sp.Expr) -> sp.Expr:
    """Each inequality a < b of a case written a - b < 0, its left side expanded."""
    return expr.replace(lambda e: isinstance(e, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)),
                        lambda e: e.func(sp.expand(e.lhs - e.rhs), 0))


def _split_at_kinks(expr: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr, how: str = "default") -> sp.Expr:
    """int_lo^hi expr dx, splitting the real line at the kinks of every |a x + c|."""
    kinks = list(dict.fromkeys(_kink(a, x) for a in expr.atoms(sp.Abs) if a.has(x)))
    if not kinks:
        return _integrate_plain(expr, x, lo, hi, how)
    if (lo, hi) != (-sp.oo, sp.oo):
        raise Unsupported(f"integrand with |.| on ({lo}, {hi}): only the real line is split at kinks")
    for a, b in combinations(kinks, 2):
        gap = sp.simplify(b - a)
        if gap.is_positive is None and gap.is_negative is None:
            return _both_orders(expr, x, gap, how)
    ordered = sorted(kinks, key=cmp_to_key(lambda a, b: -1 if (b - a).is_positive else 1))
    cuts = [-sp.oo, *ordered, sp.oo]
    total = sp.S.Zero
    for left, right in zip(cuts, cuts[1:]):
        probe = right - 1 if left == -sp.oo else (left + 1 if right == sp.oo else (left + right) / 2)
        total += _integrate_plain(_unsigned(expr, x, probe), x, left, right, how)
    return total


def _integrate_plain(expr: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr, how: str = "default") -> sp.Expr:
    """SymPy's integrator with the family's strategy (``manual``, ``meijerg``; ``exp``: the
    substitution t = e^(a x + b) on the real line), falling back to the default one if that
    leaves an integral."""
    if how == "exp" and (lo, hi) == (-sp.oo, sp.oo):
        result = _exp_substitution(expr, x)
        if result is not None:
            return result
    hint = {how: True} if how in ("manual", "meijerg") else {}
    result = sp.integrate(expr, (x, lo, hi), conds="none", **hint)
    if result.has(sp.Integral) and hint:
        result = sp.integrate(expr, (x, lo, hi), conds="none")
    return result


def _exp_substitution(expr: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """int_R f(x) dx with t = e^(a x + b) for the first e^(a x + b) in f (exponentials of one
    argument combined first): x = (log t - b)/a, dx = dt/(|a| t), t over (0, oo); the
    numerator multiplied out and each term integrated, by its antiderivative's limits where
    the definite integral stays unevaluated.  None when f has no such exponential or a term
    is not done."""
    e = sp.powsimp(expr, deep=True)
    for atom in sorted(e.atoms(sp.exp), key=sp.default_sort_key):
        if not atom.has(x):
            continue
        try:
            poly = sp.Poly(atom.args[0], x)
        except sp.PolynomialError:  # e^(1/x): not this substitution
            continue
        if poly.degree() != 1:
            continue
        slope, intercept = poly.all_coeffs()
        t = sp.Dummy("t", positive=True)
        g = e.subs(x, (sp.log(t) - intercept) / slope) / (sp.Abs(slope) * t)
        g = g.replace(sp.exp, lambda arg: sp.exp(sp.expand(arg)))
        numerator, denominator = sp.fraction(sp.together(g))
        total = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(numerator)):
            term = term / denominator
            value = sp.integrate(term, (t, 0, sp.oo), conds="none")
            if value.has(sp.Integral, sp.meijerg):
                antiderivative = sp.integrate(term, t)
                if antiderivative.has(sp.Integral):
                    return None
                value = sp.limit(antiderivative, t, sp.oo) - sp.limit(antiderivative, t, 0, "+")
            total += value
        return total
    return None


def _kink(a: sp.Abs, x: sp.Symbol) -> sp.Expr:
    """The root of the argument of ``a``, which must be linear in x."""
    poly = sp.Poly(a.args[0], x)
    if poly.degree() != 1:
        raise Unsupported(f"|.| of a non-linear function of {x}: {a}")
    slope, intercept = poly.all_coeffs()
    return -intercept / slope


def _unsigned(expr: sp.Expr, x: sp.Symbol, probe: sp.Expr) -> sp.Expr:
    """``expr`` with each |g| replaced by +-g, the sign that g has at x = probe."""
    def resolve(arg):
        sign = sp.sign(sp.simplify(arg.subs(x, probe)))
        if sign not in (1, -1):
            raise Unsupported(f"cannot decide the sign of {arg} between kinks")
        return sign * arg
    return expr.replace(sp.Abs, resolve)


def _both_orders(expr: sp.Expr, x: sp.Symbol, gap: sp.Expr, how: str) -> sp.Expr:
    """Integrate with gap = +u and gap = -u (u > 0); merge into a function of |gap|."""
    u = sp.Dummy("u", positive=True)
    t = sorted(gap.free_symbols, key=str)[0]
    results = []
    for signed in (u, -u):
        (solution,) = sp.solve(sp.Eq(gap, signed), t)
        results.append(sp.simplify(_split_at_kinks(expr.subs(t, solution), x, -sp.oo, sp.oo, how)))
    above, below = results
    if sp.simplify(above - below) == 0:
        return above.subs(u, sp.Abs(gap))
    return sp.Piecewise((above.subs(u, gap), gap >= 0), (below.subs(u, -gap), True))
