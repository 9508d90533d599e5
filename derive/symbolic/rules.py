"""Rewrite rules on expressions: the algebra a textbook does between two rows.

    substitute_mean(e, m, v)     m -> v (an Indexed m = yhat[k] maps every yhat[c])
    distribute(e)                products multiplied out over sums, powers kept whole
    separate_coefficients(e, P)  (mu*phi - 1)*log y -> mu*phi*log y - log y
    regroup_logs(e, G, P)        log(alpha) + log(mu) -> log(alpha*mu) for a group alpha*mu
    collect_logs(e, P)           terms sharing a log of the params collected
    xlogy(e, data, D)            c*log(a) -> 0 where a = 0 (the convention 0 log 0 = 0)
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.errors import DeriveError


def substitute_mean(expr: sp.Expr, mean: sp.Basic, value: sp.Expr) -> sp.Expr:
    """mean -> value; an Indexed pattern yhat[k] maps every yhat[c] to value at k = c."""
    if isinstance(mean, sp.Indexed):
        base, indices = mean.base, mean.indices
        return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                            lambda e: value.xreplace(dict(zip(indices, e.indices))))
    return expr.xreplace({mean: value})


def distribute(expr: sp.Expr) -> sp.Expr:
    """Multiply out products over sums (not powers: (y - yhat)**2 keeps its form)."""
    return sp.expand(expr, mul=True, multinomial=False, power_exp=False, power_base=False,
                     log=False, basic=False)


def separate_coefficients(expr: sp.Expr, params) -> sp.Expr:
    """A product with a sum factor that is partly free of the params is multiplied out, so
    that its param-free part can be dropped: (mu*phi - 1)*log(y) -> mu*phi*log(y) - log(y)."""

    def mixed(e: sp.Expr) -> bool:
        if not isinstance(e, sp.Mul):
            return False
        for factor in e.args:
            if isinstance(factor, sp.Add):
                free = [t for t in factor.args if not t.has(*params)]
                if free and len(free) < len(factor.args):
                    return True
        return False

    terms = list(sp.Add.make_args(expr))
    done: list[sp.Expr] = []
    while terms:  # only the terms of the sum: inside Max, Piecewise, logs nothing moves
        term = terms.pop()
        if mixed(term):
            terms.extend(sp.Add.make_args(sp.expand_mul(term, deep=False)))
        else:
            done.append(term)
    return sp.Add(*done)


def regroup_logs(expr: sp.Expr, groups, params) -> sp.Expr:
    """For a group g = f * o_1 * ... (one factor f with params), log f = log g - sum log o_j:
    log(alpha) + log(mu) becomes log(alpha*mu)."""
    for group in groups:
        factors = sp.Mul.make_args(group)
        moving = [f for f in factors if f.has(*params)]
        if len(moving) != 1:
            raise DeriveError(f"group {group} must have exactly one factor with params")
        (f,) = moving
        others = [o for o in factors if o is not f]
        expr = expr.xreplace({sp.log(f): sp.log(group, evaluate=False) - sp.Add(*[sp.log(o) for o in others])})
        expr = distribute(expr)
        expr = expr.xreplace({sp.log(group, evaluate=False): sp.log(group, evaluate=False)})
    return expr


def collect_logs(expr: sp.Expr, params) -> sp.Expr:
    """Terms sharing the same log (or sum) of the params are collected:
    y*log(1 + alpha*mu) + log(1 + alpha*mu)/alpha -> (y + 1/alpha)*log(1 + alpha*mu)."""
    if not isinstance(expr, sp.Add):
        return expr
    atoms = [g for g in expr.atoms(sp.log, sp.Sum) if g.has(*params)]
    shared = [g for g in atoms if sum(1 for t in expr.args if t.has(g)) > 1
              and not any(g != h and h.has(g) for h in atoms)]
    if not shared:
        return expr
    return sp.collect(expr, shared)




def can_vanish(a: sp.Expr, data, domains) -> bool:
    """Whether the data expression ``a`` is 0 somewhere on the data's domain."""
    for d in data:
        if isinstance(d, sp.Symbol) and a.has(d) and a.is_polynomial(d):
            for root in sp.solve(sp.Eq(a, 0), d):
                if dsym.domain_of(d, domains).contains(root) is not sp.false:
                    return True
    return False


def xlogy(expr: sp.Expr, data, domains) -> sp.Expr:
    """c*log(a) with a data expression a that can vanish and c a multiple of a is written
    Piecewise((0, a = 0), (c*log(a), True)): the convention 0*log(0) = 0 of the saturated
    model (SciPy's xlogy)."""

    def rewrite(term: sp.Expr) -> sp.Expr:
        for g in term.atoms(sp.log):
            a = g.args[0]
            if a.has(*data) and can_vanish(a, data, domains):
                ratio = sp.simplify(term / (a * g))
                if not ratio.has(g) and not sp.denom(sp.together(ratio)).has(*a.free_symbols):
                    return sp.Piecewise((0, sp.Eq(a, 0)), (term, True))
        return term

    return sp.Add(*[rewrite(t) for t in sp.Add.make_args(expr)])

