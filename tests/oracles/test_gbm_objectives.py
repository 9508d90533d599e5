"""Custom boosting objectives: the stated relation to each built-in objective checked by training
both on the same seeded data for a few rounds and comparing raw scores; the derived gradient and
Hessian in the raw score checked against SymPy's derivative of the loss composed with the link."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from sklearn import metrics

import derive
from derive.errors import DeriveError, Unsupported
from derive.gradients import expand_named
from derive.objectives import BUILTINS, TARGETS, compile_objective, objective, objective_source

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
                                  "pseudo_huber", "asymmetric_laplace", "bernoulli", "poisson", "exponential",
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


# --------------------------------------------------------------------------- pseudo-Huber at a slope other than 1


@pytest.mark.parametrize("slope", [0.4, 2.5])
def test_xgboost_pseudo_huber_is_delta_times_the_derived_objective(slope):
    """reg:pseudohubererror with huber_slope = delta trains like delta x (the derived gradient and
    Hessian): at delta = 1 the factor is invisible, so other slopes; without it the trees differ."""
    d = derive.derive("pseudo_huber")
    fns = compile_objective(d, "xgboost")
    fns["FIXED"]["delta"] = slope  # the generated objective reads its fixed values from FIXED
    X, y = data("pseudo_huber")
    extra = {"huber_slope": slope}
    theirs = train_xgboost("pseudo_huber", X, y, "reg:pseudohubererror", extra)
    assert np.abs(theirs).max() > 0.05
    np.testing.assert_allclose(train_xgboost("pseudo_huber", X, y, fns["objective_like_builtin"], extra), theirs,
                               rtol=2e-5, atol=2e-5)
    assert np.abs(train_xgboost("pseudo_huber", X, y, fns["objective"], extra) - theirs).max() > 1e-3


def test_pseudo_huber_relations_are_stated_for_both_libraries():
    d = derive.derive("pseudo_huber")
    assert "delta" in objective(d, "xgboost").relation() and BUILTINS["pseudo_huber"]["xgboost"].trainable
    assert "no pseudo-Huber objective" in objective(d, "lightgbm").relation()
    assert "pseudo_huber" in BUILTINS["huber"]["xgboost"].note  # the Huber row points at the entry it is


# --------------------------------------------------------------------------- quantile: leaves re-fitted

TAU = Fraction(3, 10)
QUANTILE_ROUNDS, LR = 4, 0.3


def quantile_data():
    """Residuals of scale ~10: a Newton step of the pinball loss (|g| <= 1, Hessian 1) is far from
    a quantile of the residuals.  Labels rounded to float32, as both libraries store them."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(N, 3))
    y = 10 * (X[:, 0] - 0.5 * X[:, 1]) + 10 * rng.normal(size=N)
    return X, y.astype(np.float32).astype(float)


def lightgbm_bracket(n: int) -> tuple[int, int]:
    """LightGBM's percentile of n sorted residuals: linear interpolation at position tau (n - 1)
    counted from 0, i.e. between the order statistics j and j + 1 counted from 1."""
    j = math.floor(TAU * (n - 1)) + 1
    return j, min(j + 1, n)


def xgboost_bracket(n: int) -> tuple[int, int]:
    """XGBoost's quantile (NIST): the minimum for tau <= 1/(n + 1), the maximum for tau >= n/(n + 1),
    else linear interpolation at position tau (n + 1) counted from 1."""
    if TAU <= Fraction(1, n + 1):
        return 1, 1
    if TAU >= Fraction(n, n + 1):
        return n, n
    j = math.floor(TAU * (n + 1))
    return j, j + 1


def pinball_minimisers(r: np.ndarray) -> set[float]:
    """The order statistics that minimise sum_i rho_tau(r_i - c) (scikit-learn's pinball loss at
    every residual: the loss is convex and piecewise linear with its kinks at the residuals)."""
    s = np.sort(r)
    losses = np.array([metrics.mean_pinball_loss(r, np.full_like(r, c), alpha=float(TAU)) for c in s])
    return set(s[np.isclose(losses, losses.min(), rtol=1e-12, atol=0)])


def quantile_leaf(value: float, r: np.ndarray, bracket, tol: float) -> bool:
    """``value`` lies between the order statistics the library interpolates, and one of the two is
    a minimiser of the pinball loss of ``r``: a minimiser up to that interpolation."""
    s = np.sort(r)
    lo, hi = (s[i - 1] for i in bracket(len(r)))
    return lo - tol <= value <= hi + tol and bool({lo, hi} & pinball_minimisers(r))


