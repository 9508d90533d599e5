"""The record of one loss entry (an :class:`Assumption`: a distribution in one
parametrisation, with its symbols' roles and references), and the registry of them.

Entries are made and registered by the modules of :mod:`derive.distributions`, usually
through :meth:`derive.distributions.base.Family.parametrise`; :func:`names` lists them in
the order of the documents (each entry's ``order``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

import sympy as sp

from derive.errors import UnknownAssumption
from derive.modes import Mode
from derive.symbolic.constraints import Constraint

Target = Literal["loss", "nll", "dataset_loss"]


@dataclass(frozen=True)
class Reference:
    """A hand-written formula (LaTeX) that a derived quantity must match.

    ``target`` names the derived quantity (``d.loss``, ``d.nll`` or ``d.dataset_loss``);
    ``mode`` is the equivalence that must hold (see :func:`derive.equivalent`);
    ``expected`` is the verdict expected (``False`` documents a known non-equality, e.g. the
    Gaussian NLL is *not* exactly the MSE).
    """

    latex: str
    target: Target = "loss"
    mode: Mode = "exact"
    expected: bool = True
    label: str = ""


@dataclass(frozen=True)
class Link:
    """The model's output ``output`` (a logit, a log-rate) and the distribution's parameter
    ``mean`` that the density is written in.

    ``expr`` is ``mean`` as a function of ``output``; ``None`` asks the engine to derive the
    canonical link from the density (the natural parameter: the coefficient of the data in
    the log-density, solved for ``mean``; for a probability vector, normalised over the
    classes).  ``name`` is what practitioners call the inverse link ("sigmoid", "softmax").
    """

    mean: sp.Basic
    output: sp.Basic
    expr: sp.Expr | None = None
    name: str = ""


@dataclass(frozen=True)
class Assumption:
    """One noise model: a closed-form density and the roles of its symbols.

    Mathematical details: ``density`` is p(data | params, fixed), written by us in closed
    form.  ``domains`` maps every symbol (or IndexedBase) to its support or domain as a
    SymPy set; these drive which log expansions are valid and where oracles are evaluated.
    ``support`` is the set the data ranges over for the normalisation proof: a SymPy set
    (``Interval``, ``FiniteSet(0, 1)``, ``Range``) or a constraint of
    :mod:`derive.symbolic.constraints`: ``ONE_HOT`` for a one-hot vector indexed by
    ``vector_index``, ``COUNT_VECTOR`` for count vectors summing to the first fixed symbol;
    with ``vector_index`` and a set, each coordinate ranges over the set.

    Optional rules, each general (no entry is special-cased by name):

    - ``link``: the density is written in ``link.mean``; the model outputs ``link.output``.
    - ``groups``: products that the textbook keeps as one quantity under the log, e.g.
      ``alpha*mu`` in the negative binomial: log(alpha) + log(mu) is written log(alpha*mu).
    - ``kernel``: ``density`` is known only up to its normaliser; the engine derives
      Z = integral of the kernel over the support and records whether Z is free of params.
    - ``quasi``: (mean, V) -- no density; the quasi-log-likelihood
      Q = integral_y^mean (y - t)/V(t) dt stands for the log-likelihood.
    - ``expected_data``: the data enter through the expectation of the NLL under a
      distribution of targets with these means (label smoothing); valid because the NLL is
      affine in the data, which the engine checks.
    - ``saturated``: values of the distribution's parameters at which the model reproduces
      the data (mu = y); gives ``d.deviance``.
    - ``family`` / ``family_params``: the density is the family's at these parameter values
      (``gaussian``: Normal with mu = yhat); gives ``d.entropy()`` and ``d.kl(other)``.
    """

    name: str
    title: str
    statement: str  # LaTeX of the assumption, e.g. y \sim \mathcal{N}(\hat{y}, \sigma^2)
    words: str  # the assumption in one plain sentence
    loss_name: str  # what practitioners call the result, e.g. "MSE"
    density: sp.Expr | None  # None only with ``quasi``
    data: tuple[sp.Basic, ...]
    params: tuple[sp.Basic, ...]
    fixed: tuple[sp.Basic, ...] = ()
    domains: Mapping[sp.Basic, sp.Set] = field(default_factory=dict)
    support: sp.Set | Constraint = sp.S.Reals
    vector_index: tuple | None = None  # (k, 1, K) for per-example vectors
    references: tuple[Reference, ...] = ()
    keep_numeric_factor: bool = False  # keep e.g. the 1/2 of torch's gaussian_nll_loss
    link: Link | None = None
    groups: tuple[sp.Expr, ...] = ()
    kernel: bool = False
    quasi: tuple[sp.Symbol, sp.Expr] | None = None
    expected_data: tuple[tuple[sp.Basic, sp.Expr], ...] = ()
    saturated: tuple[tuple[sp.Basic, sp.Expr], ...] = ()
    given: tuple[tuple[str, sp.Expr], ...] = ()  # fixed symbols given values (derive(name, sigma=1))
    order: int = 0  # position in the documents (names() is sorted by it)
    family: str = ""  # the information-theory family this entry parametrises, if any
    family_params: tuple[tuple[str, sp.Expr], ...] = ()  # the family's parameters, by name

    @property
    def symbols(self) -> tuple[sp.Basic, ...]:
        return self.data + self.params + self.fixed


_REGISTRY: dict[str, Assumption] = {}


def register(assumption: Assumption) -> Assumption:
    """Add an entry; a second entry under the same name is an error, never an overwrite."""
    if assumption.name in _REGISTRY:
        raise ValueError(f"assumption {assumption.name!r} is already registered")
    _REGISTRY[assumption.name] = assumption
    ordered = sorted(_REGISTRY.values(), key=lambda a: a.order)  # stable: ties keep registration order
    _REGISTRY.clear()
    _REGISTRY.update((a.name, a) for a in ordered)
    return assumption


def get(name: str) -> Assumption:
    """The entry called ``name``; an unknown name raises UnknownAssumption listing the known."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownAssumption(name, names()) from None


def names() -> list[str]:
    """Registered names, in the order of the documents."""
    return list(_REGISTRY)
