"""Closed forms against independent oracles: torch.distributions (``.entropy()`` and every
registered ``kl_divergence`` pair among our families) and scipy.stats entropies.  Float64,
seeded parameter points inside the support, 1e-10 relative; infinite KLs must agree too."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
import torch
import torch.distributions as D
import torch.nn.functional as F
from scipy import stats

import derive
import derive.infotheory as it
from numeric import evaluate, rel_close

SEEDS = range(6)
SIZES = {"N", "K", "d"}


def _t(v):
    return torch.as_tensor(v, dtype=torch.float64)


def _simplex(rng, K):
    w = rng.uniform(0.05, 1.0, K)
    return w / w.sum()


def _uniform_ends(rng):
    """Half the time inside (0, 1) (within Beta's support), half the time wide around it."""
    if rng.integers(2):
        return rng.uniform(0.05, 0.45), rng.uniform(0.55, 0.95)
    return rng.uniform(-2.0, -0.5), rng.uniform(1.5, 3.0)


@dataclass(frozen=True)
class Case:
    """How to draw parameters (``sample(rng, sizes)`` -> values by parameter name, sizes
    reused when given), and build the torch distribution and the scipy one (or None)."""

    sample: Callable[[np.random.Generator, dict], dict]
    torch: Callable[[dict], D.Distribution]
    scipy: Callable[[dict], object] | None


ORACLE_CASES: dict[str, Case] = {
    "normal": Case(lambda r, s: {"mu": r.uniform(-2, 2), "sigma": r.uniform(0.3, 3)},
                   lambda v: D.Normal(_t(v["mu"]), _t(v["sigma"])),
                   lambda v: stats.norm(v["mu"], v["sigma"])),
    "laplace": Case(lambda r, s: {"mu": r.uniform(-2, 2), "b": r.uniform(0.3, 3)},
                    lambda v: D.Laplace(_t(v["mu"]), _t(v["b"])),
                    lambda v: stats.laplace(v["mu"], v["b"])),
    "exponential": Case(lambda r, s: {"lambda": r.uniform(0.2, 4)},
                        lambda v: D.Exponential(_t(v["lambda"])),
                        lambda v: stats.expon(scale=1 / v["lambda"])),
    "gamma": Case(lambda r, s: {"alpha": r.uniform(0.5, 6), "beta": r.uniform(0.3, 4)},
                  lambda v: D.Gamma(_t(v["alpha"]), _t(v["beta"])),
                  lambda v: stats.gamma(v["alpha"], scale=1 / v["beta"])),
    "beta": Case(lambda r, s: {"alpha": r.uniform(0.5, 6), "beta": r.uniform(0.5, 6)},
                 lambda v: D.Beta(_t(v["alpha"]), _t(v["beta"])),
                 lambda v: stats.beta(v["alpha"], v["beta"])),
    "uniform": Case(lambda r, s: dict(zip(("a", "b"), _uniform_ends(r))),
                    lambda v: D.Uniform(_t(v["a"]), _t(v["b"])),
                    lambda v: stats.uniform(v["a"], v["b"] - v["a"])),
    "bernoulli": Case(lambda r, s: {"p": r.uniform(0.05, 0.95)},
                      lambda v: D.Bernoulli(probs=_t(v["p"])),
                      lambda v: stats.bernoulli(v["p"])),
    "binomial": Case(lambda r, s: {"N": s.get("N", int(r.integers(1, 15))), "p": r.uniform(0.05, 0.95)},
                     lambda v: D.Binomial(v["N"], probs=_t(v["p"])),
                     lambda v: stats.binom(v["N"], v["p"])),
    "categorical": Case(lambda r, s: {"K": (K := s.get("K", int(r.integers(2, 7)))), "p": _simplex(r, K)},
                        lambda v: D.Categorical(probs=_t(v["p"])),
                        lambda v: stats.multinomial(1, v["p"])),
    "poisson": Case(lambda r, s: {"lambda": r.uniform(0.2, 12)},
                    lambda v: D.Poisson(_t(v["lambda"])),
                    lambda v: stats.poisson(v["lambda"])),
    "geometric": Case(lambda r, s: {"p": r.uniform(0.05, 0.95)},
                      lambda v: D.Geometric(probs=_t(v["p"])),
                      lambda v: stats.geom(v["p"], loc=-1)),  # failures before the first success
    "mvn_diag": Case(lambda r, s: {"d": (d := s.get("d", int(r.integers(1, 5)))),
                                   "mu": r.uniform(-2, 2, d), "sigma": r.uniform(0.3, 3, d)},
                     lambda v: D.MultivariateNormal(_t(v["mu"]),
                                                    covariance_matrix=torch.diag(_t(v["sigma"]) ** 2)),
                     lambda v: stats.multivariate_normal(v["mu"], np.diag(v["sigma"] ** 2))),
}


def test_every_family_has_oracle_cases():
    for name in it.names():
        assert name in ORACLE_CASES, f"add {name} to ORACLE_CASES"


def _evaluate(expr, *named: tuple[dict, str]) -> float:
    """expr at parameter values given by name, each dict with its suffix (none for sizes)."""
    values = {(k if k in SIZES else k + suffix): v for given, suffix in named for k, v in given.items()}
    sizes = {k: v for k, v in values.items() if k in SIZES}
    return evaluate(expr, {k: v for k, v in values.items() if k not in SIZES}, sizes)


def _torch_entropy(dist) -> float | None:
    try:
        return dist.entropy().item()
    except NotImplementedError:  # torch has no Poisson entropy; scipy is the oracle there
        return None


@pytest.mark.parametrize("name", it.names())
def test_entropy_against_torch_and_scipy(name):
    case, expr = ORACLE_CASES[name], it.entropy_closed_form(name)
    checked = 0
    for seed in SEEDS:
        values = case.sample(np.random.default_rng(seed), {})
        ours = _evaluate(expr, (values, ""))
        theirs = [_torch_entropy(case.torch(values)), float(case.scipy(values).entropy())]
        for oracle in theirs:
            if oracle is not None:
                assert rel_close(ours, oracle), (name, values, ours, oracle)
                checked += 1
    assert checked >= len(SEEDS)


@pytest.mark.parametrize("p, q", it.kl_pairs(), ids=lambda v: v)
def test_kl_against_torch(p, q):
    expr = it.kl_closed_form(p, q)
    finite = infinite = 0
    for seed in range(12):
        rng = np.random.default_rng(1000 + seed)
        values_p = ORACLE_CASES[p].sample(rng, {})
        shared = {k: v for k, v in values_p.items() if k in SIZES} if p == q else {}
        values_q = ORACLE_CASES[q].sample(rng, shared)
        theirs = D.kl_divergence(ORACLE_CASES[p].torch(values_p), ORACLE_CASES[q].torch(values_q)).item()
        ours = _evaluate(expr, (values_p, "_p"), (values_q, "_q"))
        if math.isinf(theirs):
            assert ours == math.inf, (p, q, values_p, values_q, ours)
            infinite += 1
        else:
            assert rel_close(ours, theirs), (p, q, values_p, values_q, ours, theirs)
            finite += 1
    assert finite or expr == sp.oo, f"no finite case for KL({p} || {q})"
    if isinstance(expr, sp.Piecewise):  # a guarded closed form: both sides of its condition
        assert infinite, f"no seed crossed the support condition of KL({p} || {q})"


def test_finite_kl_and_entropy_against_scipy():
    rng = np.random.default_rng(7)
    for _ in range(20):
        K = int(rng.integers(2, 8))
        p = [sp.Rational(int(n), 1) for n in rng.integers(1, 20, K)]
        q = [sp.Rational(int(n), 1) for n in rng.integers(1, 20, K)]
        P, Q = [x / sum(p) for x in p], [x / sum(q) for x in q]
        fp, fq = np.array(P, dtype=float), np.array(Q, dtype=float)
        assert rel_close(float(it.entropy(P, base=2)), stats.entropy(fp, base=2))
        assert rel_close(float(it.kl(P, Q)), stats.entropy(fp, fq))
        assert rel_close(float(it.cross_entropy(P, Q, base=2)),
                         stats.entropy(fp, base=2) + stats.entropy(fp, fq, base=2))


def test_one_hot_cross_entropy_is_torch_cross_entropy_with_zero_based_labels():
    yhat = torch.tensor([[0.1, 0.7, 0.2]], dtype=torch.float64)
    theirs = F.nll_loss(torch.log(yhat), torch.tensor([2])).item()
    ours = float(it.cross_entropy(it.one_hot(2, 3, first=0), (0.1, 0.7, 0.2)))
    assert rel_close(ours, theirs) and rel_close(ours, 1.6094379124341003)


@pytest.mark.parametrize("seed", SEEDS)
def test_entry_entropy_and_kl_against_scipy_and_torch(seed):
    rng = np.random.default_rng(seed)
    sigma, b, yhat = rng.uniform(0.2, 4), rng.uniform(0.2, 4), rng.normal(0, 2)
    gaussian, laplace = derive.derive("gaussian"), derive.derive("laplace")
    assert rel_close(evaluate(gaussian.entropy(), {"sigma": sigma}), stats.norm(yhat, sigma).entropy(), 1e-10)
    kl = evaluate(gaussian.kl(laplace), {"sigma": sigma, "b": b, "yhat": yhat})
    expected = D.kl_divergence(D.Normal(_t(yhat), _t(sigma)), D.Laplace(_t(yhat), _t(b))).item()
    assert rel_close(kl, expected, 1e-10)
    p, z = rng.uniform(0.05, 0.95), rng.normal(0, 2)
    kl = evaluate(derive.derive("bernoulli").kl(derive.derive("bernoulli_logits")), {"yhat": p, "z": z})
    expected = D.kl_divergence(D.Bernoulli(probs=_t(p)), D.Bernoulli(logits=_t(z))).item()
    assert rel_close(kl, expected, 1e-10)