def _quantile_boosters(target, X, y, rounds, base=None):
    """The built-in and the custom objective (the derived subgradient, Hessian 1) at tau, from 0."""
    fns = compile_objective(derive.derive("asymmetric_laplace"), target)
    fns["FIXED"]["tau"] = float(TAU)
    (key, _), = BUILTINS["asymmetric_laplace"][target].params
    builtin = BUILTINS["asymmetric_laplace"][target].name
    if target == "lightgbm":
        params = {"verbose": -1, "boost_from_average": False, "num_leaves": 7, "learning_rate": LR,
                  "min_data_in_leaf": 5, "deterministic": True, "num_threads": 1, "force_col_wise": True, "seed": 0}
        return [lgb.train({**params, "objective": obj, key: float(TAU)}, lgb.Dataset(X, y), rounds)
                for obj in (builtin, fns["objective_like_builtin"])]
    params = {"max_depth": 3, "eta": LR, "nthread": 1, "tree_method": "hist", "seed": 0,
              "disable_default_eval_metric": 1}
    dtrain = xgb.DMatrix(X, y, base_margin=np.zeros(N))
    return [xgb.train({**params, "objective": builtin, key: float(TAU)}, dtrain, rounds),
            xgb.train(params, dtrain, rounds, obj=fns["objective_like_builtin"])]


def _raw(target, booster, X, rounds):
    """Raw scores after ``rounds`` trees (0: the zero start), and the leaf of each row in every tree."""
    if rounds == 0:
        return np.zeros(N)
    if target == "lightgbm":
        return booster.predict(X, raw_score=True, num_iteration=rounds)
    return booster.predict(xgb.DMatrix(X, base_margin=np.zeros(N)), output_margin=True,
                           iteration_range=(0, rounds)).astype(float)


def _leaves(target, booster, X):
    if target == "lightgbm":
        return booster.predict(X, pred_leaf=True)
    return booster.predict(xgb.DMatrix(X, base_margin=np.zeros(N)), pred_leaf=True)


@pytest.mark.parametrize("target", TARGETS)
def test_quantile_builtin_grows_the_derived_tree_then_refits_its_leaves_to_quantiles(target):
    """The stated relation of the quantile built-ins (tau = 0.3), tested rather than trained alike:

    (a) after one round from a zero score, the built-in and the custom objective (the derived
        subgradient tau - 1[y > F] ... with the Hessian 1) put every row in the same leaf: the
        same gradient grows the same tree;
    (b) in each of the first rounds, each leaf value of the built-in ((F_t - F_{t-1})/eta) lies
        between the two order statistics r_(j) <= r_(j+1) of the leaf's residuals r = y - F_{t-1}
        that the library interpolates (LightGBM: position tau (n - 1) from 0; XGBoost: tau (n + 1)
        from 1, clamped to the extremes), and r_(j) or r_(j+1) minimises the pinball loss
        sum_i rho_tau(r_i - c) (scikit-learn's, at every residual): a minimiser of the pinball loss
        up to the library's interpolation between two neighbouring order statistics;
    (c) the custom objective's leaf values (Newton steps -G/(H + lambda)) do not: so (b) can fail.
    The tolerance is a few roundings of the margins (float64 in LightGBM, float32 in XGBoost)."""
    X, y = quantile_data()
    builtin, custom = _quantile_boosters(target, X, y, QUANTILE_ROUNDS)
    bracket = lightgbm_bracket if target == "lightgbm" else xgboost_bracket
    dtype = np.float64 if target == "lightgbm" else np.float32
    tol = 8 * float(np.spacing(dtype(np.abs(y).max()))) / LR
    theirs, ours = _leaves(target, builtin, X), _leaves(target, custom, X)
    np.testing.assert_array_equal(theirs[:, 0], ours[:, 0])  # (a)
    assert len(np.unique(theirs[:, 0])) >= 5
    for t in range(1, QUANTILE_ROUNDS + 1):
        before, after = _raw(target, builtin, X, t - 1), _raw(target, builtin, X, t)
        for leaf in np.unique(theirs[:, t - 1]):
            rows = theirs[:, t - 1] == leaf
            step = (after - before)[rows] / LR
            assert np.ptp(step) <= tol  # one value per leaf
            assert quantile_leaf(step[0], (y - before)[rows], bracket, tol), (t, leaf)  # (b)
    newton = _raw(target, custom, X, 1) / LR
    for leaf in np.unique(ours[:, 0]):
        rows = ours[:, 0] == leaf
        assert not quantile_leaf(newton[rows][0], y[rows], bracket, tol), leaf  # (c)
        assert abs(newton[rows][0]) <= 1  # a Newton step of a gradient in [tau - 1, tau] with Hessian 1
    assert np.abs(_raw(target, builtin, X, QUANTILE_ROUNDS) - _raw(target, custom, X, QUANTILE_ROUNDS)).max() > 1
