"""Models with priors against independent oracles: scikit-learn's Ridge, Lasso, ElasticNet
and LogisticRegression, run at the derived lambda, land on the minimum of the negative
log-posterior built from SciPy's densities (and satisfy our derived stationarity / KKT
conditions), PyTorch's SGD weight_decay is
the derived one, torch's label smoothing is the derived Dirichlet weight, and SciPy's
densities (quadrature of likelihood x prior) give the derived posteriors, means and modes."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from scipy import integrate, optimize, special, stats
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

from derive.models import conjugate, model
from numeric import evaluate, rel_close

D = 4
SEEDS = range(3)


def _compiled(m, values):
    """The derived fit summand, its gradient in w and each penalty's gradient, at d = D,
    as NumPy functions of (w, X, y); ``values`` gives the hyperparameters by name."""
    ws = sp.symbols(f"w1:{D + 1}", real=True)
    xs = sp.symbols(f"x1:{D + 1}", real=True)
    yi = sp.Symbol("yi", real=True)
    (i,) = [s for s in m.fit.variables]
    dsym = next(s for s in m.fit.free_symbols if s.name == "d")
    summand = m.fit.function.xreplace({dsym: D}).doit()
    summand = summand.replace(lambda e: isinstance(e, sp.Indexed) and e.base.label.name == "w",
                              lambda e: ws[int(e.indices[0]) - 1])
    summand = summand.replace(lambda e: isinstance(e, sp.Indexed) and e.base.label.name == "x",
                              lambda e: xs[int(e.indices[1]) - 1])
    summand = summand.replace(lambda e: isinstance(e, sp.Indexed) and e.base.label.name == "y", lambda e: yi)
    grad = sp.lambdify((ws, xs, yi), [sp.diff(summand, wk) for wk in ws], "numpy")

    def fit_grad(wv, X, yv):
        return sum(np.array(grad(wv, X[r], yv[r]), dtype=float) for r in range(len(yv)))

    weights = {fam: evaluate(lam, values) for fam, lam in m.weights.items()}
    return fit_grad, weights


def _coordinatewise_minimum(f, w, h=1e-4):
    """f(w +- h e_j) >= f(w) for every j (up to rounding): for a convex f that is a sum of a
    smooth part and a separable |w_j| part, the global minimum."""
    base = f(w)
    for j in range(len(w)):
        for step in (h, -h):
            moved = w.copy()
            moved[j] += step
            if f(moved) - base < -1e-10 * abs(base):
                return False
    return True


def _gaussian_posterior(X, y, sigma, prior):
    """-log p(w | D) up to log p(D), from SciPy's densities: sum_i -log N(y_i; x_i w, sigma^2) - log p(w)."""
    return lambda w: -stats.norm.logpdf(y, X @ w, sigma).sum() - prior(w)


def _data(seed, n=40, binary=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D))
    true = np.array([2.0, 0.0, -1.5, 0.0])
    if binary:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X @ true))).astype(float)
    else:
        y = X @ true + rng.normal(0, 0.5, n)
    return X, y


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_is_sklearn_ridge_at_the_derived_lambda(seed):
    X, y = _data(seed)
    sigma, tau = 0.7 + seed, 0.3 + 0.2 * seed
    fit_grad, lam = _compiled(model("ridge"), {"sigma": sigma, "tau": tau})
    assert rel_close(lam["normal"], sigma**2 / tau**2)
    coef = Ridge(alpha=lam["normal"], fit_intercept=False, solver="cholesky").fit(X, y).coef_
    gradient = fit_grad(coef, X, y) + 2 * lam["normal"] * coef
    assert np.max(np.abs(gradient)) < 1e-9 * np.max(np.abs(X.T @ y))
    assert np.max(np.abs(fit_grad(coef, X, y))) > 1e-3  # the penalty is doing something
    neg_log_posterior = _gaussian_posterior(X, y, sigma, lambda w: stats.norm.logpdf(w, 0, tau).sum())
    assert _coordinatewise_minimum(neg_log_posterior, coef)
    wrong = Ridge(alpha=2 * lam["normal"], fit_intercept=False, solver="cholesky").fit(X, y).coef_
    assert not _coordinatewise_minimum(neg_log_posterior, wrong)  # the check can fail


