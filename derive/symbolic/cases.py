"""Densities written with cases (SymPy ``Piecewise``).

    cases_support(p, y)     the set of y where the cases give a non-zero value: the support
                            of p(y) = {f(y) if y >= 0; 0 otherwise} is [0, oo)
    logs_of_cases(e, D)     log of cases -> cases of the logs, each expanded on D; two cases
                            {m - d if d < 0; m + d otherwise} then read m + |d|
    breakpoints(e, y)       the points where a condition of the cases changes (for quadrature)

Each is an identity where it applies and leaves the expression alone elsewhere: a case it
cannot decide stays a case.
"""

from __future__ import annotations

import sympy as sp

from derive.symbolic.domains import expand_logs, is_positive_on


def _conditions_in(piecewise: sp.Piecewise, y: sp.Symbol) -> bool:
    """Every condition speaks of y alone (a support, not a parameter's range)."""
    return all(cond.free_symbols <= {y} for _, cond in piecewise.args)


def cases_support(density: sp.Expr, y: sp.Symbol) -> sp.Set | None:
    """Where the cases of ``density`` are non-zero: the union over its cases of the set of y
    where that case applies (and no earlier one did), a case whose value is 0 left out.
    None when the density is not written with cases in y alone, or when no case is 0."""
    folded = sp.piecewise_fold(density)
    if not isinstance(folded, sp.Piecewise) or not _conditions_in(folded, y):
        return None
    if not any(value == 0 for value, _ in folded.args):
        return None
    remaining, support = sp.S.Reals, sp.S.EmptySet
    for value, cond in folded.args:
        try:
            where = remaining.intersect(cond.as_set() if cond is not sp.true else sp.S.Reals)
        except (NotImplementedError, TypeError, ValueError):
            return None
        if value != 0:
            support = support.union(where)
        remaining = remaining - where
    return support


def _gap(cond: sp.Basic) -> sp.Expr | None:
    """g with cond <=> g > 0 (or g >= 0): y < mu gives mu - y."""
    if isinstance(cond, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)):
        return cond.gts - cond.lts
    return None


def _as_abs(pw: sp.Piecewise, domains) -> sp.Expr:
    """Two cases f_1 if c_1, f_2 otherwise, with m = (f_1 + f_2)/2 and d = (f_2 - f_1)/2: when
    c_1 says d < 0 (-d is its gap g, c_1 <=> g > 0, times a factor positive on the domain),
    the cases are m + |d|; when c_1 says d > 0 they are m - |d|.  Where d = 0 the two cases
    agree, so the boundary's side does not matter.  A second condition other than True must
    be c_1's complement (its gap a negative multiple of c_1's)."""
    if len(pw.args) != 2:
        return pw
    (f1, c1), (f2, c2) = pw.args
    if f1.has(sp.oo, -sp.oo, sp.zoo) or f2.has(sp.oo, -sp.oo, sp.zoo):  # off the support: no m, no d
        return pw
    gap = _gap(c1)
    if gap is None or gap == 0:
        return pw
    if c2 is not sp.true:
        other = _gap(c2)
        if other is None or not is_positive_on(sp.simplify(-other / gap), domains):
            return pw
    m, d = sp.expand((f1 + f2) / 2), sp.expand((f2 - f1) / 2)
    if d == 0:
        return m
    ratio = sp.simplify(-d / gap)
    d = min((sp.factor_terms(d), sp.factor(d)), key=sp.count_ops)  # (b_1 + b_2)(y - mu)/(b_1 b_2)
    if is_positive_on(ratio, domains):
        return m + sp.Abs(d)
    if is_positive_on(-ratio, domains):
        return m - sp.Abs(d)
    return pw


def logs_of_cases(expr: sp.Expr, domains) -> sp.Expr:
    """log(f_1 if c_1; f_2 if c_2; ...) = (log f_1 if c_1; log f_2 if c_2; ...), each log
    expanded on the domain (log 0 = -oo: the NLL is oo off the support); two such cases read
    m + |d| or m - |d| where that is shown (:func:`_as_abs`), else they stay cases."""

    def rewrite(e: sp.Expr) -> sp.Expr:
        cases = [(sp.S.NegativeInfinity if value == 0 else expand_logs(sp.log(value), domains), cond)
                 for value, cond in e.args[0].args]
        return _as_abs(sp.Piecewise(*cases), domains)

    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Piecewise), rewrite)


def breakpoints(expr: sp.Expr, y: sp.Symbol) -> list[sp.Expr]:
    """The real roots in y of g = 0 for each relation g > 0 of the cases in ``expr`` (the
    other symbols given values): where the integrand may have a kink or a jump."""
    points = set()
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            for relation in cond.atoms(sp.core.relational.Relational):
                gap = relation.lhs - relation.rhs
                if gap.free_symbols == {y}:
                    try:
                        points |= {r for r in sp.solve(gap, y) if r.is_real}
                    except NotImplementedError:
                        continue
    return sorted(points, key=float)
