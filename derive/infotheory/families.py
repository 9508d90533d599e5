"""A family of :mod:`derive.distributions` bound to symbols, for entropy, cross-entropy and KL.

The families themselves (density, support, parameters with their domains, KL pairs) live one
per module in :mod:`derive.distributions`; this module names their parameter symbols
(``mu_p``, ``sigma_q``) and the outcome symbol with the assumptions its support gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import sympy as sp

from derive import symbols as dsym
from derive.distributions import FAMILIES, Family, Param, UnknownFamily, family, names
from derive.distributions.base import attr
from derive.steps import tex

COUNT = sp.Range(1, sp.oo)

__all__ = ["FAMILIES", "Bound", "Family", "Param", "UnknownFamily", "attr", "bind", "family", "names", "outcome",
           "parameters"]


@dataclass(frozen=True, eq=False)
class Bound:
    """A family bound to symbols: parameters ``s`` (with ``suffix``: ``mu_p``), the outcome
    symbol ``x`` and the density p(x) on the support ``(lo, hi)``."""

    family: Family
    s: SimpleNamespace
    x: sp.Symbol
    label: str
    suffix: str = ""

    @property
    def density(self) -> sp.Expr:
        return self.family.density(self.x, self.s)

    @property
    def support(self) -> tuple[sp.Expr, sp.Expr]:
        lo, hi = self.family.support(self.s)
        return sp.sympify(lo), sp.sympify(hi)

    @property
    def params(self) -> tuple[sp.Basic, ...]:
        return tuple(getattr(self.s, attr(p.name)) for p in self.family.params)

    @property
    def notation(self) -> str:
        return self.family.notation.format(**{p.name: tex(getattr(self.s, attr(p.name)))
                                              for p in self.family.params})


def parameters(fam: Family, suffix: str = "") -> SimpleNamespace:
    """The parameter symbols of ``fam``, named with ``suffix`` unless shared; vector
    parameters are ``IndexedBase``; the index and size symbols are included."""
    s = SimpleNamespace()
    if fam.index is not None:
        setattr(s, fam.index[0], dsym.index(fam.index[0]))
        setattr(s, fam.index[1], dsym.size(fam.index[1]))
    for p in fam.params:
        name = p.name if p.shared else p.name + suffix
        if p.vector:
            value = dsym.indexed_base(name, p.domain)
        elif p.domain == COUNT:
            value = dsym.size(name)
        else:
            value = dsym.symbol(name, p.domain)
        setattr(s, attr(p.name), value)
    return s


def outcome(fam: Family, nonnegative: bool) -> sp.Symbol:
    """The outcome symbol with the assumptions its support gives (an integer for a discrete
    family, positive on (0, oo)), so that logs of densities expand soundly."""
    if fam.index is not None and fam.variable == fam.index[0]:
        return dsym.index(fam.variable)
    if fam.discrete:
        return sp.Symbol(fam.variable, integer=True, nonnegative=True)
    return sp.Symbol(fam.variable, **({"positive": True} if nonnegative else {"real": True}))


def bind(name: str, suffix: str = "", label: str = "P", x: sp.Symbol | None = None) -> Bound:
    """The family ``name`` bound to its symbols (names with ``suffix``), outcome ``x``."""
    fam = family(name)
    s = parameters(fam, suffix)
    if x is None and fam.density is not None:
        x = outcome(fam, sp.sympify(fam.support(s)[0]).is_nonnegative is True)
    return Bound(fam, s, x, label, suffix)
