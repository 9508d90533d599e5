"""Priors are regularisers: each model's loss derived with its regularisation weight, proved
equal to hand-written references; conjugate updates derived, MAP and posterior mean proved
minimisers.  Expected values are written here by hand from the textbooks, never taken from
the code under test."""

from __future__ import annotations

import pytest
import sympy as sp

import derive
from derive.errors import DeriveError, UnknownAssumption, Unsupported
from derive.models import MODELS, check, conjugate, model
from derive.symbolic.domains import split_sums

i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
n, d = sp.Symbol("n", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)
sigma, tau, b = (sp.Symbol(s, positive=True) for s in ("sigma", "tau", "b"))
w, x, y = sp.IndexedBase("w", real=True), sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)


def _by_name(expr, **values):
    """Substitute symbols by name (the code's symbols carry their own assumptions)."""
    return expr.xreplace({s: values[s.name] for s in expr.free_symbols if s.name in values})


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_reference_is_proved_symbolically(name):
    results = check(name)
    assert results, f"{name} has no reference"
    for tex, target, verdict in results:
        assert verdict.holds is True and not verdict.numerical, (name, target, tex, verdict)


@pytest.mark.parametrize("name, target, wrong", [
    ("ridge", "weight:normal", r"\frac{\tau^2}{\sigma^2}"),
    ("ridge", "weight_decay", r"\frac{\sigma^2}{n\tau^2}"),  # the factor 2 of the gradient of w^2
    ("lasso", "weight:laplace", r"\frac{\sigma^2}{b}"),  # the factor 2 from 1/(2 sigma^2)
    ("logistic_l2", "weight:normal", r"\frac{1}{\tau^2}"),
])
def test_a_wrong_weight_is_refuted(name, target, wrong):
    from derive.equivalence import equivalent
    from derive.models import derived_value

    assert equivalent(derived_value(model(name), target), wrong).holds is False


@pytest.mark.parametrize("name, family, weight", [
    ("ridge", "normal", sigma**2 / tau**2),
    ("lasso", "laplace", 2 * sigma**2 / b),
    ("elastic_net", "normal", sigma**2 / tau**2),
    ("elastic_net", "laplace", 2 * sigma**2 / b),
    ("logistic_l2", "normal", 1 / (2 * tau**2)),
])
def test_regularisation_weights_are_derived(name, family, weight):
    got = model(name).weights[family]
    assert sp.simplify(_by_name(got, sigma=sigma, tau=tau, b=b) - weight) == 0


def test_ridge_loss_is_the_textbook_form_exactly():
    m = model("ridge")
    fit = sp.Sum((y[i] - sp.Sum(w[j] * x[i, j], (j, 1, d))) ** 2, (i, 1, n))
    expected = fit + sigma**2 / tau**2 * sp.Sum(w[j] ** 2, (j, 1, d))
    got = m.loss.xreplace({s: {"sigma": sigma, "tau": tau}.get(s.name, s) for s in m.loss.free_symbols})
    assert str(got) == str(expected)  # the same tree, printed


@pytest.mark.parametrize("name", sorted(MODELS))
def test_negative_log_posterior_is_scale_times_loss_plus_dropped(name):
    m = model(name)
    difference = split_sums(m.neg_log_posterior - (m.scale * m.loss + sp.Add(*m.dropped)))
    assert sp.simplify(sp.expand(difference)) == 0
    for term in m.dropped + (m.scale,):
        assert not term.has(w)


def test_weight_decay_is_pytorchs_convention():
    # SGD(weight_decay=wd) on the mean loss: grad = (1/n) sum grad loss_i + wd w = grad(J)/n, J = sum loss + lam |w|^2
    assert sp.simplify(_by_name(model("ridge").weight_decay, sigma=sigma, tau=tau, n=n) - 2 * sigma**2 / (n * tau**2)) == 0
    assert sp.simplify(_by_name(model("logistic_l2").weight_decay, tau=tau, n=n) - 1 / (n * tau**2)) == 0
    assert model("lasso").weight_decay is None  # an L1 penalty is no weight decay


def test_model_from_a_likelihood_and_a_prior():
    m = derive.model(likelihood="poisson_log", prior={"w": "normal"})
    assert sp.simplify(_by_name(m.weights["normal"], tau=tau) - 1 / (2 * tau**2)) == 0
    en = derive.model(likelihood="gaussian", prior={"w": ["normal", "laplace"]})
    assert en.loss == model("elastic_net").loss
    assert any(t.has(sp.Function("Z")) or "Z" in str(t) for t in en.dropped)  # the product's normaliser is dropped


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(likelihood="gaussian", prior={"w": "cauchy"}), DeriveError, "unsupported prior"),
    (dict(likelihood="gaussian", prior={"v": "normal"}), DeriveError, "on the weights"),
    (dict(likelihood="gaussian", prior={"w": ["normal", "normal"]}), DeriveError, "twice"),
    (dict(likelihood="categorical", prior={"w": "normal"}), Unsupported, "one scalar param"),
    (dict(likelihood="gaussian_variance", prior={"w": "normal"}), Unsupported, "one scalar param"),
    (dict(likelihood="no_such_entry", prior={"w": "normal"}), UnknownAssumption, "no_such_entry"),
    (dict(likelihood="poisson", prior={"w": "normal"}), Unsupported, "use an entry with a link"),
    (dict(likelihood="bernoulli", prior={"w": "normal"}), Unsupported, "use an entry with a link"),
    (dict(likelihood="gaussian"), DeriveError, "likelihood= and prior="),
])
def test_bad_model_requests_are_our_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        derive.model(**kwargs)


