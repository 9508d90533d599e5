"""A distribution family: its density written once, its support and parameter domains,
the KL pairs it is registered with; and the registry of families.

A module of this package holds one family and everything about it (torch's
``distributions/normal.py`` is the model): the :class:`Family`, the catalogue entries that
parametrise it (:meth:`Family.parametrise`: ``gaussian`` is the Normal with mu = yhat), its
framework peers (:func:`derive.peers.peer`) and its references.  Parameter names are
PyTorch's arguments in math letters (``normal(mu, sigma)``, ``exponential(lambda = rate)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Literal

import sympy as sp

from derive.entries import Assumption
from derive.errors import UnknownFamily


@dataclass(frozen=True)
class Param:
    """One parameter: its name (a SymPy symbol name), its domain, and whether it is a
    vector over the family's index (``p[k]``) or shared by P and Q in a KL (binomial N)."""

    name: str
    domain: sp.Set
    vector: bool = False
    shared: bool = False


def attr(name: str) -> str:
    """The attribute under which a parameter is found in ``s`` (``lambda`` is a keyword)."""
    return name + "_" if name == "lambda" else name


@dataclass(frozen=True)
class Family:
    """One parametric family.

    Mathematical details: ``density(x, s)`` is p(x; s) in closed form, ``s`` holding the
    parameter symbols by name (``s.mu``); ``support(s)`` is (lo, hi), an interval when
    continuous, the integers lo..hi when ``discrete``.  ``moments`` says how E[f(x)] is
    found for the terms f of log p: ``"integrate"`` (integration or summation against the
    density) or ``"score"`` (the sufficient statistics from E[d/dtheta log p] = 0, the
    rest by integration).  ``index`` = (index, size) names the index of vector parameters;
    ``variable`` is the name of the outcome symbol.  A family with ``coordinates`` is the
    product of independent coordinates of that family over ``index`` (no ``density``).
    ``notation`` is a LaTeX template over the parameter names; ``integrator`` the SymPy
    strategy that integrates this family's terms fastest and cleanest (``exp``: substitute
    t = e^(a x + b)).  ``kl`` names the families Q for which D_KL(self || Q) is registered,
    besides Q = self unless ``kl_self`` is False (no closed form within the family);
    ``order`` is the family's place in the documents.
    """

    name: str
    title: str
    params: tuple[Param, ...]
    notation: str
    density: Callable[[sp.Symbol, SimpleNamespace], sp.Expr] | None = None
    support: Callable[[SimpleNamespace], tuple[sp.Expr, sp.Expr]] | None = None
    discrete: bool = False
    moments: Literal["integrate", "score"] = "integrate"
    index: tuple[str, str] | None = None
    variable: str = "x"
    coordinates: str | None = None
    integrator: Literal["default", "manual", "meijerg", "exp"] = "default"
    kl: tuple[str, ...] = ()
    kl_self: bool = True
    order: int = 0

    def at(self, x: sp.Basic, **values: sp.Basic) -> sp.Expr:
        """The density at ``x`` with the parameters given by name: ``at(y, mu=yhat, sigma=s)``."""
        names = {p.name for p in self.params}
        unknown = set(values) - names
        if unknown or self.density is None:
            raise ValueError(f"{self.name}: parameters are {', '.join(sorted(names))}, not {', '.join(sorted(unknown))}"
                             if unknown else f"{self.name}: a family of coordinates has no density of its own")
        return self.density(x, SimpleNamespace(**{attr(k): v for k, v in values.items()}))

    def parametrise(self, x: sp.Basic, values: dict, **entry) -> Assumption:
        """The catalogue entry whose density is this family's at ``x`` with the parameters
        ``values`` (by name, every parameter given); ``entry`` holds the other fields."""
        missing = [p.name for p in self.params if p.name not in values]
        if missing:
            raise ValueError(f"{self.name}: the entry {entry.get('name')!r} does not give {', '.join(missing)}")
        return Assumption(density=self.at(x, **values), family=self.name,
                          family_params=tuple(values.items()), **entry)


FAMILIES: dict[str, Family] = {}


def register_family(fam: Family) -> Family:
    """Add a family (kept in ``order``); a second family under the same name is an error."""
    if fam.name in FAMILIES:
        raise ValueError(f"family {fam.name!r} is already registered")
    FAMILIES[fam.name] = fam
    ordered = sorted(FAMILIES.values(), key=lambda f: f.order)
    FAMILIES.clear()
    FAMILIES.update((f.name, f) for f in ordered)
    return fam


def family(name: str) -> Family:
    """The family called ``name``; an unknown name raises :class:`UnknownFamily`."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamily(name, list(FAMILIES)) from None


def names() -> list[str]:
    """The family names, in the order of the documents."""
    return list(FAMILIES)
