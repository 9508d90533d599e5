"""Closed forms against independent oracles: torch.distributions (``.entropy()`` and every
registered ``kl_divergence`` pair among our families) and scipy.stats entropies.  Float64,
seeded parameter points inside the support, 1e-10 relative; infinite KLs must agree too."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch
import torch.distributions as D
import torch.nn.functional as F
from scipy import integrate, stats

import derive
import derive.infotheory as it
from catalogue_cases import FAMILY_CASES, t64
from numeric import evaluate, rel_close

SEEDS = range(6)
SIZES = {"N", "K", "d"}
ORACLE_CASES = {name: case.oracle for name, case in FAMILY_CASES.items()}


def test_every_family_has_oracle_cases():
    for name in it.names():
        assert name in ORACLE_CASES, f"add {name} to FAMILY_CASES in tests/catalogue_cases.py"


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


def _kl_oracle(p, q, values_p, values_q) -> float:
    """torch's kl_divergence; for a pair torch does not have (a TransformedDistribution),
    SciPy's quadrature of p (log p - log q) over the real line."""
    P, Q = ORACLE_CASES[p].torch(values_p), ORACLE_CASES[q].torch(values_q)
    try:
        return D.kl_divergence(P, Q).item()
    except NotImplementedError:
        sp_p, sp_q = ORACLE_CASES[p].scipy(values_p), ORACLE_CASES[q].scipy(values_q)
        value, _ = integrate.quad(lambda x: sp_p.pdf(x) * (sp_p.logpdf(x) - sp_q.logpdf(x)), -np.inf, np.inf,
                                  epsabs=0, epsrel=1e-13, limit=200)
        return value


@pytest.mark.parametrize("p, q", it.kl_pairs(), ids=lambda v: v)
def test_kl_against_torch(p, q):
    expr = it.kl_closed_form(p, q)
    finite = infinite = 0
    for seed in range(12):
        rng = np.random.default_rng(1000 + seed)
        values_p = ORACLE_CASES[p].sample(rng, {})
        shared = {k: v for k, v in values_p.items() if k in SIZES} if p == q else {}
        values_q = ORACLE_CASES[q].sample(rng, shared)
        theirs = _kl_oracle(p, q, values_p, values_q)
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
    expected = D.kl_divergence(D.Normal(t64(yhat), t64(sigma)), D.Laplace(t64(yhat), t64(b))).item()
    assert rel_close(kl, expected, 1e-10)
    p, z = rng.uniform(0.05, 0.95), rng.normal(0, 2)
    kl = evaluate(derive.derive("bernoulli").kl(derive.derive("bernoulli_logits")), {"yhat": p, "z": z})
    expected = D.kl_divergence(D.Bernoulli(probs=t64(p)), D.Bernoulli(logits=t64(z))).item()
    assert rel_close(kl, expected, 1e-10)
