"""Likelihoods built from pieces over whole datasets, against independent oracles: the sum
of the derived per-example NLLs equals minus statsmodels' zero-inflated log-likelihoods (and
each example's NLL minus its ``loglikeobs``), minus statsmodels' hurdle log-likelihood and
SciPy's truncated NB2 (both branches of the indicator in every dataset), torch's
MixtureSameFamily log_prob (with Categorical(probs=w) and Categorical(logits=a)), SciPy's
survival functions and hazards, SciPy's normal logcdf / logpdf for Tobit, and SciPy's truncnorm.
Float64, 1e-10 relative."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from scipy import special, stats
from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP, ZeroInflatedPoisson
from statsmodels.discrete.truncated_model import HurdleCountModel

import derive
from numeric import evaluate, rel_close
from piece_oracles import nb2

SEEDS = range(3)


def _total_nll(name, rows):
    d = derive.derive(name)
    return sum(evaluate(d.nll, row) for row in rows)


def _zip_sample(rng, n, omega, draw):
    y = draw(rng, n)
    y[rng.uniform(size=n) < omega] = 0
    y[:2] = [0, max(1, y[2])]  # both branches, always
    return y


def _statsmodels(cls, y, params, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(y, np.ones((len(y), 1)), exog_infl=np.ones((len(y), 1)), **kw)
        return float(model.loglike(np.array(params)))


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_inflated_poisson_dataset_is_statsmodels(seed):
    rng = np.random.default_rng(seed)
    omega, lam = rng.uniform(0.1, 0.7), rng.uniform(0.5, 6)
    y = _zip_sample(rng, 30, omega, lambda r, n: r.poisson(lam, n))
    ours = _total_nll("zero_inflated_poisson", [{"y": v, "omega": omega, "lambda": lam} for v in y])
    theirs = _statsmodels(ZeroInflatedPoisson, y, [special.logit(omega), np.log(lam)])
    assert rel_close(ours, -theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_inflated_negative_binomial_dataset_is_statsmodels(seed):
    rng = np.random.default_rng(10 + seed)
    omega, mu, alpha = rng.uniform(0.1, 0.7), rng.uniform(0.5, 6), rng.uniform(0.2, 2)
    y = _zip_sample(rng, 30, omega, lambda r, n: r.negative_binomial(1 / alpha, 1 / (1 + alpha * mu), n))
    ours = _total_nll("zero_inflated_negative_binomial",
                      [{"y": v, "omega": omega, "mu": mu, "alpha": alpha} for v in y])
    theirs = _statsmodels(ZeroInflatedNegativeBinomialP, y, [special.logit(omega), np.log(mu), alpha], p=2)
    assert rel_close(ours, -theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_inflated_negative_binomial_per_example_is_statsmodels_loglikeobs(seed):
    """statsmodels' ZINB (p = 2: Var = mu + alpha mu^2; params: the logit of the inflation
    probability omega, log mu, alpha itself), one observation at a time."""
    rng = np.random.default_rng(15 + seed)
    omega, mu, alpha = rng.uniform(0.05, 0.9), rng.uniform(0.2, 8), rng.uniform(0.1, 3)
    y = _zip_sample(rng, 12, omega, lambda r, n: r.negative_binomial(1 / alpha, 1 / (1 + alpha * mu), n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ZeroInflatedNegativeBinomialP(y, np.ones((len(y), 1)), exog_infl=np.ones((len(y), 1)), p=2)
        theirs = model.loglikeobs(np.array([special.logit(omega), np.log(mu), alpha]))
    nll = derive.derive("zero_inflated_negative_binomial").nll
    for value, loglik in zip(y, theirs):
        assert rel_close(evaluate(nll, {"y": value, "omega": omega, "mu": mu, "alpha": alpha}), -loglik)


@pytest.mark.parametrize("seed", SEEDS)
def test_hurdle_negative_binomial_dataset_is_statsmodels_and_scipy(seed):
    """statsmodels' HurdleCountModel (zero part: Poisson, so P(0) = exp(-e^b) and b =
    log(-log omega); count part: NB2 truncated at 0, params log mu and alpha), and SciPy's nbinom
    (n = 1/alpha, p = 1/(1 + alpha mu)) truncated at 0 by hand."""
    rng = np.random.default_rng(60 + seed)
    omega, mu, alpha = rng.uniform(0.05, 0.9), rng.uniform(0.2, 8), rng.uniform(0.1, 3)
    y = _zip_sample(rng, 30, omega, lambda r, n: r.negative_binomial(1 / alpha, 1 / (1 + alpha * mu), n))
    ours = _total_nll("hurdle_negative_binomial", [{"y": v, "omega": omega, "mu": mu, "alpha": alpha} for v in y])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = HurdleCountModel(y, np.ones((len(y), 1)), dist="negbin", zerodist="poisson", p=2)
        theirs = float(model.loglike(np.array([np.log(-np.log(omega)), np.log(mu), alpha])))
    assert rel_close(ours, -theirs)
    by_hand = sum(np.log(omega) if v == 0 else np.log1p(-omega) + nb2(v, mu, alpha) - np.log(-np.expm1(nb2(0, mu, alpha)))
                  for v in y)
    assert rel_close(ours, -by_hand)


def test_zero_inflated_is_not_the_plain_count_model():
    """The oracle can tell: the plain Poisson NLL differs from the ZIP NLL at a zero."""
    v = {"y": 0, "omega": 0.4, "lambda": 2.0}
    assert not rel_close(evaluate(derive.derive("zero_inflated_poisson").nll, v), -stats.poisson.logpmf(0, 2.0))


def _torch_mixture_nll(categorical, mu, sigma, y) -> float:
    """torch's mean NLL of a Gaussian mixture over the rows (MixtureSameFamily)."""
    mix = torch.distributions.MixtureSameFamily(categorical, torch.distributions.Normal(torch.tensor(mu), torch.tensor(sigma)))
    return -mix.log_prob(torch.tensor(y)).mean().item()


