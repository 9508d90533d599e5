"""Small algebra shared by the closed forms and the identity proofs.

``merge_limits``: c1 Sum(f1, L) + c2 Sum(f2, L) -> Sum(c1 f1 + c2 f2, L) (linearity; the
same for Integral).  ``tidy``: logs split where the assumptions allow, terms collected on
logs and digammas, sums merged.  ``vanishes``: an expression reduces to 0 by SymPy alone.
"""

from __future__ import annotations

import sympy as sp

LINEAR = (sp.Sum, sp.Integral)


def merge_limits(expr: sp.Expr) -> sp.Expr:
    """Sums (integrals) with identical limits, times coefficients free of their variables,
    merged into one sum (integral) of the combined body; other terms untouched."""
    merged: dict[tuple, sp.Expr] = {}
    rest = []
    for term in sp.Add.make_args(sp.expand(expr, deep=False)):
        factors = sp.Mul.make_args(term)
        linear = [f for f in factors if isinstance(f, LINEAR)]
        coeff = sp.Mul(*(f for f in factors if not isinstance(f, LINEAR)))
        if len(linear) != 1 or coeff.has(*linear[0].variables):
            rest.append(term)
            continue
        key = (type(linear[0]), linear[0].limits)
        merged[key] = merged.get(key, sp.S.Zero) + coeff * linear[0].function
    return sp.Add(*rest, *(kind(body, *limits) for (kind, limits), body in merged.items()))


def tidy(expr: sp.Expr) -> sp.Expr:
    """A readable canonical form: logs expanded (only where valid), exponentials and erf
    with factored arguments, terms collected on their transcendental atoms (log, digamma,
    erf, exp) with factored coefficients, the rational rest over one denominator; the
    bodies of sums tidied and sums of equal limits merged."""
    sums = {s: sp.Dummy() for s in expr.atoms(sp.Sum)}
    back = {d: sp.Sum(tidy(s.function), *s.limits) for s, d in sums.items()}
    flat = sp.expand(sp.expand_log(expr.xreplace(sums)), power_exp=False)
    flat = flat.replace(lambda a: isinstance(a, (sp.exp, sp.erf)), lambda a: a.func(sp.factor(a.args[0])))
    atoms = sorted(flat.atoms(sp.log, sp.polygamma, sp.erf, sp.exp), key=sp.default_sort_key)
    rest, transcendental = flat.as_independent(*atoms, as_Add=True)
    collected = sp.collect(transcendental, atoms, func=sp.factor)
    return merge_limits((sp.factor(sp.together(rest)) + collected).xreplace(back))


def vanishes(expr: sp.Expr, assumptions: sp.Boolean = sp.true) -> bool:
    """True when SymPy reduces ``expr`` to 0: derivatives done (:func:`leibniz`), integrals over a sum
    exchanged with it, deltas summed or integrated out, sums and integrals of equal limits
    merged, logs expanded where the
    assumptions allow, then ``simplify`` (and ``refine`` under ``assumptions``)."""
    e = expr.replace(lambda a: isinstance(a, sp.Derivative), leibniz)
    e = e.replace(lambda a: isinstance(a, sp.Integral) and _inner_sum(a) is not None, _exchange)
    e = e.replace(lambda a: isinstance(a, LINEAR) and a.function.has(sp.DiracDelta, sp.KroneckerDelta),
                  lambda a: a.doit())
    e = merge_limits(e)
    e = e.replace(lambda a: isinstance(a, LINEAR),
                  lambda a: type(a)(sp.simplify(sp.expand_log(sp.expand(a.function))), *a.limits))
    e = sp.refine(sp.simplify(e), assumptions) if assumptions != sp.true else sp.simplify(e)
    e = e.replace(lambda a: isinstance(a, LINEAR) and a.function == 0, lambda a: sp.S.Zero)
    return sp.simplify(e) == 0


def leibniz(d: sp.Derivative) -> sp.Expr:
    """A derivative done, sums and integrals differentiated under the sign (their limits are
    free of the variable) and left unevaluated: SymPy's own ``doit`` would try to integrate."""
    holders = {a: sp.Function(sp.Dummy().name)(*d.variables) for a in d.expr.atoms(*LINEAR)
               if a.has(*d.variables)}
    done = sp.diff(d.expr.xreplace(holders), *d.variable_count)
    inside = {sp.Derivative(f, *d.variable_count): type(a)(sp.diff(a.function, *d.variable_count), *a.limits)
              for a, f in holders.items()}
    return done.xreplace(inside).xreplace({f: a for a, f in holders.items()})


def _inner_sum(integral: sp.Integral) -> sp.Sum | None:
    sums = [f for f in sp.Mul.make_args(integral.function) if isinstance(f, sp.Sum)]
    return sums[0] if len(sums) == 1 and not sums[0].limits[0][1:] == () else None


def _exchange(integral: sp.Integral) -> sp.Expr:
    """int c(x) sum_i f_i(x) dx = sum_i int c(x) f_i(x) dx, evaluated (finite sum)."""
    inner = _inner_sum(integral)
    rest = integral.function / inner
    return sp.Sum(sp.Integral(rest * inner.function, *integral.limits).doit(), *inner.limits)