def _kkt_l1(g_smooth, coef, lam1, tol):
    for gj, wj in zip(g_smooth, coef):
        if wj != 0:
            assert abs(gj + lam1 * np.sign(wj)) < tol
        else:
            assert abs(gj) <= lam1 + tol


@pytest.mark.parametrize("seed", SEEDS)
def test_lasso_is_sklearn_lasso_at_the_derived_lambda(seed):
    X, y = _data(seed)
    n = len(y)
    sigma, b = 0.8, 0.05 + 0.02 * seed
    fit_grad, lam = _compiled(model("lasso"), {"sigma": sigma, "b": b})
    assert rel_close(lam["laplace"], 2 * sigma**2 / b)
    # sklearn: 1/(2n) |y - Xw|^2 + alpha |w|_1 = (derived loss) / (2n)
    coef = Lasso(alpha=lam["laplace"] / (2 * n), fit_intercept=False, tol=1e-14, max_iter=10**6).fit(X, y).coef_
    assert (coef == 0).any() and (coef != 0).any()
    _kkt_l1(fit_grad(coef, X, y), coef, lam["laplace"], 1e-6)
    neg_log_posterior = _gaussian_posterior(X, y, sigma, lambda w: stats.laplace.logpdf(w, 0, b).sum())
    assert _coordinatewise_minimum(neg_log_posterior, coef)
    wrong = Lasso(alpha=lam["laplace"] / n, fit_intercept=False, tol=1e-14, max_iter=10**6).fit(X, y).coef_
    assert not _coordinatewise_minimum(neg_log_posterior, wrong)


@pytest.mark.parametrize("seed", SEEDS)
def test_elastic_net_is_sklearn_elastic_net_at_the_derived_lambdas(seed):
    X, y = _data(seed)
    n = len(y)
    values = {"sigma": 0.8, "b": 0.05 + 0.02 * seed, "tau": 0.4}
    fit_grad, lam = _compiled(model("elastic_net"), values)
    l1, l2 = lam["laplace"], lam["normal"]
    # sklearn: 1/(2n)|y - Xw|^2 + alpha r |w|_1 + alpha (1 - r)/2 |w|^2 = (derived loss)/(2n)
    alpha = l1 / (2 * n) + l2 / n
    coef = ElasticNet(alpha=alpha, l1_ratio=l1 / (2 * n) / alpha, fit_intercept=False, tol=1e-14,
                      max_iter=10**6).fit(X, y).coef_
    assert (coef != 0).any()
    _kkt_l1(fit_grad(coef, X, y) + 2 * l2 * coef, coef, l1, 1e-6)
    # the prior is the normalised product of the two densities: its normaliser is free of w
    prior = lambda w: (stats.norm.logpdf(w, 0, values["tau"]) + stats.laplace.logpdf(w, 0, values["b"])).sum()  # noqa: E731
    assert _coordinatewise_minimum(_gaussian_posterior(X, y, values["sigma"], prior), coef)


@pytest.mark.parametrize("seed", SEEDS)
def test_l2_logistic_is_sklearn_logistic_regression_at_the_derived_lambda(seed):
    X, y = _data(seed, binary=True)
    tau = 0.5 + 0.5 * seed
    fit_grad, lam = _compiled(model("logistic_l2"), {"tau": tau})
    assert rel_close(lam["normal"], 1 / (2 * tau**2))
    # sklearn: C sum_i logloss_i + |w|^2 / 2  ∝  sum_i logloss_i + |w|^2/(2C)
    coef = LogisticRegression(C=1 / (2 * lam["normal"]), fit_intercept=False, solver="newton-cg", tol=1e-12,
                              max_iter=1000).fit(X, y).coef_[0]
    gradient = fit_grad(coef, X, y) + 2 * lam["normal"] * coef
    assert np.max(np.abs(gradient)) < 1e-6
    neg_log_posterior = lambda w: (-stats.bernoulli.logpmf(y, special.expit(X @ w)).sum()  # noqa: E731
                                   - stats.norm.logpdf(w, 0, tau).sum())
    assert _coordinatewise_minimum(neg_log_posterior, coef)