def test_unknown_model_name_lists_the_known():
    with pytest.raises(UnknownAssumption, match="ridge"):
        derive.model("bridge")


# --------------------------------------------------------------------------- conjugate updates

alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
k, s_ = sp.Symbol("k", integer=True, nonnegative=True), sp.Symbol("s", integer=True, nonnegative=True)
mu0, tau0, ybar = sp.Symbol("mu_0", real=True), sp.Symbol("tau_0", positive=True), sp.Symbol("ybar", real=True)
V = dict(alpha=alpha, beta=beta, k=k, s=s_, n=n, mu_0=mu0, tau_0=tau0, ybar=ybar, sigma=sigma)

TEXTBOOK = {
    "beta_bernoulli": ({"alpha": k + alpha, "beta": n - k + beta},
                       (k + alpha) / (n + alpha + beta), (k + alpha - 1) / (n + alpha + beta - 2)),
    "gamma_poisson": ({"alpha": alpha + s_, "beta": beta + n}, (alpha + s_) / (beta + n), (alpha + s_ - 1) / (beta + n)),
    "normal_normal": ({"mu": (mu0 / tau0**2 + n * ybar / sigma**2) / (1 / tau0**2 + n / sigma**2),
                       "sigma": 1 / sp.sqrt(1 / tau0**2 + n / sigma**2)},
                      (mu0 / tau0**2 + n * ybar / sigma**2) / (1 / tau0**2 + n / sigma**2),
                      (mu0 / tau0**2 + n * ybar / sigma**2) / (1 / tau0**2 + n / sigma**2)),
}


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_conjugate_update_is_the_textbook_one(name):
    c = conjugate(name)
    params, mean, mode = TEXTBOOK[name]
    assert set(c.posterior) == set(params)
    for p, value in params.items():
        assert sp.simplify(_by_name(c.posterior[p], **V) - value) == 0, (p, c.posterior[p])
    assert sp.simplify(_by_name(c.mean, **V) - mean) == 0
    assert sp.simplify(_by_name(c.map, **V) - mode) == 0


@pytest.mark.parametrize("name", sorted(TEXTBOOK) + ["dirichlet_categorical"])
def test_map_and_posterior_mean_are_proved_minimisers(name):
    checks = conjugate(name).checks
    assert checks and all(v is True for v in checks.values()), checks


def test_map_minimiser_proof_is_checked_not_assumed():
    # at a point that is not the mode the derivative of the negative log-posterior does not vanish
    c = conjugate("beta_bernoulli")
    assert sp.simplify(sp.diff(c.neg_log_posterior, c.theta).subs(c.theta, c.mean)) != 0


kk, jj = sp.Symbol("k", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
eps = sp.Symbol("eps", positive=True)
cnt, al = sp.IndexedBase("c"), sp.IndexedBase("alpha")


def _norm(expr):
    return sp.sympify(str(expr), locals={"c": cnt, "alpha": al, "K": K, "n": n, "eps": eps, "k": kk, "j": jj, "Sum": sp.Sum})


def test_dirichlet_categorical_additive_and_laplace_smoothing():
    u = conjugate("dirichlet_categorical")
    assert sp.simplify(_norm(u.posterior_alpha) - (cnt[kk] + al[kk])) == 0
    assert sp.simplify(_norm(u.mean) - (cnt[kk] + al[kk]) / (n + sp.Sum(al[jj], (jj, 1, K)))) == 0
    assert sp.simplify(_norm(u.laplace) - (cnt[kk] + 1) / (n + K)) == 0
    assert sp.simplify(_norm(u.map) - (cnt[kk] + al[kk] - 1) / (n + sp.Sum(al[jj], (jj, 1, K)) - K)) == 0


def test_label_smoothing_is_a_symmetric_dirichlet_prior_weight():
    u = conjugate("dirichlet_categorical")
    assert sp.simplify(_norm(u.label_smoothing_alpha) - (1 + n * eps / (K * (1 - eps)))) == 0
    assert sp.simplify(_norm(u.per_example_alpha) - (1 + eps / (K * (1 - eps)))) == 0


def test_unknown_conjugate_pair():
    with pytest.raises(UnknownAssumption, match="beta_bernoulli"):
        conjugate("beta_binomial_typo")


def test_the_documents_part_names_every_model_and_every_check_proved():
    from derive.publish.models_part import models_article, models_catalog, models_frames, models_markdown

    md = models_markdown()
    for entry in MODELS.values():
        assert f"## {entry.title}" in md
    assert "(proved)" in md and "NOT proved" not in md
    assert md == models_markdown()  # deterministic
    assert r"\section{Regularisers are priors}" in models_article()
    assert len(models_frames()) == len(MODELS) + 1
    records = models_catalog()
    assert [r["name"] for r in records] == list(MODELS)
    assert all(c["holds"] is True and not c["numerical"] for r in records for c in r["checks"])