@pytest.mark.parametrize("seed", SEEDS)
def test_gaussian_mixture_dataset_is_torch_mixture_same_family(seed):
    rng = np.random.default_rng(20 + seed)
    n, K = 6, 3
    w = rng.dirichlet(np.ones(K), n)
    mu, sigma, y = rng.normal(0, 3, (n, K)), rng.uniform(0.3, 3, (n, K)), rng.normal(0, 3, n)
    d = derive.derive("gaussian_mixture")
    ours = evaluate(d.dataset_nll, {"y": y, "w": w, "mu": mu, "sigma": sigma}, {"n": n, "K": K})
    assert rel_close(ours, _torch_mixture_nll(torch.distributions.Categorical(probs=torch.tensor(w)), mu, sigma, y))


@pytest.mark.parametrize("seed", SEEDS)
def test_gaussian_mixture_with_logits_dataset_is_torch_mixture_same_family(seed):
    rng = np.random.default_rng(25 + seed)
    n, K = 6, 3
    a, mu, sigma = rng.normal(0, 2, (n, K)), rng.normal(0, 3, (n, K)), rng.uniform(0.3, 3, (n, K))
    y = rng.normal(0, 3, n)
    d = derive.derive("gaussian_mixture_logits")
    ours = evaluate(d.dataset_nll, {"y": y, "a": a, "mu": mu, "sigma": sigma}, {"n": n, "K": K})
    theirs = _torch_mixture_nll(torch.distributions.Categorical(logits=torch.tensor(a)), mu, sigma, y)
    assert rel_close(ours, theirs)
    shifted = evaluate(d.dataset_nll, {"y": y, "a": a + 5.0, "mu": mu, "sigma": sigma}, {"n": n, "K": K})
    assert rel_close(shifted, theirs)  # softmax(a + c) = softmax(a): the logits' common shift is invisible


@pytest.mark.parametrize("name, dist", [
    ("censored_exponential", lambda v: stats.expon(scale=1 / v["lambda"])),
    ("censored_weibull", lambda v: stats.weibull_min(v["k"], scale=v["lambda"])),
])
@pytest.mark.parametrize("seed", SEEDS)
def test_censored_survival_density_survival_and_hazard_are_scipys(name, dist, seed):
    rng = np.random.default_rng(30 + seed)
    d = derive.derive(name)
    t_sym, delta_sym = d.data
    v = {"t": rng.uniform(0.1, 4), "lambda": rng.uniform(0.3, 3), "k": rng.uniform(0.5, 3)}
    law = dist(v)
    f = d.assumption.density.subs(delta_sym, 1)
    survival = d.assumption.density.subs(delta_sym, 0)
    assert rel_close(evaluate(f, v), law.pdf(v["t"]))
    assert rel_close(evaluate(survival, v), law.sf(v["t"]))
    assert rel_close(evaluate(f / survival, v), law.pdf(v["t"]) / law.sf(v["t"]))  # the hazard
    rows = [{**v, "t": rng.uniform(0.1, 4), "delta": float(e)} for e in (0, 1, 1, 0, 1)]
    theirs = sum(-(dist(r).logpdf(r["t"]) if r["delta"] else dist(r).logsf(r["t"])) for r in rows)
    assert rel_close(_total_nll(name, rows), theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_tobit_dataset_both_branches_against_scipy(seed):
    rng = np.random.default_rng(40 + seed)
    mu, sigma = rng.normal(0, 1), rng.uniform(0.5, 2)
    y = np.maximum(0, rng.normal(mu, sigma, 20))
    y[:2] = [0.0, 1.3]
    ours = _total_nll("tobit", [{"y": v, "mu": mu, "sigma": sigma} for v in y])
    theirs = -sum(stats.norm.logcdf(-mu / sigma) if v == 0 else stats.norm.logpdf(v, mu, sigma) for v in y)
    assert rel_close(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_truncated_gaussian_is_scipy_truncnorm(seed):
    rng = np.random.default_rng(50 + seed)
    mu, sigma, a = rng.normal(0, 2), rng.uniform(0.3, 2), rng.normal(0, 1)
    y = a + rng.exponential(1.0, 10)
    ours = _total_nll("truncated_gaussian", [{"y": v, "mu": mu, "sigma": sigma, "a": a} for v in y])
    theirs = -stats.truncnorm.logpdf(y, (a - mu) / sigma, np.inf, mu, sigma).sum()
    assert rel_close(ours, theirs)
