"""E_P[f(x)] for the terms f of a log-density: integration, summation or the score identity.

    log p(x) = sum_f c_f f(x)            (logs expanded: every factor of a density is
                                          positive on its support, so force=True is sound)
    E_P[f]   = int f p dx  or  sum_x f p  (integration / summation over the support, by
                                          :func:`derive.symbolic.integrals.integrate`)
    E_P[f]   from  E_P[d/dtheta log p] = 0   (the score identity: for a density whose support
                                          is free of theta, sum_f dc_f/dtheta E[f] = 0, one
                                          linear equation per parameter)
"""

from __future__ import annotations

import sympy as sp

from derive.errors import Unsupported
from derive.symbolic.integrals import integrate

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


def score_moments(density: sp.Expr, x: sp.Symbol, params, name: str = "") -> dict[sp.Expr, sp.Expr]:
    """E_P[f] for the sufficient statistics f of p(x; params), solved from
    E_P[d/dtheta log p] = 0 (integer parameters such as a binomial N are not varied)."""
    terms = log_terms(density, x)
    theta = [t for t in params if not t.is_integer]
    if any(f.has(*theta) for f in terms):
        raise Unsupported(f"score identity for {name}: a statistic depends on a parameter")
    unknown = {f: sp.Dummy() for f, c in terms.items() if f != 1 and c.has(*theta)}
    equations = [sum(sp.diff(c, t) * unknown.get(f, 1) for f, c in terms.items() if f == 1 or f in unknown)
                 for t in theta]
    solutions = sp.solve(equations, list(unknown.values()), dict=True)
    if len(solutions) != 1 or len(solutions[0]) != len(unknown):
        raise Unsupported(f"score identity for {name}: no unique solution")
    return {f: sp.simplify(solutions[0][u]) for f, u in unknown.items()}


def expect(f: sp.Expr, density: sp.Expr, x: sp.Symbol, support: tuple, *, discrete: bool = False,
           vector: bool = False, moments: dict | None = None, how: str = "default") -> tuple[sp.Expr, str | None]:
    """(E_P[f], how it was found) for p(x) = ``density`` on ``support`` = (lo, hi): from
    ``moments`` (the score identity's solutions) when f is there, else by summation (a
    discrete density; over a vector's index the sum is the closed form, otherwise a sum
    SymPy leaves unevaluated is a series) or integration."""
    if f == 1:
        return sp.S.One, None
    if moments and f in moments:
        return moments[f], SCORE
    lo, hi = support
    if discrete:
        total = sp.simplify(sp.summation(f * density, (x, lo, hi)))
        return total, SERIES if total.has(sp.Sum) and not vector else SUMMATION
    return sp.simplify(integrate(f * density, x, lo, hi, how=how)), INTEGRATION
