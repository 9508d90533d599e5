"""Priors are regularisers: ``derive.model(...)`` and the conjugate updates.

    derive.model("ridge")                                   a catalogue model, by name
    derive.model(likelihood="gaussian", prior={"w": "laplace"})   any entry with one scalar param
    derive.model(likelihood="gaussian", prior={"w": ["normal", "laplace"]})   the elastic net
    derive.models.conjugate("beta_bernoulli")               a derived conjugate update

A catalogue model is one :class:`ModelEntry` (likelihood, priors, hand-written references);
:func:`check` proves each reference equal to what is derived (holds True only for a
symbolic proof).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from derive.errors import DeriveError, UnknownAssumption
from derive.memo import memo
from derive.models.conjugate import Conjugate, update
from derive.models.dirichlet import DirichletUpdate
from derive.models.dirichlet import update as dirichlet_update
from derive.models.pairs import PAIRS
from derive.models.regularised import PRIOR_PARAMS, Model, build


@dataclass(frozen=True)
class ModelEntry:
    """A catalogue model: ``likelihood`` (a catalogue entry), the prior ``families`` on each
    weight w_j, and ``references``: (LaTeX, target) pairs, the target ``"loss"``,
    ``"weight:<family>"`` (that prior's lambda) or ``"weight_decay"``."""

    name: str
    title: str
    likelihood: str
    families: tuple[str, ...]
    statement: str
    loss_name: str
    references: tuple[tuple[str, str], ...] = ()


FIT = r"\sum_{i=1}^{n}\left(y_i - \sum_{j=1}^{d} w_j x_{ij}\right)^2"
LOGLOSS = r"\sum_{i=1}^{n}\left(\log\left(1 + e^{\sum_{j=1}^{d} w_j x_{ij}}\right) - y_i \sum_{j=1}^{d} w_j x_{ij}\right)"
L2 = r"\sum_{j=1}^{d} w_j^2"
L1 = r"\sum_{j=1}^{d} |w_j|"

MODELS: dict[str, ModelEntry] = {m.name: m for m in (
    ModelEntry("ridge", "Ridge regression: a Gaussian prior on the weights", "gaussian", ("normal",),
               r"y_i \sim \mathcal{N}(w^\top x_i, \sigma^2),\quad w_j \sim \mathcal{N}(0, \tau^2)", "ridge (L2)",
               ((FIT + r" + \frac{\sigma^2}{\tau^2}" + L2, "loss"), (r"\frac{\sigma^2}{\tau^2}", "weight:normal"),
                (r"\frac{2\sigma^2}{n\tau^2}", "weight_decay"))),
    ModelEntry("lasso", "The lasso: a Laplace prior on the weights", "gaussian", ("laplace",),
               r"y_i \sim \mathcal{N}(w^\top x_i, \sigma^2),\quad w_j \sim \operatorname{Laplace}(0, b)", "lasso (L1)",
               ((FIT + r" + \frac{2\sigma^2}{b}" + L1, "loss"), (r"\frac{2\sigma^2}{b}", "weight:laplace"))),
    ModelEntry("elastic_net", "The elastic net: Gaussian and Laplace priors together", "gaussian", ("normal", "laplace"),
               r"y_i \sim \mathcal{N}(w^\top x_i, \sigma^2),\quad p(w_j) \propto \mathcal{N}(w_j; 0, \tau^2)"
               r"\operatorname{Laplace}(w_j; 0, b)", "elastic net",
               ((FIT + r" + \frac{2\sigma^2}{b}" + L1 + r" + \frac{\sigma^2}{\tau^2}" + L2, "loss"),)),
    ModelEntry("logistic_l2", "L2-regularised logistic regression: a Gaussian prior", "bernoulli_logits", ("normal",),
               r"y_i \sim \operatorname{Bernoulli}(\sigma(w^\top x_i)),\quad w_j \sim \mathcal{N}(0, \tau^2)",
               "L2-regularised log loss",
               ((LOGLOSS + r" + \frac{1}{2\tau^2}" + L2, "loss"), (r"\frac{1}{2\tau^2}", "weight:normal"),
                (r"\frac{1}{n\tau^2}", "weight_decay"))),
)}


def names() -> list[str]:
    """The catalogue models, in order."""
    return list(MODELS)


def _families(prior) -> tuple[str, ...]:
    if not isinstance(prior, Mapping) or len(prior) != 1:
        raise DeriveError("prior must map the weights to a family or a list of families, e.g. {'w': 'normal'}")
    ((target, fams),) = prior.items()
    if str(target) != "w":
        raise DeriveError(f"a prior is placed on the weights 'w', not on {target!r}")
    fams = (fams,) if isinstance(fams, str) else tuple(fams)
    unknown = [f for f in fams if f not in PRIOR_PARAMS]
    if unknown:
        raise DeriveError(f"unsupported prior {', '.join(map(repr, unknown))} on w; priors: {', '.join(PRIOR_PARAMS)}")
    return fams


@lru_cache(maxsize=None)
def _model_cached(name: str, likelihood: str, families: tuple[str, ...]) -> Model:
    return build(name, likelihood, families)


def model(name: str | None = None, *, likelihood: str | None = None, prior: Mapping | None = None) -> Model:
    """The regularised loss of a catalogue model (``name``) or of ``likelihood`` (an entry
    with one scalar param, which becomes w^T x_i) with ``prior`` on the weights."""
    if name is not None:
        if likelihood is not None or prior is not None:
            raise DeriveError("give a model name or likelihood= and prior=, not both")
        if name not in MODELS:
            raise UnknownAssumption(name, names())
        m = MODELS[name]
        return _model_cached(m.name, m.likelihood, m.families)
    if likelihood is None or prior is None:
        raise DeriveError("derive.model needs a name, or likelihood= and prior=")
    return _model_cached("custom", likelihood, _families(prior))


def derived_value(m: Model, target: str):
    """The derived quantity a reference's ``target`` names."""
    if target == "loss":
        return m.loss
    if target == "weight_decay":
        return m.weight_decay
    if target.startswith("weight:"):
        return m.weights[target.split(":", 1)[1]]
    raise DeriveError(f"unknown reference target {target!r}")


@memo("model-checks")
def check(name: str):
    """Each reference of the catalogue model ``name`` against the derivation: a list of
    (latex, target, Verdict)."""
    from derive.equivalence import equivalent

    m = model(name)
    return [(tex, target, equivalent(derived_value(m, target), tex)) for tex, target in MODELS[name].references]


CONJUGATES = ("beta_bernoulli", "dirichlet_categorical", "gamma_poisson", "normal_normal")


@memo("conjugate")
def conjugate(name: str) -> Conjugate | DirichletUpdate:
    """The derived conjugate update ``name`` (one of :data:`CONJUGATES`)."""
    if name == "dirichlet_categorical":
        return dirichlet_update()
    if name not in PAIRS:
        raise UnknownAssumption(name, list(CONJUGATES))
    return update(PAIRS[name])


__all__ = ["CONJUGATES", "MODELS", "Conjugate", "DirichletUpdate", "Model", "ModelEntry", "check", "conjugate",
           "model", "names"]
