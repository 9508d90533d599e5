"""The classic three against independent oracles: SciPy log-densities for the full NLL
(every constant), PyTorch's loss functions for the dataset loss.  Float64, seeded points
inside the support, 1e-10 relative."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

import derive
from numeric import evaluate, rel_close

SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_gaussian_nll_is_scipy_norm_logpdf_and_dataset_loss_is_torch_mse(seed):
    rng = np.random.default_rng(seed)
    d = derive.derive("gaussian")
    y, yhat, sigma = rng.normal(0, 3), rng.normal(0, 3), rng.uniform(0.1, 5)
    nll = evaluate(d.nll, {"y": y, "yhat": yhat, "sigma": sigma})
    assert rel_close(nll, -stats.norm.logpdf(y, loc=yhat, scale=sigma))
    n = int(rng.integers(1, 7))
    ys, yhats = rng.normal(0, 3, n), rng.normal(0, 3, n)
    ours = evaluate(d.dataset_loss, {"y": ys, "yhat": yhats}, {"n": n})
    theirs = F.mse_loss(torch.tensor(yhats, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)).item()
    assert rel_close(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_bernoulli_nll_is_scipy_logpmf_and_dataset_loss_is_torch_bce(seed):
    rng = np.random.default_rng(100 + seed)
    d = derive.derive("bernoulli")
    for y in (0, 1):
        p = rng.uniform(0.01, 0.99)
        assert rel_close(evaluate(d.nll, {"y": y, "yhat": p}), -stats.bernoulli.logpmf(y, p))
    n = int(rng.integers(1, 7))
    ys, ps = rng.integers(0, 2, n).astype(float), rng.uniform(0.01, 0.99, n)
    ours = evaluate(d.dataset_loss, {"y": ys, "yhat": ps}, {"n": n})
    theirs = F.binary_cross_entropy(torch.tensor(ps), torch.tensor(ys)).item()
    assert rel_close(ours, theirs)


def _probabilities(rng, shape):
    w = rng.uniform(0.05, 1.0, shape)
    return w / w.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_nll_is_scipy_multinomial_logpmf(seed):
    rng = np.random.default_rng(200 + seed)
    d = derive.derive("categorical")
    K = int(rng.integers(2, 6))
    p = _probabilities(rng, K)
    c = int(rng.integers(0, K))
    onehot = np.eye(K)[c]
    ours = evaluate(d.nll, {"y": onehot, "yhat": p}, {"K": K})
    assert rel_close(ours, -stats.multinomial.logpmf(onehot, n=1, p=p))
    assert rel_close(evaluate(d.hard_label, {"yhat": p}, {"c": c + 1}), ours)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_dataset_loss_is_torch_cross_entropy_with_probability_targets(seed):
    rng = np.random.default_rng(300 + seed)
    d = derive.derive("categorical")
    n, K = int(rng.integers(1, 5)), int(rng.integers(2, 5))
    probs = _probabilities(rng, (n, K))
    targets = _probabilities(rng, (n, K))  # soft targets: CE is linear in the target
    ours = evaluate(d.dataset_loss, {"y": targets, "yhat": probs}, {"n": n, "K": K})
    # cross_entropy takes logits: log(probs) are logits whose softmax is probs.
    theirs = F.cross_entropy(torch.tensor(np.log(probs)), torch.tensor(targets)).item()
    assert rel_close(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_hard_labels_are_torch_nll_loss(seed):
    rng = np.random.default_rng(400 + seed)
    d = derive.derive("categorical")
    n, K = int(rng.integers(1, 6)), int(rng.integers(2, 6))
    probs = _probabilities(rng, (n, K))
    labels = rng.integers(0, K, n)
    onehot = np.eye(K)[labels]
    ours = evaluate(d.dataset_loss, {"y": onehot, "yhat": probs}, {"n": n, "K": K})
    theirs = F.nll_loss(torch.tensor(np.log(probs)), torch.tensor(labels)).item()
    assert rel_close(ours, theirs)
    per_example = [evaluate(d.hard_label, {"yhat": probs[r]}, {"c": int(labels[r]) + 1}) for r in range(n)]
    assert rel_close(float(np.mean(per_example)), theirs)


def test_lesson_example_true_class_two_costs_minus_log_point_two():
    d = derive.derive("categorical")
    cost = evaluate(d.hard_label, {"yhat": np.array([0.1, 0.7, 0.2])}, {"c": 3})  # classes 0,1,2: class 2 is c=3
    assert rel_close(cost, -np.log(0.2)) and round(cost, 3) == 1.609
