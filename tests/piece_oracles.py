"""Independent log-densities of the likelihoods built from pieces, for their records in
tests/catalogue_cases.py: statsmodels' ZeroInflatedPoisson log-likelihood (one observation,
intercept-only: the inflation logit and the log-mean are its params) and its
ZeroInflatedNegativeBinomialP (p = 2), SciPy's Poisson and NB2 truncated at 0 for the hurdles,
SciPy's normal logcdf/logpdf for Tobit, SciPy's pdf/sf for the censored times, the normal cdf
difference and truncnorm, torch's MixtureSameFamily (weights given, or logits).  Counts are zero half the time, so
both branches of the indicator 1[y = 0] are met."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from scipy import special, stats

T = torch.float64


def count(r) -> float:
    """0 half the time (the indicator's branch), else a positive count."""
    return 0.0 if r.uniform() < 0.5 else float(r.integers(1, 12))


def zip_statsmodels(v) -> float:
    """log p(y) = log(omega 1[y = 0] + (1 - omega) Poisson(y; lambda)), by statsmodels."""
    from statsmodels.discrete.count_model import ZeroInflatedPoisson

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ZeroInflatedPoisson(np.array([v["y"]]), np.ones((1, 1)), exog_infl=np.ones((1, 1)))
        return float(model.loglike(np.array([special.logit(v["omega"]), np.log(v["lambda"])])))


def hurdle_poisson(v) -> float:
    """log omega at 0; log(1 - omega) + log Poisson(y) - log(1 - Poisson(0)) above."""
    if v["y"] == 0:
        return float(np.log(v["omega"]))
    return float(np.log1p(-v["omega"]) + stats.poisson.logpmf(v["y"], v["lambda"])
                 - np.log(-np.expm1(stats.poisson.logpmf(0, v["lambda"]))))


def zinb_statsmodels(v) -> float:
    """log p(y) = log(omega 1[y = 0] + (1 - omega) NB2(y; mu, alpha)), by statsmodels'
    ZeroInflatedNegativeBinomialP with p = 2 (Var = mu + alpha mu^2), intercept-only: its params
    are the inflation logit, the log-mean and alpha itself."""
    from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ZeroInflatedNegativeBinomialP(np.array([v["y"]]), np.ones((1, 1)), exog_infl=np.ones((1, 1)), p=2)
        params = np.array([special.logit(v["omega"]), np.log(v["mu"]), v["alpha"]])
        return float(model.loglikeobs(params)[0])


def nb2(y, mu, alpha) -> float:
    """log NB2(y; mu, alpha) by SciPy: nbinom with n = 1/alpha, p = 1/(1 + alpha mu) (mean mu)."""
    return float(stats.nbinom.logpmf(y, 1 / alpha, 1 / (1 + alpha * mu)))


def hurdle_negative_binomial(v) -> float:
    """log omega at 0; log(1 - omega) + log NB2(y) - log(1 - NB2(0)) above."""
    if v["y"] == 0:
        return float(np.log(v["omega"]))
    at_zero = nb2(0, v["mu"], v["alpha"])
    return float(np.log1p(-v["omega"]) + nb2(v["y"], v["mu"], v["alpha"]) - np.log(-np.expm1(at_zero)))


def tobit(v) -> float:
    """log Phi(-mu/sigma) at y = 0 (the mass of y* <= 0); the normal log-density above."""
    if v["y"] == 0:
        return float(stats.norm.logcdf(-v["mu"] / v["sigma"]))
    return float(stats.norm.logpdf(v["y"], v["mu"], v["sigma"]))


def censored(dist, *shape):
    """delta = 1: log f(t); delta = 0: log S(t), from the SciPy distribution's own functions."""
    def logpdf(v):
        args = [v[s] for s in shape]
        method = dist.logpdf if v["delta"] else dist.logsf
        return float(method(v["t"], *args, scale=1 / v["lambda"] if dist is stats.expon else v["lambda"]))
    return logpdf


def interval_gaussian(v) -> float:
    """log(Phi((u - mu)/sigma) - Phi((l - mu)/sigma)), above the mean as sf(l) - sf(u) (no cancellation)."""
    mu, sigma, lo, hi = v["mu"], v["sigma"], v["l"], v["u"]
    if lo > mu:
        return float(np.log(stats.norm.sf(lo, mu, sigma) - stats.norm.sf(hi, mu, sigma)))
    return float(np.log(stats.norm.cdf(hi, mu, sigma) - stats.norm.cdf(lo, mu, sigma)))


def truncated_gaussian(v) -> float:
    """N(mu, sigma^2) truncated to (a, oo), SciPy's truncnorm (bounds in standard units)."""
    return float(stats.truncnorm.logpdf(v["y"], (v["a"] - v["mu"]) / v["sigma"], np.inf, v["mu"], v["sigma"]))


def _tt(x):
    return torch.as_tensor(np.asarray(x, dtype=float), dtype=T)


def _mixture(weights, v) -> float:
    mix = torch.distributions.MixtureSameFamily(weights, torch.distributions.Normal(_tt(v["mu"]), _tt(v["sigma"])))
    return mix.log_prob(_tt(v["y"])).item()


def gaussian_mixture(v) -> float:
    """log sum_k w_k N(y; mu_k, sigma_k^2), torch's MixtureSameFamily."""
    return _mixture(torch.distributions.Categorical(probs=_tt(v["w"])), v)


def gaussian_mixture_logits(v) -> float:
    """log sum_k softmax(a)_k N(y; mu_k, sigma_k^2), torch's MixtureSameFamily with Categorical(logits=a)."""
    return _mixture(torch.distributions.Categorical(logits=_tt(v["a"])), v)
