"""Framework functions that compute a catalogue loss, with the exact relation derived.

A :class:`PeerFunction` is what a framework documents its function to compute, per
example, written once in SymPy in the entry's symbols (``torch.nn.functional.mse_loss``
computes ``(input - target)**2``, with no 1/2).  The relation to the entry's NLL,

    nll == scale * value + offset,   scale > 0 and offset free of the params,

is derived from the derivation (``d.scale``, ``d.loss``, ``d.dropped``), never typed: the
value is matched to the loss as ``value == c * loss + g`` with c, g free of the params
(c from the ratio of derivatives), then scale = d.scale/c and offset = sum(d.dropped) -
d.scale*g/c.  ``condition`` says where the framework's formula is the one written (torch
clamps the variance at eps; ``full=True`` adds Stirling's term only where y > 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from derive import symbols as S
from derive.errors import DeriveError
from derive.stages import onehot_constraint
from derive.symbolic.domains import split_sums
from derive.symbolic.rules import distribute


@dataclass(frozen=True)
class PeerFunction:
    """One framework function as documented: ``value(symbols)`` builds its per-example
    value from the entry's symbols by name (``symbols["yhat"]``)."""

    entry: str
    function: str  # fully qualified, e.g. "torch.nn.functional.mse_loss"
    call: str  # how it is called on one example, in the entry's names
    value: Callable[[dict], sp.Expr]
    condition: str = ""  # where the documented formula is the one above


@dataclass(frozen=True)
class Peer:
    """A framework function and its derived relation ``nll == scale*value + offset``."""

    function: str
    call: str
    value: sp.Expr
    scale: sp.Expr
    offset: sp.Expr
    condition: str = ""

    def relation(self, nll: sp.Expr) -> sp.Eq:
        return sp.Eq(nll, self.scale * self.value + self.offset, evaluate=False)


_TABLE: list[PeerFunction] = []


def peer(entry: str, function: str, call: str, condition: str = ""):
    """Decorator registering the documented formula of ``function`` for ``entry``."""

    def register(value: Callable[[dict], sp.Expr]) -> Callable[[dict], sp.Expr]:
        if any(p.entry == entry and p.call == call and p.function == function for p in _TABLE):
            raise ValueError(f"peer {function} ({call}) of {entry} is already registered")
        _TABLE.append(PeerFunction(entry, function, call, value, condition))
        return value

    return register


def _lse(s):
    z, j, K = s["z"], s["j"], s["K"]
    return sp.log(sp.Sum(sp.exp(z[j]), (j, 1, K)))


TORCH = "torch.nn.functional."
SK_LOSS = "sklearn._loss.loss."
SK = "sklearn.metrics."

peer("gaussian", TORCH + "mse_loss", "mse_loss(yhat, y)")(lambda s: (s["yhat"] - s["y"]) ** 2)
peer("gaussian", SK + "mean_squared_error", "mean_squared_error([y], [yhat])")(lambda s: (s["y"] - s["yhat"]) ** 2)
peer("gaussian", SK_LOSS + "HalfSquaredError", "HalfSquaredError().loss(y, yhat)")(
    lambda s: (s["y"] - s["yhat"]) ** 2 / 2)
peer("bernoulli", TORCH + "binary_cross_entropy", "binary_cross_entropy(yhat, y)")(
    lambda s: -(s["y"] * sp.log(s["yhat"]) + (1 - s["y"]) * sp.log(1 - s["yhat"])))
peer("bernoulli", SK + "log_loss", "log_loss([y], [yhat], labels=[0, 1])")(
    lambda s: -(s["y"] * sp.log(s["yhat"]) + (1 - s["y"]) * sp.log(1 - s["yhat"])))
