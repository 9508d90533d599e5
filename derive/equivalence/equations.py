"""Two equations compared as equations: the same solution set.

``f = g`` and ``u = v`` are the same equation when f - g is a non-zero constant multiple of
u - v (proved), and different when a point solves one but not the other (refuted: the point
is found by solving one for a variable at rational values of the others, and checked exactly).
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping

import sympy as sp

from derive.equivalence.domains import inside
from derive.equivalence.exact import differ, exact_values
from derive.equivalence.verdict import VALUE_A, VALUE_B, Verdict

#: Values given to the other variables when one is solved for.
TRIAL_VALUES = (sp.Rational(1, 2), sp.Integer(2), sp.Rational(-3, 2), sp.Integer(3), sp.Rational(-1, 3))


def compare_equations(a: sp.Equality, b: sp.Equality, domains: Mapping[str, sp.Set]) -> Verdict:
    fa, fb = a.lhs - a.rhs, b.lhs - b.rhs
    ratio = sp.cancel(sp.together(fa / fb)) if fb != 0 else sp.nan
    if ratio.is_number and ratio.is_finite and ratio != 0:
        return Verdict(True, "equations: one is a non-zero multiple of the other", "exact")
    for f, g, which in ((fa, fb, "a"), (fb, fa, "b")):
        found = _solution_not_of(f, g, domains)
        if found is not None:
            other = "b" if which == "a" else "a"
            found["reason"] = f"the point solves equation {which} but not equation {other}"
            return Verdict(False, "equations: a solution of one is not a solution of the other", "exact",
                           counterexample=found)
    return Verdict(None, "undecided: could not tell whether the equations have the same solutions", "exact")


def _solution_not_of(f: sp.Expr, g: sp.Expr, domains: Mapping[str, sp.Set]) -> dict[str, Any] | None:
    """A rational (or exact) point of the domains with f = 0 and g != 0 there, or None."""
    variables = sorted((s for s in (f.free_symbols | g.free_symbols) if isinstance(s, sp.Symbol)),
                       key=sp.default_sort_key)
    for target in variables:
        if target not in f.free_symbols or not f.is_polynomial(target) or sp.degree(f, target) > 2:
            continue
        others = [s for s in variables if s != target]
        for values in itertools.islice(itertools.product(TRIAL_VALUES, repeat=len(others)), 12):
            point = dict(zip(others, values))
            if not all(inside(domains.get(s.name, sp.S.Reals), v) for s, v in point.items()):
                continue
            try:
                roots = sp.solve(f.xreplace(point), target)
            except (NotImplementedError, ValueError, TypeError):
                roots = []
            for root in roots:
                if not (root.is_real and inside(domains.get(target.name, sp.S.Reals), root)):
                    continue
                full = {**point, target: root}
                zero, value = (exact_values(e, {}, full) for e in (f, g))
                if differ(zero, (sp.S.Zero, sp.S.Zero)) is False and differ(value, (sp.S.Zero, sp.S.Zero)):
                    found: dict[str, Any] = {s.name: v for s, v in full.items()}
                    found[VALUE_A], found[VALUE_B] = "0 = 0", f"{sp.nsimplify(value[0])} = 0"
                    return found
    return None
