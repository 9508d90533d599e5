"""The whole catalogue against independent oracles, float64 at seeded points inside the
support, 1e-10 relative:

- ``d.nll`` against SciPy's logpdf/logpmf (every constant); where SciPy has no such
  distribution, an independent numeric route (quadrature of the kernel, PyTorch's
  ``distributions``), named in the case;
- every peer of ``d.peers`` (PyTorch and scikit-learn functions): the framework's own value
  equals the documented formula, and ``d.nll == scale*value + offset`` at the point;
- ``d.dataset_loss`` against the PyTorch function (mean reduction) through the derived
  relation;
- ``d.deviance`` against ``sklearn.metrics`` (or SciPy for the binomial).

Registry-driven: an entry without a case fails with "add X to ORACLE_CASES", a peer
without a framework call fails with "add X to FRAMEWORK".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from scipy import integrate, special, stats
from sklearn import metrics
from sklearn._loss import loss as sklearn_loss

import derive
from derive.peers import table
from numeric import evaluate, rel_close

SEEDS = range(4)
T = torch.float64


def t(x):
    return torch.as_tensor(np.asarray(x, dtype=float), dtype=T)


def _probabilities(rng, K):
    w = rng.uniform(0.05, 1.0, K)
    return w / w.sum()


@dataclass(frozen=True)
class Case:
    """``fixed(rng)``: values of the fixed symbols and sizes; ``example(rng, fixed)``: data
    and params of one example inside the support; ``logpdf(values)``: the oracle."""

    fixed: Callable
    example: Callable
    logpdf: Callable
    oracle: str = "scipy"


def _none(rng):
    return {}


def _onehot_example(rng, f):
    K = f["K"]
    y = np.eye(K)[rng.integers(0, K)]
    return {"y": y, "yhat": _probabilities(rng, K), "c": int(np.argmax(y))}


def _huber_logpdf(v):
    delta, r = v["delta"], v["y"] - v["yhat"]
    rho = r**2 / 2 if abs(r) <= delta else delta * (abs(r) - delta / 2)
    inner = integrate.quad(lambda u: np.exp(-u**2 / 2), 0, delta, epsabs=0, epsrel=1e-13)[0]
    outer = integrate.quad(lambda u: np.exp(-delta * (u - delta / 2)), delta, np.inf, epsabs=0, epsrel=1e-13)[0]
    return -rho - np.log(2 * (inner + outer))


def _tweedie_logpdf(v):  # the quasi-log-likelihood by quadrature: Q = int_y^mu (y - t)/t^p dt
    y, p, mu = v["y"], v["p"], np.exp(v["z"])
    return integrate.quad(lambda s: (y - s) / s**p, y, mu, epsabs=0, epsrel=1e-13)[0]


def _ald_logpdf(v):
    tau, b = v["tau"], v["b"]
    kappa = np.sqrt(tau / (1 - tau))
    return stats.laplace_asymmetric.logpdf(v["y"], kappa, loc=v["q"], scale=b / np.sqrt(tau * (1 - tau)))


def _smoothed_logpdf(v):  # expected log-pmf over the smoothed target
    K, eps, yhat = v["K"], v["eps"], v["yhat"]
    target = (1 - eps) * v["y"] + eps / K
    return sum(target[k] * stats.multinomial.logpmf(np.eye(K)[k], 1, yhat) for k in range(K))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


ORACLE_CASES: dict[str, Case] = {
    "gaussian": Case(lambda r: {"sigma": r.uniform(0.2, 4)},
                     lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
                     lambda v: stats.norm.logpdf(v["y"], v["yhat"], v["sigma"])),
    "bernoulli": Case(_none, lambda r, f: {"y": float(r.integers(0, 2)), "yhat": r.uniform(0.02, 0.98)},
                      lambda v: stats.bernoulli.logpmf(v["y"], v["yhat"])),
    "categorical": Case(lambda r: {"K": int(r.integers(2, 6))}, _onehot_example,
                        lambda v: stats.multinomial.logpmf(v["y"], 1, v["yhat"])),
    "gaussian_variance": Case(_none, lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3), "var": r.uniform(0.1, 5)},
                              lambda v: stats.norm.logpdf(v["y"], v["mu"], np.sqrt(v["var"]))),
    "laplace": Case(lambda r: {"b": r.uniform(0.2, 3)}, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
                    lambda v: stats.laplace.logpdf(v["y"], v["yhat"], v["b"])),
    "exponential": Case(_none, lambda r, f: {"y": r.uniform(0.05, 6), "mu": r.uniform(0.2, 5)},
                        lambda v: stats.expon.logpdf(v["y"], scale=v["mu"])),
    "gamma": Case(lambda r: {"k": r.uniform(0.3, 6)}, lambda r, f: {"y": r.uniform(0.05, 6), "mu": r.uniform(0.2, 5)},
                  lambda v: stats.gamma.logpdf(v["y"], v["k"], scale=v["mu"] / v["k"])),
    "inverse_gaussian": Case(lambda r: {"lam": r.uniform(0.3, 6)},
                             lambda r, f: {"y": r.uniform(0.05, 6), "mu": r.uniform(0.2, 5)},
                             lambda v: stats.invgauss.logpdf(v["y"], v["mu"] / v["lam"], scale=v["lam"])),
    "lognormal": Case(lambda r: {"s": r.uniform(0.2, 2)}, lambda r, f: {"y": r.uniform(0.05, 8), "m": r.normal(0, 1)},
                      lambda v: stats.lognorm.logpdf(v["y"], v["s"], scale=np.exp(v["m"]))),
    "student_t": Case(lambda r: {"nu": r.uniform(0.5, 10), "s": r.uniform(0.2, 3)},
                      lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3)},
                      lambda v: stats.t.logpdf(v["y"], v["nu"], v["mu"], v["s"])),
    "cauchy": Case(lambda r: {"gamma": r.uniform(0.2, 3)}, lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3)},
                   lambda v: stats.cauchy.logpdf(v["y"], v["mu"], v["gamma"])),
    "asymmetric_laplace": Case(lambda r: {"tau": r.uniform(0.05, 0.95), "b": r.uniform(0.2, 3)},
                               lambda r, f: {"y": r.normal(0, 3), "q": r.normal(0, 3)}, _ald_logpdf),
    "von_mises": Case(lambda r: {"kappa": r.uniform(0.1, 8)},
                      lambda r, f: {"y": r.uniform(-3.1, 3.1), "mu": r.uniform(-3.1, 3.1)},
                      lambda v: stats.vonmises.logpdf(v["y"], v["kappa"], loc=v["mu"])),
    "hyperbolic_secant": Case(_none, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
                              lambda v: stats.hypsecant.logpdf(v["y"], loc=v["yhat"])),
    "huber": Case(lambda r: {"delta": r.uniform(0.3, 3)}, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
                  _huber_logpdf, "quadrature of the kernel"),
    "generalized_gaussian": Case(lambda r: {"alpha": r.uniform(0.3, 3), "beta": r.uniform(0.5, 4)},
                                 lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3)},
                                 lambda v: stats.gennorm.logpdf(v["y"], v["beta"], loc=v["mu"], scale=v["alpha"])),
    "beta": Case(lambda r: {"phi": r.uniform(0.5, 20)}, lambda r, f: {"y": r.uniform(0.02, 0.98), "mu": r.uniform(0.05, 0.95)},
                 lambda v: stats.beta.logpdf(v["y"], v["mu"] * v["phi"], (1 - v["mu"]) * v["phi"])),
    "continuous_bernoulli": Case(
        _none, lambda r, f: {"y": r.uniform(0, 1), "yhat": r.choice([r.uniform(0.02, 0.4), r.uniform(0.6, 0.98)])},
        lambda v: torch.distributions.ContinuousBernoulli(probs=t(v["yhat"])).log_prob(t(v["y"])).item(),
        "torch.distributions.ContinuousBernoulli"),
    "tweedie": Case(lambda r: {"p": r.uniform(1.05, 1.95)}, lambda r, f: {"y": r.uniform(0.05, 6), "z": r.normal(0, 1)},
                    _tweedie_logpdf, "quadrature of (y - t)/V(t)"),
    "bernoulli_logits": Case(_none, lambda r, f: {"y": float(r.integers(0, 2)), "z": r.normal(0, 3)},
                             lambda v: stats.bernoulli.logpmf(v["y"], special.expit(v["z"]))),
    "categorical_logits": Case(lambda r: {"K": int(r.integers(2, 6))},
                               lambda r, f: {**_onehot_example(r, f), "z": r.normal(0, 2, f["K"])},
                               lambda v: stats.multinomial.logpmf(v["y"], 1, _softmax(v["z"]))),
    "categorical_smoothed": Case(lambda r: {"K": int(r.integers(2, 6)), "eps": r.uniform(0.01, 0.5)},
                                 _onehot_example, _smoothed_logpdf, "expectation of scipy's logpmf"),
    "poisson": Case(_none, lambda r, f: {"y": float(r.integers(0, 12)), "lambda": r.uniform(0.2, 10)},
                    lambda v: stats.poisson.logpmf(v["y"], v["lambda"])),
    "poisson_log": Case(_none, lambda r, f: {"y": float(r.integers(0, 12)), "z": r.normal(0, 1.5)},
                        lambda v: stats.poisson.logpmf(v["y"], np.exp(v["z"]))),
    "binomial": Case(lambda r: {"N": int(r.integers(1, 12))},
                     lambda r, f: {"y": float(r.integers(0, f["N"] + 1)), "yhat": r.uniform(0.02, 0.98)},
                     lambda v: stats.binom.logpmf(v["y"], v["N"], v["yhat"])),
    "geometric": Case(_none, lambda r, f: {"y": float(r.integers(0, 10)), "p": r.uniform(0.05, 0.95)},
                      lambda v: stats.geom.logpmf(v["y"] + 1, v["p"])),  # scipy counts trials, from 1
    "negative_binomial": Case(lambda r: {"alpha": r.uniform(0.1, 3)},
                              lambda r, f: {"y": float(r.integers(0, 15)), "mu": r.uniform(0.2, 8)},
                              lambda v: stats.nbinom.logpmf(v["y"], 1 / v["alpha"], 1 / (1 + v["alpha"] * v["mu"]))),
    "multinomial": Case(lambda r: {"K": int(r.integers(2, 5)), "N": int(r.integers(1, 9))},
                        lambda r, f: {"y": r.multinomial(f["N"], np.ones(f["K"]) / f["K"]).astype(float),
                                      "yhat": _probabilities(r, f["K"])},
                        lambda v: stats.multinomial.logpmf(v["y"], v["N"], v["yhat"])),
    "multivariate_gaussian": Case(lambda r: {"d": int(r.integers(1, 5)), "sigma": r.uniform(0.2, 3)},
                                  lambda r, f: {"y": r.normal(0, 2, f["d"]), "yhat": r.normal(0, 2, f["d"])},
                                  lambda v: stats.multivariate_normal.logpdf(v["y"], v["yhat"], v["sigma"] ** 2 * np.eye(v["d"]))),
}

def _spd(rng, dim):
    a = rng.normal(0, 1, (dim, dim))
    return a @ a.T + dim * np.eye(dim) * 0.5


ORACLE_CASES["gaussian_covariance"] = Case(
    lambda r: {"d": int(r.integers(1, 4))},
    lambda r, f: {"y": r.normal(0, 2, f["d"]), "mu": r.normal(0, 2, f["d"]), "Sigma": _spd(r, f["d"])},
    lambda v: stats.multivariate_normal.logpdf(v["y"], v["mu"], v["Sigma"]))

SIZES = {"K", "N", "d"}


# --------------------------------------------------------------------------- built from pieces
# statsmodels' zero-inflated log-likelihoods (one observation, intercept-only models: the
# inflation logit and the log-mean are the params), torch's MixtureSameFamily, SciPy's
# densities and survival functions.  Zeros are drawn half the time: the indicator's branch.


def _zi_model(cls, v, params, **kw):
    import warnings

    from statsmodels.discrete import count_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = getattr(count_model, cls)(np.array([v["y"]]), np.ones((1, 1)), exog_infl=np.ones((1, 1)), **kw)
        return float(model.loglike(np.array(params)))


def _count(r):
    return 0.0 if r.uniform() < 0.5 else float(r.integers(1, 12))


def _hurdle(v, logpmf):
    if v["y"] == 0:
        return np.log(v["omega"])
    return np.log1p(-v["omega"]) + logpmf(v["y"]) - np.log1p(-np.exp(logpmf(0)))


def _mixture_logpdf(v):
    mix = torch.distributions.MixtureSameFamily(torch.distributions.Categorical(probs=t(v["w"])),
                                                torch.distributions.Normal(t(v["mu"]), t(v["sigma"])))
    return mix.log_prob(t(v["y"])).item()


ORACLE_CASES.update({
    "zero_inflated_poisson": Case(
        _none, lambda r, f: {"y": _count(r), "omega": r.uniform(0.05, 0.9), "lambda": r.uniform(0.2, 8)},
        lambda v: _zi_model("ZeroInflatedPoisson", v, [special.logit(v["omega"]), np.log(v["lambda"])]),
        "statsmodels ZeroInflatedPoisson.loglike"),
    "hurdle_poisson": Case(
        _none, lambda r, f: {"y": _count(r), "omega": r.uniform(0.05, 0.9), "lambda": r.uniform(0.2, 8)},
        lambda v: _hurdle(v, lambda y: stats.poisson.logpmf(y, v["lambda"])), "scipy poisson, truncated at 0"),
    "censored_exponential": Case(
        _none, lambda r, f: {"t": r.uniform(0.05, 5), "delta": float(r.integers(0, 2)), "lambda": r.uniform(0.1, 4)},
        lambda v: (stats.expon.logpdf if v["delta"] else stats.expon.logsf)(v["t"], scale=1 / v["lambda"]),
        "scipy expon logpdf (event) / logsf (censored)"),
    "censored_weibull": Case(
        _none, lambda r, f: {"t": r.uniform(0.05, 5), "delta": float(r.integers(0, 2)),
                             "lambda": r.uniform(0.3, 4), "k": r.uniform(0.4, 4)},
        lambda v: (stats.weibull_min.logpdf if v["delta"] else stats.weibull_min.logsf)(v["t"], v["k"], scale=v["lambda"]),
        "scipy weibull_min logpdf (event) / logsf (censored)"),
    "gaussian_mixture": Case(
        lambda r: {"K": int(r.integers(1, 5))},
        lambda r, f: {"y": r.normal(0, 3), "w": _probabilities(r, f["K"]), "mu": r.normal(0, 3, f["K"]),
                      "sigma": r.uniform(0.3, 3, f["K"])},
        _mixture_logpdf, "torch MixtureSameFamily"),
    "interval_censored_gaussian": Case(
        lambda r: {"sigma": r.uniform(0.3, 3)},
        lambda r, f: (lambda lo: {"l": lo, "u": lo + r.uniform(0.1, 3), "mu": r.normal(0, 2)})(r.normal(0, 2)),
        lambda v: np.log(stats.norm.cdf(v["u"], v["mu"], v["sigma"]) - stats.norm.cdf(v["l"], v["mu"], v["sigma"])),
        "scipy norm cdf difference"),
    "truncated_gaussian": Case(
        lambda r: {"sigma": r.uniform(0.3, 3), "a": r.normal(0, 1)},
        lambda r, f: {"y": f["a"] + r.uniform(0.01, 4), "mu": r.normal(0, 2)},
        lambda v: stats.truncnorm.logpdf(v["y"], (v["a"] - v["mu"]) / v["sigma"], np.inf, v["mu"], v["sigma"]),
        "scipy truncnorm"),
})


def _evaluate_matrices(expr, v):
    """expr at explicit matrices: every MatrixSymbol by name, the size d given."""
    dim = int(v["d"])
    e = expr.xreplace({sp.Symbol("d", integer=True, positive=True): dim})
    subs = {}
    for m in e.atoms(sp.MatrixSymbol):
        value = np.atleast_2d(np.asarray(v[m.name], dtype=float))
        value = value.T if value.shape[0] == 1 and m.shape[1] == 1 else value
        subs[m] = sp.Matrix(value.tolist()).applyfunc(lambda x: sp.Float(x, 30))
    return float(e.xreplace(subs).doit().evalf(30))


def _point(name, seed):
    rng = np.random.default_rng(10_000 + 97 * seed + sum(map(ord, name)))
    case = ORACLE_CASES[name]
    fixed = case.fixed(rng)
    return {**fixed, **case.example(rng, fixed)}


def _sizes(values):
    return {k: sp.Integer(int(v)) for k, v in values.items() if k in SIZES}  # Integer: xreplace of N alone stays SymPy


def test_every_entry_has_oracle_cases():
    missing = [n for n in derive.names() if n not in ORACLE_CASES]
    assert not missing, f"add {', '.join(missing)} to ORACLE_CASES"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(ORACLE_CASES))
def test_nll_is_the_independent_log_density(name, seed):
    d = derive.derive(name)
    v = _point(name, seed)
    matrices = any(isinstance(x, sp.MatrixSymbol) for x in d.data)
    ours = _evaluate_matrices(d.nll, v) if matrices else evaluate(d.nll, v, _sizes(v))
    assert rel_close(ours, -ORACLE_CASES[name].logpdf(v)), (ours, v)


def test_negative_binomial_torch_parametrisation_trap():
    """torch NegativeBinomial(r, probs=p) is scipy nbinom(r, 1 - p): with r = 1/alpha the
    torch probability is alpha*mu/(1 + alpha*mu), not 1/(1 + alpha*mu)."""
    d = derive.derive("negative_binomial")
    for seed in SEEDS:
        v = _point("negative_binomial", seed)
        r, am = 1 / v["alpha"], v["alpha"] * v["mu"]
        theirs = torch.distributions.NegativeBinomial(t(r), probs=t(am / (1 + am))).log_prob(t(v["y"])).item()
        assert rel_close(evaluate(d.nll, v), -theirs)


# --------------------------------------------------------------------------- peers


def _ce(logits, target, **kw):
    return F.cross_entropy(t(logits)[None], torch.as_tensor(target)[None] if np.ndim(target) == 0
                           else t(target)[None], **kw).item()


def _unit(angle):
    return t([np.cos(angle), np.sin(angle)])


FRAMEWORK: dict[str, Callable[[dict], float]] = {
    "mse_loss(yhat, y)": lambda v: F.mse_loss(t(v["yhat"]), t(v["y"])).item(),
    "mean_squared_error([y], [yhat])": lambda v: metrics.mean_squared_error([v["y"]], [v["yhat"]]),
    "HalfSquaredError().loss(y, yhat)": lambda v: sklearn_loss.HalfSquaredError().loss(
        np.array([v["y"]]), np.array([v["yhat"]]))[0],
    "binary_cross_entropy(yhat, y)": lambda v: F.binary_cross_entropy(t(v["yhat"]), t(v["y"])).item(),
    "log_loss([y], [yhat], labels=[0, 1])": lambda v: metrics.log_loss([v["y"]], [v["yhat"]], labels=[0, 1]),
    "nll_loss(log(yhat), c)": lambda v: F.nll_loss(torch.log(t(v["yhat"]))[None], torch.tensor([v["c"]])).item(),
    "cross_entropy(log(yhat), y)": lambda v: _ce(np.log(v["yhat"]), v["y"]),
    "gaussian_nll_loss(mu, y, var)": lambda v: F.gaussian_nll_loss(t([v["mu"]]), t([v["y"]]), t([v["var"]])).item(),
    "gaussian_nll_loss(mu, y, var, full=True)": lambda v: F.gaussian_nll_loss(
        t([v["mu"]]), t([v["y"]]), t([v["var"]]), full=True).item(),
    "l1_loss(yhat, y)": lambda v: F.l1_loss(t(v["yhat"]), t(v["y"])).item(),
    "mean_absolute_error([y], [yhat])": lambda v: metrics.mean_absolute_error([v["y"]], [v["yhat"]]),
    "binary_cross_entropy_with_logits(z, y)": lambda v: F.binary_cross_entropy_with_logits(t(v["z"]), t(v["y"])).item(),
    "HalfBinomialLoss().loss(y, z)": lambda v: sklearn_loss.HalfBinomialLoss().loss(
        np.array([v["y"]]), np.array([v["z"]]))[0],
    "cross_entropy(z, c)": lambda v: _ce(v["z"], v["c"]),
    "cross_entropy(z, y)": lambda v: _ce(v["z"], v["y"]),
    "cross_entropy(log(yhat), c, label_smoothing=eps)": lambda v: _ce(np.log(v["yhat"]), v["c"], label_smoothing=v["eps"]),
    "poisson_nll_loss(lambda, y, log_input=False, eps=0)": lambda v: F.poisson_nll_loss(
        t(v["lambda"]), t(v["y"]), log_input=False, eps=0.0).item(),
    "poisson_nll_loss(z, y)": lambda v: F.poisson_nll_loss(t(v["z"]), t(v["y"])).item(),
    "poisson_nll_loss(z, y, full=True)": lambda v: F.poisson_nll_loss(t(v["z"]), t(v["y"]), full=True).item(),
    "HalfPoissonLoss().loss(y, z)": lambda v: sklearn_loss.HalfPoissonLoss().loss(
        np.array([v["y"]]), np.array([v["z"]]))[0],
    "HalfGammaLoss().loss(y, log(mu))": lambda v: sklearn_loss.HalfGammaLoss().loss(
        np.array([v["y"]]), np.log(np.array([v["mu"]])))[0],
    "mean_gamma_deviance([y], [mu])": lambda v: metrics.mean_gamma_deviance([v["y"]], [v["mu"]]),
    "mean_tweedie_deviance([y], [mu], power=3)": lambda v: metrics.mean_tweedie_deviance([v["y"]], [v["mu"]], power=3),
    "HalfTweedieLoss(power=p).loss(y, z)": lambda v: sklearn_loss.HalfTweedieLoss(power=v["p"]).loss(
        np.array([v["y"]]), np.array([v["z"]]))[0],
    "mean_tweedie_deviance([y], [exp(z)], power=p)": lambda v: metrics.mean_tweedie_deviance(
        [v["y"]], [np.exp(v["z"])], power=v["p"]),
    "mean_pinball_loss([y], [q], alpha=tau)": lambda v: metrics.mean_pinball_loss([v["y"]], [v["q"]], alpha=v["tau"]),
    "PinballLoss(quantile=tau).loss(y, q)": lambda v: sklearn_loss.PinballLoss(quantile=v["tau"]).loss(
        np.array([v["y"]]), np.array([v["q"]]))[0],
    "huber_loss(yhat, y, delta=delta)": lambda v: F.huber_loss(t(v["yhat"]), t(v["y"]), delta=v["delta"]).item(),
    "smooth_l1_loss(yhat, y, beta=delta)": lambda v: F.smooth_l1_loss(t(v["yhat"]), t(v["y"]), beta=v["delta"]).item(),
    "mse_loss(m, log(y))": lambda v: F.mse_loss(t(v["m"]), torch.log(t(v["y"]))).item(),
    "mse_loss(yhat, y, reduction='sum')": lambda v: F.mse_loss(t(v["yhat"]), t(v["y"]), reduction="sum").item(),
    "binary_cross_entropy(yhat, y/N)": lambda v: F.binary_cross_entropy(t(v["yhat"]), t(v["y"] / v["N"])).item(),
    "cross_entropy(log(yhat), y/N)": lambda v: _ce(np.log(v["yhat"]), v["y"] / v["N"]),
    "1 - cosine_similarity(u(mu), u(y))": lambda v: 1 - F.cosine_similarity(_unit(v["mu"]), _unit(v["y"]), dim=0).item(),
}


def test_every_peer_has_a_framework_call():
    missing = sorted({p.call for p in table() if p.call not in FRAMEWORK})
    assert not missing, f"add {'; '.join(missing)} to FRAMEWORK"


PEER_CASES = [(p.entry, p.call) for p in table()]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name, call", PEER_CASES)
def test_peer_value_and_relation_at_seeded_points(name, call, seed):
    d = derive.derive(name)
    (peer,) = [p for p in d.peers if p.call == call]
    v = _point(name, seed)
    sizes = _sizes(v)
    framework = FRAMEWORK[call](v)
    assert rel_close(evaluate(peer.value, v, sizes), framework), "the documented formula is not what it computes"
    nll = evaluate(d.nll, v, sizes)
    related = evaluate(peer.scale, v, sizes) * framework + evaluate(peer.offset, v, sizes)
    assert rel_close(nll, related)


def test_gaussian_nll_loss_clamps_the_variance_at_eps():
    """Below eps = 1e-6 torch uses eps: the relation holds with var replaced by eps."""
    (peer,) = [p for p in derive.derive("gaussian_variance").peers if p.call == "gaussian_nll_loss(mu, y, var)"]
    v = {"mu": 0.3, "y": 0.2, "var": 1e-9}
    clamped = evaluate(peer.value, {**v, "var": 1e-6})
    assert rel_close(FRAMEWORK["gaussian_nll_loss(mu, y, var)"](v), clamped)
    assert not rel_close(evaluate(peer.value, v), clamped)


def test_poisson_full_adds_stirling_only_above_one():
    d = derive.derive("poisson_log")
    (peer,) = [p for p in d.peers if "full=True" in p.call]
    for y in (0.0, 1.0):  # no Stirling term: full=True equals the plain loss
        v = {"y": y, "z": 0.3}
        assert rel_close(FRAMEWORK["poisson_nll_loss(z, y, full=True)"](v), FRAMEWORK["poisson_nll_loss(z, y)"](v))
    v = {"y": 6.0, "z": 0.3}  # y > 1: Stirling's term, not log(y!): the offset is not zero
    assert evaluate(peer.offset, v) > 1e-3


# --------------------------------------------------------------------------- dataset loss vs torch


def _dataset(name, seed, n):
    rng = np.random.default_rng(20_000 + seed)
    case = ORACLE_CASES[name]
    fixed = case.fixed(rng)
    examples = [case.example(rng, fixed) for _ in range(n)]
    stacked = {k: np.array([e[k] for e in examples]) for k in examples[0]}
    return fixed, examples, stacked


TORCH_MEAN: dict[tuple[str, str], Callable] = {
    ("gaussian", "mse_loss(yhat, y)"): lambda s, f: F.mse_loss(t(s["yhat"]), t(s["y"])),
    ("laplace", "l1_loss(yhat, y)"): lambda s, f: F.l1_loss(t(s["yhat"]), t(s["y"])),
    ("bernoulli", "binary_cross_entropy(yhat, y)"): lambda s, f: F.binary_cross_entropy(t(s["yhat"]), t(s["y"])),
    ("bernoulli_logits", "binary_cross_entropy_with_logits(z, y)"):
        lambda s, f: F.binary_cross_entropy_with_logits(t(s["z"]), t(s["y"])),
    ("categorical_logits", "cross_entropy(z, c)"): lambda s, f: F.cross_entropy(t(s["z"]), torch.as_tensor(s["c"])),
    ("categorical_logits", "cross_entropy(z, y)"): lambda s, f: F.cross_entropy(t(s["z"]), t(s["y"])),
    ("categorical", "nll_loss(log(yhat), c)"): lambda s, f: F.nll_loss(torch.log(t(s["yhat"])), torch.as_tensor(s["c"])),
    ("categorical", "cross_entropy(log(yhat), y)"): lambda s, f: F.cross_entropy(torch.log(t(s["yhat"])), t(s["y"])),
    ("categorical_smoothed", "cross_entropy(log(yhat), c, label_smoothing=eps)"):
        lambda s, f: F.cross_entropy(torch.log(t(s["yhat"])), torch.as_tensor(s["c"]), label_smoothing=f["eps"]),
    ("poisson", "poisson_nll_loss(lambda, y, log_input=False, eps=0)"):
        lambda s, f: F.poisson_nll_loss(t(s["lambda"]), t(s["y"]), log_input=False, eps=0.0),
    ("poisson_log", "poisson_nll_loss(z, y)"): lambda s, f: F.poisson_nll_loss(t(s["z"]), t(s["y"])),
    ("poisson_log", "poisson_nll_loss(z, y, full=True)"): lambda s, f: F.poisson_nll_loss(t(s["z"]), t(s["y"]), full=True),
    ("gaussian_variance", "gaussian_nll_loss(mu, y, var)"):
        lambda s, f: F.gaussian_nll_loss(t(s["mu"]), t(s["y"]), t(s["var"])),
    ("gaussian_variance", "gaussian_nll_loss(mu, y, var, full=True)"):
        lambda s, f: F.gaussian_nll_loss(t(s["mu"]), t(s["y"]), t(s["var"]), full=True),
    ("huber", "huber_loss(yhat, y, delta=delta)"): lambda s, f: F.huber_loss(t(s["yhat"]), t(s["y"]), delta=f["delta"]),
    ("huber", "smooth_l1_loss(yhat, y, beta=delta)"):
        lambda s, f: F.smooth_l1_loss(t(s["yhat"]), t(s["y"]), beta=f["delta"]),
    ("lognormal", "mse_loss(m, log(y))"): lambda s, f: F.mse_loss(t(s["m"]), torch.log(t(s["y"]))),
    ("multivariate_gaussian", "mse_loss(yhat, y, reduction='sum')"):
        lambda s, f: F.mse_loss(t(s["yhat"]), t(s["y"]), reduction="sum") / len(s["y"]),
    ("binomial", "binary_cross_entropy(yhat, y/N)"): lambda s, f: F.binary_cross_entropy(t(s["yhat"]), t(s["y"] / f["N"])),
    ("multinomial", "cross_entropy(log(yhat), y/N)"):
        lambda s, f: F.cross_entropy(torch.log(t(s["yhat"])), t(s["y"] / f["N"])),
}


def test_every_torch_peer_has_a_dataset_case():
    torch_calls = {(p.entry, p.call) for p in table() if p.function.startswith("torch.nn.functional.")
                   and "cosine" not in p.function}
    missing = sorted(torch_calls - set(TORCH_MEAN))
    assert not missing, f"add {missing} to TORCH_MEAN"


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name, call", sorted(TORCH_MEAN))
def test_dataset_loss_is_the_torch_mean_through_the_derived_relation(name, call, seed):
    """mean_i loss_i = (peer.scale/d.scale) * torch_mean + mean_i (offset_i - dropped_i)/d.scale."""
    d = derive.derive(name)
    (peer,) = [p for p in d.peers if p.call == call]
    n = 2 + seed * 2
    fixed, examples, stacked = _dataset(name, seed, n)
    sizes = {**_sizes(fixed), "n": sp.Integer(n)}
    ours = evaluate(d.dataset_loss, {**fixed, **stacked}, sizes)
    theirs = TORCH_MEAN[(name, call)](stacked, fixed).item()
    ratio = evaluate(peer.scale / d.scale, fixed, sizes)
    shift = np.mean([evaluate((peer.offset - sp.Add(*d.dropped)) / d.scale, {**fixed, **e}, sizes) for e in examples])
    assert rel_close(ours, ratio * theirs + shift, rtol=1e-10) or abs(ours - ratio * theirs - shift) < 1e-12


# --------------------------------------------------------------------------- deviance vs scikit-learn


def _mean_deviance(d, examples, fixed, sizes=None):
    return float(np.mean([evaluate(d.deviance, {**fixed, **e}, sizes) for e in examples]))


DEVIANCE_ORACLES = {
    "poisson": (dict(), lambda s, f: metrics.mean_poisson_deviance(s["y"], s["lambda"])),
    "poisson_log": (dict(), lambda s, f: metrics.mean_poisson_deviance(s["y"], np.exp(s["z"]))),
    "gamma": (dict(k=1), lambda s, f: metrics.mean_gamma_deviance(s["y"], s["mu"])),
    "exponential": (dict(), lambda s, f: metrics.mean_gamma_deviance(s["y"], s["mu"])),
    "inverse_gaussian": (dict(lam=1), lambda s, f: metrics.mean_tweedie_deviance(s["y"], s["mu"], power=3)),
    "gaussian": (dict(sigma=1), lambda s, f: metrics.mean_tweedie_deviance(s["y"], s["yhat"], power=0)),
    "tweedie": (dict(), lambda s, f: metrics.mean_tweedie_deviance(s["y"], np.exp(s["z"]), power=f["p"])),
    "bernoulli": (dict(), lambda s, f: 2 * metrics.log_loss(s["y"], s["yhat"], labels=[0, 1])),
    "bernoulli_logits": (dict(), lambda s, f: 2 * metrics.log_loss(s["y"], special.expit(s["z"]), labels=[0, 1])),
    "asymmetric_laplace": (dict(b=2), lambda s, f: metrics.mean_pinball_loss(s["y"], s["q"], alpha=f["tau"])),
    "laplace": (dict(b=2), lambda s, f: metrics.mean_absolute_error(s["y"], s["yhat"])),
    "gaussian_variance": (dict(), lambda s, f: np.mean((s["y"] - s["mu"]) ** 2 / s["var"])),
    "binomial": (dict(), lambda s, f: np.mean(2 * (stats.binom.logpmf(s["y"], f["N"], s["y"] / f["N"])
                                                   - stats.binom.logpmf(s["y"], f["N"], s["yhat"])))),
}


def test_every_deviance_has_an_oracle():
    have = [n for n in derive.names() if derive.derive(n).deviance is not None]
    missing = [n for n in have if n not in DEVIANCE_ORACLES]
    assert not missing, f"add {', '.join(missing)} to DEVIANCE_ORACLES"


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", sorted(DEVIANCE_ORACLES))
def test_deviance_against_sklearn(name, seed):
    specialise, oracle = DEVIANCE_ORACLES[name]
    d = derive.derive(name, **specialise)
    fixed, examples, stacked = _dataset(name, seed, 3 + seed)
    fixed = {**fixed, **specialise}
    if name in ("poisson", "poisson_log", "tweedie"):  # include y = 0 (0 log 0 = 0; Tweedie zeros) in every batch
        examples[0]["y"], stacked["y"][0] = 0.0, 0.0
    ours = _mean_deviance(d, examples, fixed, _sizes(fixed))
    assert rel_close(ours, float(oracle(stacked, fixed)))