peer("categorical", TORCH + "nll_loss", "nll_loss(log(yhat), c)", "one-hot y = e_c")(
    lambda s: -sp.Sum(s["y"][s["k"]] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
peer("categorical", TORCH + "cross_entropy", "cross_entropy(log(yhat), y)", "probability targets")(
    lambda s: -sp.Sum(s["y"][s["k"]] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
peer("gaussian_variance", TORCH + "gaussian_nll_loss", "gaussian_nll_loss(mu, y, var)",
     "var >= eps (torch clamps the variance at eps = 1e-6)")(
    lambda s: (sp.log(s["var"]) + (s["mu"] - s["y"]) ** 2 / s["var"]) / 2)
peer("gaussian_variance", TORCH + "gaussian_nll_loss", "gaussian_nll_loss(mu, y, var, full=True)",
     "var >= eps (torch clamps the variance at eps = 1e-6)")(
    lambda s: (sp.log(s["var"]) + (s["mu"] - s["y"]) ** 2 / s["var"]) / 2 + sp.log(2 * sp.pi) / 2)
peer("laplace", TORCH + "l1_loss", "l1_loss(yhat, y)")(lambda s: sp.Abs(s["yhat"] - s["y"]))
peer("laplace", SK + "mean_absolute_error", "mean_absolute_error([y], [yhat])")(lambda s: sp.Abs(s["y"] - s["yhat"]))
peer("bernoulli_logits", TORCH + "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(z, y)")(
    lambda s: sp.log(1 + sp.exp(s["z"])) - s["y"] * s["z"])
peer("bernoulli_logits", SK_LOSS + "HalfBinomialLoss", "HalfBinomialLoss().loss(y, z)")(
    lambda s: sp.log(1 + sp.exp(s["z"])) - s["y"] * s["z"])
peer("categorical_logits", TORCH + "cross_entropy", "cross_entropy(z, c)", "index target c, one-hot y = e_c")(
    lambda s: _lse(s) - sp.Sum(s["y"][s["k"]] * s["z"][s["k"]], (s["k"], 1, s["K"])))
peer("categorical_logits", TORCH + "cross_entropy", "cross_entropy(z, y)", "probability targets")(
    lambda s: -sp.Sum(s["y"][s["k"]] * (s["z"][s["k"]] - _lse(s)), (s["k"], 1, s["K"])))
peer("categorical_smoothed", TORCH + "cross_entropy", "cross_entropy(log(yhat), c, label_smoothing=eps)",
     "index target c, one-hot y = e_c")(
    lambda s: -(1 - s["eps"]) * sp.Sum(s["y"][s["k"]] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"]))
    - s["eps"] / s["K"] * sp.Sum(sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
peer("poisson", TORCH + "poisson_nll_loss", "poisson_nll_loss(lambda, y, log_input=False, eps=0)",
     "eps = 0 (the default eps = 1e-8 is added inside the log)")(
    lambda s: s["lambda"] - s["y"] * sp.log(s["lambda"]))
peer("poisson_log", TORCH + "poisson_nll_loss", "poisson_nll_loss(z, y)")(lambda s: sp.exp(s["z"]) - s["y"] * s["z"])
peer("poisson_log", TORCH + "poisson_nll_loss", "poisson_nll_loss(z, y, full=True)",
     "Stirling's term is added only where y > 1")(
    lambda s: sp.exp(s["z"]) - s["y"] * s["z"]
    + sp.Piecewise((s["y"] * sp.log(s["y"]) - s["y"] + sp.log(2 * sp.pi * s["y"]) / 2, s["y"] > 1), (0, True)))
peer("poisson_log", SK_LOSS + "HalfPoissonLoss", "HalfPoissonLoss().loss(y, z)")(
    lambda s: sp.exp(s["z"]) - s["y"] * s["z"])
peer("gamma", SK_LOSS + "HalfGammaLoss", "HalfGammaLoss().loss(y, log(mu))")(
    lambda s: sp.log(s["mu"]) + s["y"] * sp.exp(-sp.log(s["mu"])))
peer("gamma", SK + "mean_gamma_deviance", "mean_gamma_deviance([y], [mu])")(
    lambda s: 2 * (sp.log(s["mu"] / s["y"]) + s["y"] / s["mu"] - 1))
peer("exponential", SK_LOSS + "HalfGammaLoss", "HalfGammaLoss().loss(y, log(mu))")(
    lambda s: sp.log(s["mu"]) + s["y"] * sp.exp(-sp.log(s["mu"])))
peer("inverse_gaussian", SK + "mean_tweedie_deviance", "mean_tweedie_deviance([y], [mu], power=3)")(
    lambda s: 2 * (s["y"] ** -1 / 2 - s["y"] * s["mu"] ** -2 / -2 + s["mu"] ** -1 / -1))
peer("tweedie", SK_LOSS + "HalfTweedieLoss", "HalfTweedieLoss(power=p).loss(y, z)")(
    lambda s: sp.exp(s["z"]) ** (2 - s["p"]) / (2 - s["p"]) - s["y"] * sp.exp(s["z"]) ** (1 - s["p"]) / (1 - s["p"]))
peer("tweedie", SK + "mean_tweedie_deviance", "mean_tweedie_deviance([y], [exp(z)], power=p)")(
    lambda s: 2 * (s["y"] ** (2 - s["p"]) / ((1 - s["p"]) * (2 - s["p"]))
                   - s["y"] * sp.exp(s["z"]) ** (1 - s["p"]) / (1 - s["p"])
                   + sp.exp(s["z"]) ** (2 - s["p"]) / (2 - s["p"])))
peer("asymmetric_laplace", SK + "mean_pinball_loss", "mean_pinball_loss([y], [q], alpha=tau)")(
    lambda s: sp.Max(s["tau"] * (s["y"] - s["q"]), (s["tau"] - 1) * (s["y"] - s["q"])))
peer("asymmetric_laplace", SK_LOSS + "PinballLoss", "PinballLoss(quantile=tau).loss(y, q)")(
    lambda s: sp.Max(s["tau"] * (s["y"] - s["q"]), (s["tau"] - 1) * (s["y"] - s["q"])))
peer("huber", TORCH + "huber_loss", "huber_loss(yhat, y, delta=delta)")(
    lambda s: sp.Piecewise(((s["y"] - s["yhat"]) ** 2 / 2, sp.Abs(s["y"] - s["yhat"]) <= s["delta"]),
                           (s["delta"] * (sp.Abs(s["y"] - s["yhat"]) - s["delta"] / 2), True)))
peer("huber", TORCH + "smooth_l1_loss", "smooth_l1_loss(yhat, y, beta=delta)")(
    lambda s: sp.Piecewise(((s["y"] - s["yhat"]) ** 2 / (2 * s["delta"]), sp.Abs(s["y"] - s["yhat"]) <= s["delta"]),
                           (sp.Abs(s["y"] - s["yhat"]) - s["delta"] / 2, True)))
peer("lognormal", TORCH + "mse_loss", "mse_loss(m, log(y))")(lambda s: (s["m"] - sp.log(s["y"])) ** 2)
peer("multivariate_gaussian", TORCH + "mse_loss", "mse_loss(yhat, y, reduction='sum')", "one example, d coordinates")(
    lambda s: sp.Sum((s["yhat"][s["j"]] - s["y"][s["j"]]) ** 2, (s["j"], 1, s["d"])))
peer("binomial", TORCH + "binary_cross_entropy", "binary_cross_entropy(yhat, y/N)", "the proportion y/N as target")(
    lambda s: -(s["y"] / s["N"] * sp.log(s["yhat"]) + (1 - s["y"] / s["N"]) * sp.log(1 - s["yhat"])))
peer("multinomial", TORCH + "cross_entropy", "cross_entropy(log(yhat), y/N)", "the proportions y/N as targets")(
    lambda s: -sp.Sum(s["y"][s["k"]] / s["N"] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
peer("von_mises", TORCH + "cosine_similarity", "1 - cosine_similarity(u(mu), u(y))",
     "unit vectors u(a) = (cos a, sin a): their cosine similarity is cos(y - mu)")(
    lambda s: 1 - sp.cos(s["y"] - s["mu"]))


def symbols_of(d) -> dict:
    """The entry's symbols by name (data, params, fixed, link mean, indices and sizes)."""
    a = d.assumption
    found: dict = {}
    exprs = [d.nll, d.loss]
    for e in exprs:
        for s in e.free_symbols | e.atoms(sp.IndexedBase):
            name = str(s.label) if isinstance(s, sp.IndexedBase) else s.name
            found.setdefault(name, s)
    for s in a.symbols:
        name = str(s.label) if isinstance(s, sp.IndexedBase) else s.name
        found[name] = s
    for name in ("j", "k"):
        found.setdefault(name, S.index(name))
    for name in ("K", "d", "N"):
        found.setdefault(name, S.size(name))
    if a.vector_index is not None:
        found[a.vector_index[0].name] = a.vector_index[0]
        found[str(a.vector_index[2])] = a.vector_index[2]
    found.update(dict(a.given))  # fixed symbols given values stand for their values
    return found


def relate(d, value: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(scale, offset) with nll == scale*value + offset, both free of the params.

    value = c*loss + g with c, g free of the params; c = 1 when the difference is already
    param-free, else the ratio of the derivatives along the first param that moves them."""
    params = d.params
    loss = d.loss
    value = onehot_constraint(split_sums(distribute(value)), d.assumption) if value.has(sp.Sum) else value
    difference = sp.simplify(value - loss) if value != loss else sp.S.Zero
    ratio = sp.simplify(value / loss) if difference.has(*params) else None
    if not difference.has(*params):
        c, g = sp.S.One, difference
    elif not ratio.has(*params):
        c, g = ratio, sp.S.Zero
    else:
        c = None
        for p in _param_atoms(loss, params):
            dl = sp.diff(loss, p).doit()
            if dl == 0:
                continue
            c = sp.simplify(sp.diff(value, p).doit() / dl)
            break
        if c is None or c.has(*params) or c == 0:
            raise DeriveError(f"{d.name}: {value} is not a positive affine map of the loss {loss}")
        g = sp.simplify(value - c * loss)
        if g.has(*params):
            raise DeriveError(f"{d.name}: {value} - {c}*loss depends on the params")
    return sp.simplify(d.scale / c), sp.Add(*d.dropped) - d.scale * g / c


def _param_atoms(expr, params):
    atoms = []
    for p in params:
        if isinstance(p, sp.IndexedBase):
            atoms += sorted((a for a in expr.atoms(sp.Indexed) if a.base == p), key=str)
        else:
            atoms.append(p)
    return atoms


def peers_of(d) -> tuple[Peer, ...]:
    """Every registered framework function of ``d``'s entry, with its derived relation."""
    names = symbols_of(d)
    out = []
    for spec in _TABLE:
        if spec.entry != d.name:
            continue
        value = spec.value(names)
        scale, offset = relate(d, value)
        out.append(Peer(spec.function, spec.call, value, scale, sp.simplify(offset), spec.condition))
    return tuple(out)


def table() -> tuple[PeerFunction, ...]:
    """Every registered framework function, in registration order."""
    return tuple(_TABLE)
