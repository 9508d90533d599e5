"""The mass of a density over its support: the normaliser Z of a kernel, and the proof
that a catalogue density sums or integrates to 1.

    continuous support    Z = int p(y) dy            (:func:`derive.symbolic.integrals.integrate`,
                                                      the locations may move)
    finite / countable    Z = sum_y p(y)
    one-hot over K        Z = sum_c exp(-NLL at e_c) = sum_c yhat_c
    independent coords    Z = prod_j Z_j
    count vectors         Z = sum over the compositions of N, at concrete sizes
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption
from derive.errors import Unsupported
from derive.stages import hard_label
from derive.symbolic.constraints import COUNT_VECTOR, ONE_HOT
from derive.symbolic.domains import expand_logs, resolve_piecewise
from derive.symbolic.integrals import integrate


def _movers(assumption: Assumption) -> tuple[sp.Symbol, ...]:
    symbols = assumption.params + assumption.fixed
    if assumption.link is not None:
        symbols = (assumption.link.mean,) + symbols
    return tuple(s for s in symbols if isinstance(s, sp.Symbol) and s.is_real)


def mass(density: sp.Expr, assumption: Assumption, sizes: Mapping[str, int] | None = None) -> sp.Expr:
    """``density`` summed or integrated over the data's support (1 when normalised)."""
    a = assumption
    support = a.support
    domains = a.domains
    if sizes:
        size_subs = {s: sizes[s.name] for s in density.free_symbols if s.name in sizes}
        density = density.xreplace(size_subs).doit()
        if isinstance(support, sp.Set):
            support = support.xreplace(size_subs)
        a = dataclasses.replace(a, support=support)
    if support == ONE_HOT:
        c = dsym.index("c")
        nll = expand_logs(-sp.log(density, evaluate=False), domains)
        return sp.Sum(sp.exp(-hard_label(nll, a)), (c, 1, a.vector_index[2]))
    if support == COUNT_VECTOR:
        return _counts_mass(density, a, sizes)
    if any(isinstance(x, sp.MatrixSymbol) for x in a.data):
        raise Unsupported(f"{a.name}: the mass of a density of a symbolic-size matrix is not computed; "
                          "substitute explicit matrices and integrate")
    if a.vector_index is not None and isinstance(density, sp.Product):
        (y,) = a.data
        index = a.vector_index[0]
        scalar = sp.Symbol("y_scalar", **dsym.assumptions_for(support))
        inner = density.function.replace(lambda e: isinstance(e, sp.Indexed) and e.base == y,
                                         lambda e: scalar)
        inner = inner.replace(lambda e: isinstance(e, sp.Indexed) and e.indices == (index,),
                              lambda e: sp.Symbol(f"{e.base.label}_scalar", **dsym.assumptions_for(dsym.domain_of(e, domains))))
        one = dataclasses.replace(a, data=(scalar,), vector_index=None, support=support,
                                  domains={**domains, scalar: support})
        return sp.Product(mass(inner, one), *density.limits).doit()
    (y,) = a.data
    if isinstance(support, sp.FiniteSet):
        return sp.simplify(sp.Add(*[density.subs(y, value) for value in support]))
    if isinstance(support, sp.Range):
        total = sp.summation(density, (y, support.inf, support.sup))
        return sp.simplify(resolve_piecewise(total, domains))
    return integrate(density, y, support.inf, support.sup, domains, _movers(a))


def _counts_mass(density: sp.Expr, a: Assumption, sizes) -> sp.Expr:
    """Sum over all count vectors (y_1..y_K) with y_1 + ... + y_K = N, at concrete K, N."""
    from itertools import product as cartesian

    (y,) = a.data
    k, _, K = a.vector_index
    N = a.fixed[0]
    if not sizes or K.name not in sizes or N.name not in sizes:
        raise Unsupported("the mass of a count vector needs concrete sizes K and N")
    K_, N_ = sizes[K.name], sizes[N.name]
    total = sp.S.Zero
    for counts in cartesian(range(N_ + 1), repeat=K_):
        if sum(counts) == N_:
            total += density.xreplace({y[j + 1]: c for j, c in enumerate(counts)}).doit()
    return sp.expand(total)


def total_mass(assumption: Assumption, sizes: Mapping[str, int] | None = None) -> sp.Expr:
    """The density summed or integrated over the data's support (1 when normalised).

    Continuous support: the integral; a finite or countable set: the sum; a one-hot vector
    over K classes: the sum over the K vectors e_c of exp(-NLL at e_c), which is
    ``Sum(yhat[c], (c, 1, K))``, equal to 1 exactly when the probabilities sum to 1; a
    vector of independent coordinates: the product of the coordinates' masses; count
    vectors: the sum over the compositions of N, at concrete ``sizes``.  A kernel is first
    divided by its derived normaliser (so the result is 1 by construction, and the test is
    of the derivation of Z)."""
    a = assumption
    if a.quasi is not None:
        raise Unsupported(f"{a.name}: a quasi-likelihood is not a density; it has no mass")
    density = a.density
    if a.kernel:
        density = density / mass(density, a, sizes)
    if sizes:
        return mass(density, a, sizes)
    return mass(density, a)