@pytest.mark.parametrize("name, loss", [
    ("ridge", lambda z, y: F.mse_loss(z, y)),
    ("logistic_l2", lambda z, y: F.binary_cross_entropy_with_logits(z, y)),
])
def test_pytorch_sgd_weight_decay_is_the_derived_one(name, loss):
    X, y = _data(7, n=25, binary=name == "logistic_l2")
    n = len(y)
    values = {"sigma": 0.9, "tau": 0.6, "n": n}
    m = model(name)
    fit_grad, lam = _compiled(m, values)
    wd = evaluate(m.weight_decay, values)
    w0 = np.array([0.3, -0.2, 0.5, 0.1])
    w = torch.tensor(w0, requires_grad=True)
    lr = 0.1
    opt = torch.optim.SGD([w], lr=lr, weight_decay=wd)
    opt.zero_grad()
    loss(torch.tensor(X) @ w, torch.tensor(y)).backward()
    opt.step()
    # the derived loss J = sum_i loss_i + lam |w|^2 (MSE: the derived fit is the sum of squares); a step on J/n
    ours = w0 - lr * (fit_grad(w0, X, y) + 2 * lam["normal"] * w0) / n
    assert np.allclose(w.detach().numpy(), ours, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- conjugate updates


def _posterior_by_quadrature(loglik, logprior, lo, hi):
    """Normalised posterior density, its mean and its mode, from SciPy log-densities."""
    logpost = lambda t: loglik(t) + logprior(t)  # noqa: E731
    mode = optimize.minimize_scalar(lambda t: -logpost(t), bounds=(lo, hi), method="bounded",
                                    options={"xatol": 1e-12}).x
    peak = logpost(mode)
    z = integrate.quad(lambda t: np.exp(logpost(t) - peak), lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
    mean = integrate.quad(lambda t: t * np.exp(logpost(t) - peak), lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0] / z
    return (lambda t: np.exp(logpost(t) - peak) / z), mean, mode


def _ours(expr, values):
    return evaluate(expr, values)


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_bernoulli_against_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b, n = rng.uniform(1.5, 4), rng.uniform(1.5, 4), 15
    y = (rng.uniform(size=n) < 0.3).astype(int)
    c = conjugate("beta_bernoulli")
    values = {"alpha": a, "beta": b, "n": n, "k": int(y.sum())}
    post, mean, mode = _posterior_by_quadrature(lambda t: stats.bernoulli.logpmf(y, t).sum(),
                                                lambda t: stats.beta.logpdf(t, a, b), 1e-12, 1 - 1e-12)
    ap, bp = _ours(c.posterior["alpha"], values), _ours(c.posterior["beta"], values)
    for t in (0.1, 0.3, 0.7):
        assert rel_close(stats.beta.pdf(t, ap, bp), post(t), 1e-7)
    assert rel_close(_ours(c.mean, values), mean, 1e-8)
    assert abs(_ours(c.map, values) - mode) < 1e-7


@pytest.mark.parametrize("seed", SEEDS)
def test_gamma_poisson_against_scipy(seed):
    rng = np.random.default_rng(10 + seed)
    a, b, n = rng.uniform(1.5, 4), rng.uniform(0.5, 2), 12
    y = rng.poisson(3.0, n)
    c = conjugate("gamma_poisson")
    values = {"alpha": a, "beta": b, "n": n, "s": int(y.sum())}
    post, mean, mode = _posterior_by_quadrature(lambda t: stats.poisson.logpmf(y, t).sum(),
                                                lambda t: stats.gamma.logpdf(t, a, scale=1 / b), 1e-9, 40)
    ap, bp = _ours(c.posterior["alpha"], values), _ours(c.posterior["beta"], values)
    for t in (1.5, 3.0, 4.5):
        assert rel_close(stats.gamma.pdf(t, ap, scale=1 / bp), post(t), 1e-7)
    assert rel_close(_ours(c.mean, values), mean, 1e-8)
    assert abs(_ours(c.map, values) - mode) < 1e-6


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_normal_against_scipy(seed):
    rng = np.random.default_rng(20 + seed)
    mu0, tau0, sigma, n = rng.normal(), rng.uniform(0.5, 2), rng.uniform(0.5, 2), 9
    y = rng.normal(1.0, sigma, n)
    c = conjugate("normal_normal")
    values = {"mu_0": mu0, "tau_0": tau0, "sigma": sigma, "n": n, "ybar": y.mean()}
    post, mean, mode = _posterior_by_quadrature(lambda t: stats.norm.logpdf(y, t, sigma).sum(),
                                                lambda t: stats.norm.logpdf(t, mu0, tau0), -15, 15)
    m, s = _ours(c.posterior["mu"], values), _ours(c.posterior["sigma"], values)
    for t in (m - s, m, m + 0.5 * s):
        assert rel_close(stats.norm.pdf(t, m, s), post(t), 1e-7)
    assert rel_close(_ours(c.mean, values), mean, 1e-8)
    assert abs(_ours(c.map, values) - mode) < 1e-6


def _at_k(expr, k_value):
    k = next(s for s in expr.free_symbols if s.name == "k")
    return expr.xreplace({k: k_value})


@pytest.mark.parametrize("seed", SEEDS)
def test_dirichlet_categorical_against_scipy(seed):
    rng = np.random.default_rng(30 + seed)
    K, n = 4, 20
    alpha = rng.uniform(1.2, 3, K)
    counts = rng.multinomial(n, [0.1, 0.2, 0.3, 0.4])
    u = conjugate("dirichlet_categorical")
    values = {"alpha": alpha, "c": counts, "n": n}
    mean = [evaluate(_at_k(u.mean, k), values, {"K": K}) for k in range(1, K + 1)]
    assert np.allclose(mean, stats.dirichlet(alpha + counts).mean(), rtol=1e-12)
    mode = np.array([evaluate(_at_k(u.map, k), values, {"K": K}) for k in range(1, K + 1)])
    # the mode maximises SciPy's posterior log-density on the simplex (softmax coordinates)
    neg = lambda z: -stats.dirichlet.logpdf(np.exp(z - np.logaddexp.reduce(z)), alpha + counts)  # noqa: E731
    found = optimize.minimize(neg, np.zeros(K), method="BFGS", options={"gtol": 1e-12}).x
    assert np.allclose(mode, np.exp(found - np.logaddexp.reduce(found)), atol=1e-7)
    laplace = [evaluate(_at_k(u.laplace, k), values, {"K": K}) for k in range(1, K + 1)]
    assert np.allclose(laplace, (counts + 1) / (n + K), rtol=1e-12)


@pytest.mark.parametrize("eps", [0.05, 0.1, 0.3])
def test_torch_label_smoothing_is_the_derived_dirichlet_prior(eps):
    rng = np.random.default_rng(int(eps * 100))
    K, n = 5, 12
    logits = torch.tensor(rng.normal(size=K))
    labels = torch.tensor(rng.integers(0, K, n))
    smoothed = F.cross_entropy(logits.expand(n, K), labels, label_smoothing=eps, reduction="sum").item()
    u = conjugate("dirichlet_categorical")
    a = evaluate(u.label_smoothing_alpha, {"eps": eps, "n": n, "K": K})
    logq = F.log_softmax(logits, 0).numpy()
    counts = np.bincount(labels.numpy(), minlength=K)
    neg_log_posterior = -(counts * logq).sum() - (a - 1) * logq.sum()
    assert rel_close(smoothed, (1 - eps) * neg_log_posterior, 1e-12)
