"""Priors are regularisers: the negative log-posterior of a generalised linear model.

    -log p(w | D) = sum_i -log p(y_i | eta_i = w^T x_i)  +  sum_j -log p(w_j)  +  log p(D)
                  = c_lik sum_i loss_i + sum_f c_f sum_j pen_f(w_j) + const
                  ∝ sum_i loss_i + sum_f lambda_f sum_j pen_f(w_j),   lambda_f = c_f / c_lik

The data term is the catalogue entry's derivation (nll = c_lik loss + dropped, proved by the
engine) at the linear predictor; each prior's term is its family's density at w_j, its
constants dropped and its positive factor c_f kept, so the weight lambda_f is derived, not
typed (ridge: sigma^2/tau^2).  Several priors on one weight multiply into one density whose
normaliser Z is free of w (the elastic net).  The weights are a vector of symbolic dimension
d: ``w[j]``, ``x[i, j]``, ``w^T x_i = sum_j w_j x_ij``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import family as get_family
from derive.engine import derive
from derive.errors import DeriveError, Unsupported
from derive.stages import split_constants, split_scale
from derive.steps import Step, tex
from derive.symbolic.domains import expand_logs, split_sums

i, j, n, d = dsym.index("i"), dsym.index("j"), dsym.size("n"), dsym.size("d")
w = dsym.indexed_base("w", dsym.REALS)
x = dsym.indexed_base("x", dsym.REALS)
tau = dsym.symbol("tau", dsym.POSITIVE)
b = dsym.symbol("b", dsym.POSITIVE)
wj = w[j]
eta = sp.Sum(w[j] * x[i, j], (j, 1, d))  # w^T x_i

#: The hyperparameters each prior family takes on a weight (centred at 0).
PRIOR_PARAMS: dict[str, dict[str, sp.Expr]] = {
    "normal": {"mu": sp.S.Zero, "sigma": tau},
    "laplace": {"mu": sp.S.Zero, "b": b},
}
PENALTY_NAMES = {"normal": r"\|w\|_2^2", "laplace": r"\|w\|_1"}


@dataclass(frozen=True)
class Penalty:
    """One prior's contribution: ``weight * Sum(penalty, (j, 1, d))`` in the loss, from the
    family ``family``; ``factor`` is the positive factor c_f of -log p(w_j) it came with."""

    family: str
    penalty: sp.Expr  # the per-coordinate penalty, in w[j]
    factor: sp.Expr
    weight: sp.Expr  # lambda_f = factor / c_lik

    @property
    def term(self) -> sp.Expr:
        return self.weight * sp.Sum(self.penalty, (j, 1, d))


@dataclass(frozen=True)
class Model:
    """A likelihood with priors on the weights, derived to its regularised loss.

    ``neg_log_posterior`` is -log p(w | D) up to log p(D) (nothing else dropped);
    ``loss`` = ``fit`` + sum of the penalties' terms, with
    ``neg_log_posterior == scale * loss + sum(dropped)`` exactly; ``weights`` maps
    each prior family to its lambda; ``weight_decay`` is PyTorch's ``weight_decay`` for
    the mean-reduced loss (Gaussian prior only, else None); ``prior`` is the density p(w_j)
    of one weight (over ``Z(...)``, free of w, when several families multiply)."""

    name: str
    likelihood: str
    priors: tuple[tuple[str, tuple[tuple[str, sp.Expr], ...]], ...]
    neg_log_posterior: sp.Expr
    fit: sp.Expr
    penalties: tuple[Penalty, ...]
    scale: sp.Expr
    dropped: tuple[sp.Expr, ...]
    steps: tuple[Step, ...]
    weight_decay: sp.Expr | None = None
    prior: sp.Expr | None = None

    @property
    def loss(self) -> sp.Expr:
        return self.fit + sp.Add(*[p.term for p in self.penalties])

    @property
    def weights(self) -> dict[str, sp.Expr]:
        return {p.family: p.weight for p in self.penalties}

    @property
    def params(self) -> tuple[sp.Basic, ...]:
        return (w,)


def _at_predictor(expr: sp.Expr, entry) -> sp.Expr:
    """An entry's per-example expression with y -> y_i and its one param -> w^T x_i."""
    (param,) = entry.params
    (data,) = entry.data
    y_i = dsym.indexed_base(data.name, dsym.domain_of(data, entry.domains))[i]
    return expr.xreplace({param: eta, data: y_i})


def _prior_term(families: tuple[str, ...], hyper: Mapping[str, Mapping[str, sp.Expr]]):
    """-log p(w_j) for the product of the families' densities (normalised by Z, free of w):
    per family (factor, penalty), and the dropped constants."""
    parts, dropped, density = [], [], sp.S.One
    domains = {w: dsym.REALS, tau: dsym.POSITIVE, b: dsym.POSITIVE}
    for name in families:
        fam = get_family(name)
        if name not in PRIOR_PARAMS:
            raise Unsupported(f"a {name} prior on the weights is not supported; priors: {', '.join(PRIOR_PARAMS)}")
        values = {**PRIOR_PARAMS[name], **hyper.get(name, {})}
        p_j = fam.at(wj, **values)
        density *= p_j
        dependent, consts = split_constants(expand_logs(-sp.log(p_j, evaluate=False), domains), (w,))
        factor, penalty = split_scale(dependent, (w,), domains, False)
        parts.append((name, factor, penalty))
        dropped.extend(consts)
    if len(families) > 1:  # the product of the kernels is normalised by Z(hyperparameters)
        z = sp.Function("Z", positive=True)(*sorted({s for v in hyper.values() for s in v.values()}
                                                   | {tau, b} & density.free_symbols, key=str))
        dropped.append(sp.log(z))
        density = density / z
    return parts, tuple(dropped), density


