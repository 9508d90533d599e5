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


def textbook(expr: sp.Expr) -> sp.Expr:
    """A :func:`tidy` form rearranged as textbooks print it (the caller proves the two equal):

        c log a - c log b      ->  c log(a/b)              (a, b positive, free of functions)
        N / D, D a monomial    ->  Q + R / D               (N = Q D + R, no term of R divisible by D)
        c a^2 + c b^2 - 2c a b ->  c (a - b)^2             (in R; c a number)

    so that log s_q + (m_p^2 + m_q^2 + s_p^2 - 2 m_p m_q - s_q^2)/(2 s_q^2) - log s_p reads
    log(s_q/s_p) + (s_p^2 + (m_p - m_q)^2)/(2 s_q^2) - 1/2.  Sums are rearranged inside."""
    if isinstance(expr, sp.Sum):
        return sp.Sum(textbook(expr.function), *expr.limits)
    terms = [textbook(t) if isinstance(t, sp.Sum) else t for t in sp.Add.make_args(expr)]
    terms = _log_ratios(terms)
    return sp.Add(*(_divided(t) for t in terms))


def _log_of_plain(term: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``term`` = c log(a) with ``a`` free of functions and ``c`` free of logs: (c, a)."""
    logs = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.log)]
    if len(logs) != 1 or not logs[0].args[0].is_positive or logs[0].args[0].atoms(sp.Function) \
            or logs[0].args[0].is_number:
        return None
    coeff = term / logs[0]
    return None if coeff.has(sp.log) else (coeff, logs[0].args[0])


def _log_ratios(terms: list[sp.Expr]) -> list[sp.Expr]:
    """Pairs ``c log a``, ``-c log b`` of ``terms`` joined as ``c log(a/b)``."""
    out, used = [], set()
    plain = [_log_of_plain(t) for t in terms]
    for i, term in enumerate(terms):
        if i in used:
            continue
        match = None
        if plain[i] is not None:
            c, a = plain[i]
            match = next((j for j in range(i + 1, len(terms)) if j not in used and plain[j] is not None
                          and sp.expand(plain[j][0] + c) == 0), None)
        if match is None:
            out.append(term)
            continue
        used.add(match)
        (c, a), (_, b) = plain[i], plain[match]
        if sp.Mul(c).could_extract_minus_sign():
            c, a, b = -c, b, a
        out.append(c * sp.log(a / b, evaluate=False))
    return out


def _divided(term: sp.Expr) -> sp.Expr:
    """A rational term N/D over a monomial D as Q + R/D, with squares completed in R."""
    if term.has(sp.log, sp.Function, sp.Sum) or not term.free_symbols:
        return term
    n, d = sp.fraction(sp.together(term))
    gens = sorted(term.free_symbols, key=sp.default_sort_key)
    if d == 1 or not (d.is_Mul or d.is_Pow or d.is_Symbol):
        return term
    try:
        pn, pd = sp.Poly(n, *gens), sp.Poly(d, *gens)
    except sp.PolynomialError:
        return term
    if len(pd.terms()) != 1:
        return term
    (mono, coeff), = pd.terms()
    quotient, remainder = sp.S.Zero, sp.S.Zero
    for m, c in pn.terms():
        t = sp.Mul(c, *(g**e for g, e in zip(gens, m)))
        if all(a >= b for a, b in zip(m, mono)):
            quotient += t / d
        else:
            remainder += t
    if remainder == 0:
        return quotient
    return quotient + _squares(remainder, gens) / d


def _squares(poly: sp.Expr, gens) -> sp.Expr:
    """c a^2 + c b^2 -/+ 2c a b in ``poly`` written c (a -/+ b)^2 (c a number)."""
    p = sp.Poly(poly, *gens)
    coeffs = dict(p.terms())
    unit = lambda *pairs: tuple(sum(e for g, e in pairs if g == k) for k in range(len(gens)))  # noqa: E731
    squares = []
    for i in range(len(gens)):
        for j in range(i + 1, len(gens)):
            aa, bb, ab = unit((i, 2)), unit((j, 2)), unit((i, 1), (j, 1))
            c = coeffs.get(aa)
            if c is None or coeffs.get(bb) != c or coeffs.get(ab) not in (2 * c, -2 * c):
                continue
            sign = 1 if coeffs[ab] == 2 * c else -1
            squares.append(c * (gens[i] + sign * gens[j]) ** 2)
            for k in (aa, bb, ab):
                del coeffs[k]
    rest = sp.Add(*(c * sp.Mul(*(g**e for g, e in zip(gens, m))) for m, c in coeffs.items()))
    return sp.Add(rest, *squares)
