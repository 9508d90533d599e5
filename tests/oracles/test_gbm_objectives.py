"""Custom boosting objectives: the stated relation to each built-in objective checked by training
both on the same seeded data for a few rounds and comparing raw scores; the derived gradient and
Hessian in the raw score checked against SymPy's derivative of the loss composed with the link."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import derive
from derive.errors import DeriveError, Unsupported
from derive.gradients import expand_named
from derive.objectives import BUILTINS, compile_objective, objective, objective_source

lgb = pytest.importorskip("lightgbm")
xgb = pytest.importorskip("xgboost")

N, ROUNDS, K = 300, 5, 3


def data(name: str):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(N, 3))
    f = X[:, 0] - 0.5 * X[:, 1]
    if name == "bernoulli_logits":
        y = (rng.random(N) < 1 / (1 + np.exp(-f))).astype(float)
    elif name == "categorical_logits":
        y = np.argmax(np.stack([f, -f, X[:, 2]], 1) + rng.gumbel(size=(N, K)), 1).astype(float)
    elif name == "poisson_log":
        y = rng.poisson(np.exp(f / 2)).astype(float)
    elif name == "gamma":
        y = rng.gamma(2.0, np.exp(f / 2) / 2.0)
    elif name == "tweedie":
        counts = rng.poisson(np.exp(f / 2))
        y = np.array([rng.gamma(2.0, 1.0, c).sum() for c in counts])
    elif name == "asymmetric_laplace":
        y = f + rng.laplace(size=N)
    else:
        y = f + rng.normal(size=N) + (rng.random(N) < 0.1) * 8.0  # outliers: Huber's tails matter
    return X, y


TRAINABLE = [(name, target) for name, by in BUILTINS.items() for target, b in by.items() if b.trainable]


def train_lightgbm(name, X, y, objective_, extra):
    params = {"objective": objective_, "verbose": -1, "boost_from_average": False, "num_leaves": 7,
              "learning_rate": 0.3, "min_data_in_leaf": 5, "deterministic": True, "num_threads": 1,
              "force_col_wise": True, "seed": 0, **extra}
    if name == "categorical_logits":
        params["num_class"] = K
    booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=ROUNDS)
    return booster.predict(X, raw_score=True)


def train_xgboost(name, X, y, objective_, extra):
    margin = np.zeros((N, K)) if name == "categorical_logits" else np.zeros(N)
    dtrain = xgb.DMatrix(X, y, base_margin=margin)
    params = {"max_depth": 3, "eta": 0.3, "nthread": 1, "tree_method": "hist", "seed": 0,
              "disable_default_eval_metric": 1, **extra}
    if name == "categorical_logits":
        params["num_class"] = K
    if isinstance(objective_, str):
        params["objective"] = objective_
        booster = xgb.train(params, dtrain, ROUNDS)
    else:
        booster = xgb.train(params, dtrain, ROUNDS, obj=objective_)
    return booster.predict(xgb.DMatrix(X, base_margin=margin), output_margin=True)


@pytest.mark.parametrize("name, target", TRAINABLE)
def test_custom_objective_with_the_stated_factors_trains_like_the_builtin(name, target):
    d = derive.derive(name)
    builtin = BUILTINS[name][target]
    fns = compile_objective(d, target)
    X, y = data(name)
    train = train_lightgbm if target == "lightgbm" else train_xgboost
    extra = dict(builtin.params)
    ours = train(name, X, y, fns["objective_like_builtin"], extra)
    theirs = train(name, X, y, builtin.name, extra)
    assert np.abs(theirs).max() > 0.05  # the boosting moved away from the zero start
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name, target", [("categorical_logits", "xgboost"), ("poisson_log", "lightgbm"),
                                          ("gaussian", "xgboost")])
def test_without_the_factor_training_differs(name, target):
    """The factor is needed: the derived Hessian alone gives other trees (so the test above can fail)."""
    d = derive.derive(name)
    builtin = BUILTINS[name][target]
    X, y = data(name)
    train = train_lightgbm if target == "lightgbm" else train_xgboost
    ours = train(name, X, y, compile_objective(d, target)["objective"], dict(builtin.params))
    theirs = train(name, X, y, builtin.name, dict(builtin.params))
    assert np.abs(ours - theirs).max() > 1e-3


def test_xgboost_softmax_hessian_is_twice_the_derived_one():
    d = derive.derive("categorical_logits")
    assert BUILTINS["categorical_logits"]["xgboost"].hess_factor == 2
    fns = compile_objective(d, "xgboost")
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(20, K))
    labels = rng.integers(0, K, 20)
    p = np.exp(raw) / np.exp(raw).sum(1, keepdims=True)
    grad, hess = fns["grad_hess"](np.eye(K)[labels], raw)
    np.testing.assert_allclose(grad, p - np.eye(K)[labels], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(hess, p * (1 - p), rtol=1e-13)  # the diagonal of diag(p) - p p^T


@pytest.mark.parametrize("name", ["bernoulli_logits", "poisson_log", "gamma", "tweedie", "gaussian", "huber",
                                  "asymmetric_laplace", "bernoulli", "poisson", "exponential",
                                  "negative_binomial", "binomial"])
def test_raw_score_gradient_and_hessian_are_sympys_derivatives(name):
    d = derive.derive(name)
    obj = objective(d, "lightgbm")
    F = obj.score
    (param,) = d.params
    link = {"log link: the mean is e^F": sp.exp(F), "logit link: the probability is sigma(F)": 1 / (1 + sp.exp(-F))}
    loss = d.loss.xreplace({param: link.get(obj.link, F)})
    loss = loss.rewrite(sp.Piecewise) if loss.has(sp.Max) else loss
    rng = np.random.default_rng(1)
    for mine, order in ((obj.grad, 1), (obj.hess, 2)):
        want = sp.diff(loss, F, order).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
        if not loss.has(sp.Piecewise):
            assert sp.simplify(expand_named(mine) - want) == 0, (name, order)
            continue
        # piecewise: equal at seeded points off the kinks (sympy's conditions differ in form)
        for _ in range(20):
            symbols = sorted(want.free_symbols | mine.free_symbols, key=str)
            point = [rng.uniform(0.2, 0.8) if s.name in ("tau", "delta") else rng.normal() * 3 for s in symbols]
            got = sp.lambdify(symbols, mine, "numpy")(*point)
            assert got == pytest.approx(sp.lambdify(symbols, want, "numpy")(*point), rel=1e-12, abs=1e-12)


def test_objective_source_states_the_relation_and_bad_input_is_ours():
    src = objective_source(derive.derive("poisson_log"), "lightgbm")
    assert "BUILTIN = 'poisson'" in src and "e^{0.7}" in src
    with pytest.raises(DeriveError, match="unknown target"):
        objective(derive.derive("poisson_log"), "catboost")
    with pytest.raises(Unsupported):
        objective(derive.derive("gaussian_variance"), "xgboost")
    with pytest.raises(Unsupported):
        objective(derive.derive("categorical"), "xgboost")
