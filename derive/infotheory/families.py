"""The declarative table of parametric families: one :class:`Family` entry each.

Adding a family is adding one entry to :data:`FAMILIES`: its density in closed form (ours,
not ``sympy.stats``), its support, its parameters with their domains, and how to compute
the expectations of its sufficient statistics when SymPy's integrator is slow or fails
(``moments="score"``).  Parameter names are PyTorch's arguments in math letters:

    normal (mu, sigma)       laplace (mu, b)          exponential (lambda = rate)
    gamma (alpha = shape, beta = rate)                beta (alpha, beta)
    uniform (a, b)           bernoulli (p)            binomial (N, p)
    categorical (p[k], K)    poisson (lambda)         geometric (p; failures before success)
    mvn_diag (mu[j], sigma[j], d): independent Normal coordinates
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Literal

import sympy as sp

from derive import symbols as S
from derive.errors import UnknownAssumption
from derive.steps import tex

REAL, POSITIVE, UNIT = S.REALS, S.POSITIVE, S.UNIT
COUNT = sp.Range(1, sp.oo)


class UnknownFamily(UnknownAssumption):
    """A family name that is not in :data:`FAMILIES`; the message lists the known ones."""

    def __init__(self, name: str, known: list[str]):
        super().__init__(name, known)
        self.args = (f"unknown family {name!r}; known: {', '.join(known)}",)


@dataclass(frozen=True)
class Param:
    """One parameter: its name (a SymPy symbol name), its domain, and whether it is a
    vector over the family's index (``p[k]``) or shared by P and Q in a KL (binomial N)."""

    name: str
    domain: sp.Set
    vector: bool = False
    shared: bool = False


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
    strategy that integrates this family's terms fastest and cleanest.
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
    integrator: Literal["default", "manual", "meijerg"] = "default"


def _binomial(x, s):
    return sp.binomial(s.N, x) * s.p**x * (1 - s.p) ** (s.N - x)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("normal", "Normal", (Param("mu", REAL), Param("sigma", POSITIVE)),
           r"\mathcal{{N}}\left({mu}, {sigma}^{{2}}\right)",
           lambda x, s: sp.exp(-(x - s.mu) ** 2 / (2 * s.sigma**2)) / sp.sqrt(2 * sp.pi * s.sigma**2),
           lambda s: (-sp.oo, sp.oo)),
    Family("laplace", "Laplace", (Param("mu", REAL), Param("b", POSITIVE)),
           r"\operatorname{{Laplace}}\left({mu}, {b}\right)",
           lambda x, s: sp.exp(-sp.Abs(x - s.mu) / s.b) / (2 * s.b),
           lambda s: (-sp.oo, sp.oo)),
    Family("exponential", "Exponential", (Param("lambda", POSITIVE),),
           r"\operatorname{{Exp}}\left({lambda}\right)",
           lambda x, s: s.lambda_ * sp.exp(-s.lambda_ * x),
           lambda s: (0, sp.oo)),
    Family("gamma", "Gamma", (Param("alpha", POSITIVE), Param("beta", POSITIVE)),
           r"\operatorname{{Gamma}}\left({alpha}, {beta}\right)",
           lambda x, s: s.beta**s.alpha * x ** (s.alpha - 1) * sp.exp(-s.beta * x) / sp.gamma(s.alpha),
           lambda s: (0, sp.oo)),
    Family("beta", "Beta", (Param("alpha", POSITIVE), Param("beta", POSITIVE)),
           r"\operatorname{{Beta}}\left({alpha}, {beta}\right)",
           lambda x, s: sp.gamma(s.alpha + s.beta) / (sp.gamma(s.alpha) * sp.gamma(s.beta))
           * x ** (s.alpha - 1) * (1 - x) ** (s.beta - 1),
           lambda s: (0, 1), moments="score", integrator="meijerg"),
    Family("uniform", "Uniform", (Param("a", REAL), Param("b", REAL)),
           r"\mathcal{{U}}\left({a}, {b}\right)",
           lambda x, s: 1 / (s.b - s.a),
           lambda s: (s.a, s.b), integrator="manual"),
    Family("bernoulli", "Bernoulli", (Param("p", UNIT),),
           r"\operatorname{{Bernoulli}}\left({p}\right)",
           lambda x, s: s.p**x * (1 - s.p) ** (1 - x),
           lambda s: (0, 1), discrete=True),
    Family("binomial", "Binomial", (Param("N", COUNT, shared=True), Param("p", UNIT)),
           r"\operatorname{{Bin}}\left({N}, {p}\right)",
           _binomial, lambda s: (0, s.N), discrete=True, moments="score"),
    Family("categorical", "Categorical", (Param("p", UNIT, vector=True),),
           r"\operatorname{{Cat}}\left({p}\right)",
           lambda k, s: s.p[k], lambda s: (1, s.K), discrete=True, index=("k", "K"), variable="k"),
    Family("poisson", "Poisson", (Param("lambda", POSITIVE),),
           r"\operatorname{{Poisson}}\left({lambda}\right)",
           lambda x, s: s.lambda_**x * sp.exp(-s.lambda_) / sp.factorial(x),
           lambda s: (0, sp.oo), discrete=True),
    Family("geometric", "Geometric", (Param("p", UNIT),),
           r"\operatorname{{Geom}}\left({p}\right)",
           lambda x, s: s.p * (1 - s.p) ** x,
           lambda s: (0, sp.oo), discrete=True, moments="score"),
    Family("mvn_diag", "Multivariate Normal, diagonal covariance",
           (Param("mu", REAL, vector=True), Param("sigma", POSITIVE, vector=True)),
           r"\mathcal{{N}}\left({mu}, \operatorname{{diag}}({sigma}^{{2}})\right)",
           index=("j", "d"), coordinates="normal"),
)}


def family(name: str) -> Family:
    """The entry called ``name``; an unknown name raises :class:`UnknownFamily`."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamily(name, list(FAMILIES)) from None


def names() -> list[str]:
    """The family names, in table order."""
    return list(FAMILIES)


def attr(name: str) -> str:
    """The attribute under which a parameter is found in ``s`` (``lambda`` is a keyword)."""
    return name + "_" if name == "lambda" else name


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
        setattr(s, fam.index[0], S.index(fam.index[0]))
        setattr(s, fam.index[1], S.size(fam.index[1]))
    for p in fam.params:
        name = p.name if p.shared else p.name + suffix
        if p.vector:
            value = S.indexed_base(name, p.domain)
        elif p.domain == COUNT:
            value = S.size(name)
        else:
            value = S.symbol(name, p.domain)
        setattr(s, attr(p.name), value)
    return s


def outcome(fam: Family, nonnegative: bool) -> sp.Symbol:
    """The outcome symbol with the assumptions its support gives (an integer for a discrete
    family, positive on (0, oo)), so that logs of densities expand soundly."""
    if fam.index is not None and fam.variable == fam.index[0]:
        return S.index(fam.variable)
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
