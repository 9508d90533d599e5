"""E_P[f(x)] for the terms f of a log-density: integration, summation or the score identity.

    log p(x) = sum_f c_f f(x)            (logs expanded: every factor of a density is
                                          positive on its support, so force=True is sound)
    E_P[f]   = int f p dx  or  sum_x f p  (integration / summation over the support)
    E_P[f]   from  E_P[d/dtheta log p] = 0   (the score identity: for a family whose support
                                          is free of theta, sum_f dc_f/dtheta E[f] = 0, one
                                          linear equation per parameter)

Integrands with |x - c| are split at their kinks; when the order of two kinks is unknown
(|x - mu_q| under a Laplace(mu_p, b)), both orders are integrated and merged into |mu_q - mu_p|.
"""

from __future__ import annotations

from functools import cache, cmp_to_key
from itertools import combinations

import sympy as sp

from derive.errors import Unsupported
from derive.infotheory.families import Bound, bind

INTEGRATION, SUMMATION, SERIES, SCORE = "integration", "summation", "series", "score identity"


class Expectation(sp.Function):
    """Unevaluated E_P[f], printed as ``\\mathbb{E}_{P}\\left[f\\right]``; args (f, P)."""

    nargs = 2

    def _latex(self, printer) -> str:
        f, label = self.args
        return r"\mathbb{E}_{%s}\left[%s\right]" % (printer._print(label), printer._print(f))


def log_terms(density: sp.Expr, x: sp.Symbol) -> dict[sp.Expr, sp.Expr]:
    """log p(x) = sum_f c_f f(x) as {f: c_f}: f the x-dependent factor (1 for the rest)."""
    terms: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(sp.expand_log(sp.log(density), force=True))):
        coeff, f = term.as_independent(x, as_Add=False)
        terms[f] = terms.get(f, sp.S.Zero) + coeff
    return terms


def score_moments(P: Bound) -> dict[sp.Expr, sp.Expr]:
    """E_P[f] for the sufficient statistics f of P, solved from E_P[d/dtheta log p] = 0."""
    terms = log_terms(P.density, P.x)
    theta = [t for t in P.params if not t.is_integer]
    if any(f.has(*theta) for f in terms):
        raise Unsupported(f"score identity for {P.family.name}: a statistic depends on a parameter")
    unknown = {f: sp.Dummy() for f, c in terms.items() if f != 1 and c.has(*theta)}
    equations = [sum(sp.diff(c, t) * unknown.get(f, 1) for f, c in terms.items() if f == 1 or f in unknown)
                 for t in theta]
    solutions = sp.solve(equations, list(unknown.values()), dict=True)
    if len(solutions) != 1 or len(solutions[0]) != len(unknown):
        raise Unsupported(f"score identity for {P.family.name}: no unique solution")
    return {f: sp.simplify(solutions[0][u]) for f, u in unknown.items()}


def expect(P: Bound, f: sp.Expr) -> tuple[sp.Expr, str | None]:
    """(E_P[f], how it was found); cached by family, symbols and f."""
    if f == 1:
        return sp.S.One, None
    return _expect(P.family.name, P.suffix, P.label, P.x, f)


@cache
def _expect(name: str, suffix: str, label: str, x: sp.Symbol, f: sp.Expr) -> tuple[sp.Expr, str]:
    P = bind(name, suffix, label, x)
    if P.family.moments == "score":
        moments = score_moments(P)
        if f in moments:
            return moments[f], SCORE
    lo, hi = P.support
    if P.family.discrete:
        total = sp.simplify(sp.summation(f * P.density, (P.x, lo, hi)))
        # over a vector family's index (p[k], k = 1..K) the sum is the closed form
        return total, SERIES if total.has(sp.Sum) and P.family.index is None else SUMMATION
    return sp.simplify(integrate(f * P.density, P.x, lo, hi, P.family.integrator)), INTEGRATION


def integrate(expr: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr, how: str = "default") -> sp.Expr:
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
    """SymPy's integrator with the family's strategy (``manual``, ``meijerg``), falling back
    to the default one if that leaves an integral."""
    result = sp.integrate(expr, (x, lo, hi), conds="none", **({how: True} if how != "default" else {}))
    if result.has(sp.Integral) and how != "default":
        result = sp.integrate(expr, (x, lo, hi), conds="none")
    return result


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
        results.append(sp.simplify(integrate(expr.subs(t, solution), x, -sp.oo, sp.oo, how)))
    above, below = results
    if sp.simplify(above - below) == 0:
        return above.subs(u, sp.Abs(gap))
    return sp.Piecewise((above.subs(u, gap), gap >= 0), (below.subs(u, -gap), True))
