"""The symbolic stages: ``canonical`` (cheap normal forms) and ``simplify``.  They only ever
prove (True) or give up (None)."""

from __future__ import annotations

from typing import Callable, Iterable

import sympy as sp

from derive.symbolic.domains import expand_logs, is_positive_on, split_sums
from derive.equivalence.inputs import Problem, free_of, name_of
from derive.equivalence.verdict import Verdict

# --------------------------------------------------------------------------- stage 1: canonical


def doit_finite(expr: sp.Expr) -> sp.Expr:
    """Sums and Products with concrete integer bounds written out."""
    return expr.replace(
        lambda e: isinstance(e, (sp.Sum, sp.Product)) and all(lo.is_Integer and hi.is_Integer for _, lo, hi in e.limits),
        lambda e: e.doit())


def _expand_summands(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: sp.Sum(sp.expand(e.function), *e.limits))


def _reorder(expr: sp.Expr) -> sp.Expr:
    """sum_i sum_k f = sum_k sum_i f when no range depends on an index of the Sum: the limits of
    such a Sum are put in one order (by their ranges; equal ranges keep their order)."""

    def independent(e: sp.Basic) -> bool:
        indices = {var for var, _, _ in e.limits}
        return not any((lo.free_symbols | hi.free_symbols) & indices for _, lo, hi in e.limits)

    return expr.replace(
        lambda e: isinstance(e, sp.Sum) and len(e.limits) > 1 and independent(e),
        lambda e: sp.Sum(e.function, *sorted(e.limits, key=lambda limit: sp.default_sort_key(sp.Tuple(*limit[1:])))))


def _reindex(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename the dummies of each Sum/Product to ``_i<depth>``, depth counted from the outermost
    limit, so that sum_i f(i) and sum_j f(j) become the same expression."""
    if isinstance(expr, (sp.Sum, sp.Product)):
        outward = [limit[0] for limit in reversed(expr.limits)]
        new = {var: sp.Symbol(f"_i{depth + pos}", integer=True) for pos, var in enumerate(outward)}
        limits = [tuple(part.xreplace(new) for part in limit) for limit in expr.limits]
        return expr.func(_reindex(expr.function.xreplace(new), depth + len(limits)), *limits)
    args = [_reindex(arg, depth) for arg in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _canonical(expr: sp.Expr) -> sp.Expr:
    """A cheap normal form, equal to ``expr`` on the domain: finite Sums done, logs expanded where
    every factor of the argument is positive, Sum(f + g) = Sum(f) + Sum(g) with constant factors
    out, nests of independent Sums ordered, dummies renamed by depth, then ``expand``."""
    expr = expand_logs(doit_finite(expr), {})
    return sp.expand(_reindex(_reorder(split_sums(_expand_summands(expr)))))


def _normal(expr: sp.Expr) -> sp.Expr:
    """``expand``, then ``cancel`` over a common denominator (the stage-1 simplifier)."""
    expr = sp.expand(expr)
    return expr if expr == 0 else sp.cancel(sp.together(expr))


def stage_canonical(problem: Problem) -> tuple[Verdict | None, sp.Expr, sp.Expr]:
    a, b = _canonical(problem.a), _canonical(problem.b)
    return _decide(problem, a, b, _normal, "canonical"), a, b


def _param_atoms(expr: sp.Expr, params: frozenset[str]) -> list[sp.Basic]:
    """The params in ``expr``: scalar Symbols and Indexed elements (not an IndexedBase's label)."""
    labels = {base.label for base in expr.atoms(sp.IndexedBase)}
    return sorted((s for s in expr.free_symbols - labels
                   if isinstance(s, (sp.Symbol, sp.Indexed)) and name_of(s) in params), key=sp.default_sort_key)


def _dependent(expr: sp.Expr, params: frozenset[str]) -> sp.Expr:
    """The terms of ``expr`` that contain a param."""
    atoms = _param_atoms(expr, params)
    return expr.as_independent(*atoms, as_Add=True)[1] if atoms else sp.S.Zero


def _scale_candidates(a: sp.Expr, b: sp.Expr, params: frozenset[str]) -> Iterable[sp.Expr]:
    """Candidates for c in a = c b + g: 1 (a - b may be free of the params already), the ratio
    of the param-dependent terms of a and b, and (da/dtheta) / (db/dtheta) per scalar param."""
    yield sp.S.One
    if (b_dependent := _dependent(b, params)) == 0:
        return
    yield _dependent(a, params) / b_dependent
    for theta in _param_atoms(b, params):
        if isinstance(theta, sp.Symbol) and (db := sp.diff(b, theta)) != 0:
            yield sp.diff(a, theta) / db


def _affine_fit(a: sp.Expr, b: sp.Expr, params: frozenset[str],
                simp: Callable[[sp.Expr], sp.Expr]) -> tuple[sp.Expr, sp.Expr] | None:
    """(c, g) with a = c b + g, c > 0 on the domain, c and g free of the params; or None."""
    for candidate in _scale_candidates(a, b, params):
        c = simp(candidate)
        if not free_of(c, params) or not is_positive_on(c, {}):
            continue
        g = simp(a - c * b)
        if free_of(g, params):
            return c, g
    return None


def _decide(problem: Problem, a: sp.Expr, b: sp.Expr, simp: Callable[[sp.Expr], sp.Expr],
            method: str) -> Verdict | None:
    """True (proved with ``simp``) or None: the symbolic test of each mode."""
    mode, params = problem.mode, problem.params
    if mode == "exact":
        return Verdict(True, method, mode) if simp(a - b) == 0 else None
    if mode == "constant":
        return Verdict(True, method, mode) if free_of(simp(a - b), params) else None
    fit = _affine_fit(a, b, params, simp)
    return Verdict(True, method, mode, scale=fit[0], offset=fit[1]) if fit else None


# --------------------------------------------------------------------------- stage 2: simplify


def stage_simplify(problem: Problem, a: sp.Expr, b: sp.Expr) -> Verdict | None:
    return _decide(problem, a, b, sp.simplify, "simplify")

