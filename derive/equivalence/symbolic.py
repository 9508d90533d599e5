"""The symbolic stages: ``canonical`` (cheap normal forms) and ``simplify``.  They only ever
prove (True) or give up (None)."""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, Mapping

import sympy as sp

from derive.equivalence.exact import may_be_empty, textbook
from derive.symbolic.domains import expand_logs, is_positive_on
from derive.equivalence.inputs import Problem, free_of, name_of
from derive.equivalence.verdict import Verdict

# --------------------------------------------------------------------------- stage 1: canonical


def split_sums(expr: sp.Expr) -> sp.Expr:
    """Sum(f + g) = Sum(f) + Sum(g); factors free of the indices move out; a summand free of the
    indices is the number of terms times itself when no bound depends on an index (sum_{i=1}^{n}
    sum_{j=1}^{i} 1 stays a Sum).  Valid where no range is shorter than empty (see
    :func:`derive.equivalence.exact.may_be_empty`)."""

    def rewrite(s: sp.Sum) -> sp.Expr:
        indices = {limit[0] for limit in s.limits}
        nested = any((lo.free_symbols | hi.free_symbols) & indices for _, lo, hi in s.limits)
        total = sp.S.Zero
        for term in sp.Add.make_args(s.function):
            outside, inside = term.as_independent(*indices, as_Add=False)
            if inside == 1 and not nested:
                total += outside * sp.Mul(*[(hi - lo + 1) for _, lo, hi in s.limits])
            else:
                total += outside * sp.Sum(inside, *s.limits)
        return total

    return expr.replace(lambda e: isinstance(e, sp.Sum), rewrite)


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


def _expand_logs(expr: sp.Expr, domains: Mapping[str, sp.Set]) -> sp.Expr:
    """:func:`derive.symbolic.domains.expand_logs` inside and outside every Sum, with the Sums themselves
    kept whole (their splitting is :func:`split_sums`')."""
    if isinstance(expr, sp.Sum):
        return sp.Sum(_expand_logs(expr.function, domains), *expr.limits)
    outer, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, sp.Sum):
            outer.append(node)
        else:
            stack.extend(node.args)
    stand_ins = {s: sp.Dummy(positive=True) if s.is_positive else sp.Dummy(real=True) for s in outer}
    body = expand_logs(expr.xreplace(stand_ins), domains)
    return body.xreplace({d: _expand_logs(s, domains) for s, d in stand_ins.items()})


def canonical(expr: sp.Expr, domains: Mapping[str, sp.Set]) -> sp.Expr:
    """A cheap normal form, equal to ``expr`` on the domain: finite Sums written out, logs
    expanded where every factor of the argument is positive, Sum(f + g) = Sum(f) + Sum(g) with
    constant factors out, nests of independent Sums ordered, dummies renamed by depth, ``expand``."""
    expr = _expand_logs(textbook(expr), domains)
    return sp.expand(_reindex(_reorder(split_sums(_expand_summands(expr)))))


def _normal(expr: sp.Expr) -> sp.Expr:
    """``expand``, then ``cancel`` over a common denominator (the stage-1 simplifier)."""
    expr = sp.expand(expr)
    return expr if expr == 0 else sp.cancel(sp.together(expr))


def symbolic_blocked(problem: Problem) -> str:
    """Why the symbolic stages may not run (they would use Karr's sums), or ''."""
    ranges = may_be_empty(problem.a, problem.domains) + may_be_empty(problem.b, problem.domains)
    if ranges:
        return f"a range may be empty ({', '.join(ranges)}): decided numerically, with empty sums 0"
    return ""


CASES = 8  #: most cases a proof over finite domains splits into


def _cases(problem: Problem, a: sp.Expr, b: sp.Expr) -> list[dict[sp.Symbol, sp.Expr]]:
    """Every assignment of the non-param variables with a small finite domain (a label y in
    {0, 1}), or [] when there are none or too many."""
    finite = sorted((s for s in a.free_symbols | b.free_symbols if isinstance(s, sp.Symbol)
                     and isinstance(problem.domains.get(s.name), sp.FiniteSet)
                     and (problem.mode == "exact" or s.name not in problem.params)), key=sp.default_sort_key)
    if not finite:
        return []
    values = [sorted(problem.domains[s.name].args, key=sp.default_sort_key) for s in finite]
    if sp.prod(len(v) for v in values) > CASES:
        return []
    return [dict(zip(finite, combo)) for combo in itertools.product(*values)]


def stage_canonical(problem: Problem) -> tuple[Verdict | None, sp.Expr, sp.Expr]:
    """(True or None, the canonical a and b).  When the direct test fails and some variables
    range over a small finite set (a label in {0, 1}), each case is proved on its own."""
    a, b = canonical(problem.a, problem.domains), canonical(problem.b, problem.domains)
    verdict = _decide(problem, a, b, _normal, "canonical")
    cases = _cases(problem, a, b) if verdict is None else []
    if cases:
        found = [_decide(problem, canonical(a.xreplace(c), problem.domains), canonical(b.xreplace(c), problem.domains),
                         _normal, "canonical") for c in cases]
        if all(found):
            names = ", ".join(sorted({f"{s} in {problem.domains[s.name]}" for s in cases[0]}))
            verdict = Verdict(True, f"canonical, case by case over {names}", problem.mode)
    return verdict, a, b


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


def _affine_fit(a: sp.Expr, b: sp.Expr, params: frozenset[str], simp: Callable[[sp.Expr], sp.Expr],
                domains: Mapping[str, sp.Set]) -> tuple[sp.Expr, sp.Expr] | None:
    """(c, g) with a = c b + g, c > 0 on the domain, c and g free of the params; or None."""
    for candidate in _scale_candidates(a, b, params):
        c = simp(candidate)
        if not free_of(c, params) or not is_positive_on(c, domains):
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
    fit = _affine_fit(a, b, params, simp, problem.domains)
    return Verdict(True, method, mode, scale=fit[0], offset=fit[1]) if fit else None


# --------------------------------------------------------------------------- stage 2: simplify


def stage_simplify(problem: Problem, a: sp.Expr, b: sp.Expr) -> Verdict | None:
    return _decide(problem, a, b, sp.simplify, "simplify")