def build(name: str, likelihood: str, families: tuple[str, ...],
          hyper: Mapping[str, Mapping[str, sp.Expr]] | None = None) -> Model:
    """Derive the regularised loss of ``likelihood`` (a catalogue entry with one scalar
    param, which becomes w^T x_i) with independent priors ``families`` on each w_j."""
    if not families:
        raise DeriveError(f"{name}: a model needs at least one prior on the weights")
    if len(set(families)) != len(families):
        raise DeriveError(f"{name}: a prior family is given twice: {', '.join(families)}")
    hyper = dict(hyper or {})
    dl = derive(likelihood)
    entry = dl.assumption
    if len(entry.params) != 1 or len(entry.data) != 1 or isinstance(entry.params[0], (sp.IndexedBase, sp.MatrixSymbol)):
        raise Unsupported(f"{name}: the likelihood {likelihood!r} must have one scalar param to become w^T x_i "
                          f"(it has {', '.join(map(str, entry.params))})")
    domain = dsym.domain_of(entry.params[0], entry.domains)
    if domain != dsym.REALS:
        raise Unsupported(f"{name}: the linear predictor w^T x_i is any real number, but {entry.params[0]} of "
                          f"{likelihood!r} lies in {dsym.describe(domain)}; use an entry with a link "
                          "(bernoulli_logits, poisson_log)")
    steps: list[Step] = []
    nll_i = _at_predictor(dl.nll, entry)
    parts, prior_dropped, prior_density = _prior_term(families, hyper)
    prior_names = " and ".join(get_family(f).title for f in families)
    steps.append(Step("posterior", sp.Product(_at_predictor(dl.density if dl.density is not None else entry.density,
                                                             entry), (i, 1, n)) * sp.Product(prior_density, (j, 1, d)),
                      f"Bayes: likelihood times the {prior_names} prior on each $w_j$, over the evidence $p(D)$ "
                      "(free of $w$)", lhs=r"p(w \mid D)\, p(D)", relation="="))
    prior_nll = sp.Add(*[f * pen for _, f, pen in parts]) + sp.Add(*prior_dropped)
    nlp = sp.Sum(nll_i, (i, 1, n)) + sp.Sum(prior_nll, (j, 1, d))
    steps.append(Step("neg_log", nlp, "negative log: sums over the examples and the coordinates",
                      lhs=r"-\log p(w \mid D) - \log p(D)"))
    expanded = split_sums(nlp)
    dependent, dropped = split_constants(expanded, (w,))
    steps.append(Step("split", dependent + sp.Add(*dropped), "terms free of $w$ are constants", dropped=dropped))
    fit = sp.Sum(_at_predictor(dl.loss, entry), (i, 1, n))
    penalties = tuple(Penalty(fam, pen, f, sp.simplify(f / dl.scale)) for fam, f, pen in parts)
    loss = fit + sp.Add(*[p.term for p in penalties])
    if sp.simplify(split_sums(dependent - dl.scale * loss)) != 0:
        raise DeriveError(f"{name}: the parts do not add up to the negative log-posterior")  # a bug, not bad input
    lam_note = ", ".join(f"$\\lambda_{{{PENALTY_NAMES[p.family]}}} = {tex(p.weight)}$" for p in penalties)
    steps.append(Step("loss", loss, "drop the constants" + (" and divide by the likelihood's factor $a = %s$" % tex(dl.scale)
                                                            if dl.scale != 1 else "")
                      + (r": $-\log p(w \mid D) = a\,\ell(w) + \text{const.}$" if dl.scale != 1
                         else r": $-\log p(w \mid D) = \ell(w) + \text{const.}$") + ", the same minimisers; " + lam_note,
                      lhs=r"\ell(w)", relation="="))
    decay = None
    if "normal" in families:
        wd = sp.Symbol("weight_decay", positive=True)
        lam = next(p.weight for p in penalties if p.family == "normal")
        # torch adds weight_decay * w_j to the gradient of the mean loss (1/n) sum_i loss_i:
        # equal to the gradient of loss / n when weight_decay w_j = (1/n) d/dw_j (lam w_j^2)
        (decay,) = sp.solve(sp.Eq(wd * wj, sp.diff(lam * wj**2, wj) / n), wd)
        steps.append(Step("weight_decay", decay, "PyTorch: SGD's weight_decay adds $\\mathrm{wd}\\, w$ to the "
                          "gradient of the mean loss, which is then the gradient of the loss over $n$",
                          lhs=r"\mathrm{weight\_decay}"))
    priors = tuple((fam, tuple({**PRIOR_PARAMS[fam], **hyper.get(fam, {})}.items())) for fam in families)
    return Model(name, likelihood, priors, nlp, fit, penalties, dl.scale, tuple(dropped), tuple(steps), decay,
                 prior_density)
