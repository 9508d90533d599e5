"""derive.custom and the text of `derive nll`: your own density through the same pipeline,
its normalisation checked first (symbolically, numerically where SymPy cannot)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import derive
from derive.custom import NotNormalised, custom, nll_command
from derive.errors import DeriveError

GAUSSIAN = r"\frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(y-\mu)^2}{2\sigma^2}\right)"


def test_custom_gaussian_from_latex_is_the_catalogue_gaussian():
    d = custom(GAUSSIAN, data="y", params="mu", fixed="sigma")
    ref = derive.derive("gaussian")
    (y,), (mu,), (sigma,) = d.data, d.params, d.fixed
    assert d.loss == (y - mu) ** 2
    assert d.scale == 1 / (2 * sigma**2)
    assert sp.simplify(sp.Add(*d.dropped) - sp.Add(*ref.dropped)) == 0
    assert [s.label for s in d.steps][:2] == ["assumption", "normalisation"]
    assert "symbolic" in d.steps[1].note


def test_custom_takes_a_sympy_expression_and_infers_counts_from_a_factorial():
    y, lam = sp.symbols("y lambda")
    d = custom(lam**y * sp.exp(-lam) / sp.factorial(y), data=[y], params=[lam])
    (yy,), (ll,) = d.data, d.params
    assert d.loss == ll - yy * sp.log(ll)
    assert d.assumption.support == sp.Range(0, sp.oo)


def test_unnormalised_density_is_refused_with_its_mass():
    with pytest.raises(NotNormalised, match=r"^custom: the density is not normalised over Reals: its mass is sqrt\(pi\) \(symbolic\), not 1"):
        custom(r"e^{-(y-\mu)^2}", data="y", params="mu")


def test_normaliser_derived_on_request():
    d = custom(r"e^{-(y-\mu)^2}", data="y", params="mu", derive_normaliser=True)
    (y,), (mu,) = d.data, d.params
    assert d.normaliser == sp.sqrt(sp.pi)
    assert d.loss == (y - mu) ** 2 and d.dropped == (sp.log(sp.sqrt(sp.pi)),)


def test_parameter_domains_decide_normalisation():
    with pytest.raises(NotNormalised, match="numeric"):  # mu real: the mass diverges for mu < 0
        custom(r"\frac{1}{\mu} e^{-y/\mu}", data="y", params="mu", support="positive")
    d = custom(r"\frac{1}{\mu} e^{-y/\mu}", data="y", params="mu", support="positive", domains={"mu": "positive"})
    (y,), (mu,) = d.data, d.params
    assert d.loss == y / mu + sp.log(mu)


def test_numeric_check_where_sympy_cannot_integrate():
    y, mu, kappa = sp.symbols("y mu kappa")
    von_mises = sp.exp(kappa * sp.cos(y - mu)) / (2 * sp.pi * sp.besseli(0, kappa))
    d = custom(von_mises, data="y", params="mu", fixed="kappa", support=sp.Interval(-sp.pi, sp.pi))
    assert "numeric" in d.steps[1].note
    with pytest.raises(NotNormalised, match=r"\(numeric\), not 1"):
        custom(von_mises * 2, data="y", params="mu", fixed="kappa", support=sp.Interval(-sp.pi, sp.pi))


@pytest.mark.parametrize("kwargs, message", [
    (dict(data="y", params="mu"), r"^symbols sigma are neither data, params nor fixed"),
    (dict(data="y", params="mu, nu", fixed="sigma"), r"^params nu do not appear in the density"),
    (dict(data="y, x", params="mu", fixed="sigma"), r"exactly one data symbol"),
    (dict(data="y", params="mu", fixed="sigma", support="circle"), r"^unknown support 'circle'"),
])
def test_bad_custom_requests(kwargs, message):
    with pytest.raises(DeriveError, match=message):
        custom(GAUSSIAN, **kwargs)


def test_nll_command_prints_the_derivation():
    out = nll_command(GAUSSIAN, "y", "mu", "sigma")
    assert "loss:      (-mu + y)**2" in out
    assert "check:     normalised" in out
    assert "\\begin{align*}" in out
    with pytest.raises(NotNormalised):
        nll_command(r"e^{-(y-\mu)^2}", "y", "mu")
    assert "sqrt(pi)" in nll_command(r"e^{-(y-\mu)^2}", "y", "mu", derive_normaliser=True)


def test_a_density_negative_somewhere_is_refused_even_though_it_integrates_to_one():
    from derive.custom import NegativeDensity

    y, mu = sp.symbols("y mu")
    phi = sp.exp(-(y - mu) ** 2 / 2) / sp.sqrt(2 * sp.pi)
    skewed = phi * (1 + (y - mu))  # integral of phi * (y - mu) is 0: the mass is 1
    with pytest.raises(NegativeDensity, match=r"^custom: the density is negative at mu=.*, y=-?[0-9.]+ \(its value there is -"):
        custom(skewed, data="y", params="mu")
    # the same shape kept non-negative is accepted, with how the sign was checked
    d = custom(r"\frac{1}{2} e^{-|y-\mu|}", data="y", params="mu")
    assert "non-negative on the domain (symbolic)" in d.steps[1].note


def test_a_density_with_a_zero_inside_is_accepted():
    d = custom(r"\frac{1}{2} |y - \mu| e^{-|y-\mu|}", data="y", params="mu")  # zero at y = mu
    assert "non-negative" in d.steps[1].note


def test_the_sign_is_checked_where_the_params_put_it_negative():
    from derive.custom import NegativeDensity

    y, c = sp.symbols("y c")
    # mass 1 on [-1, 1] for every c, negative at y = -1 once c > 1/2
    with pytest.raises(NegativeDensity, match="negative at"):
        custom(sp.Rational(1, 2) + c * y, data="y", params="c", support=sp.Interval(-1, 1))
    d = custom(sp.Rational(1, 2) + c * y, data="y", params="c", support=sp.Interval(-1, 1),
               domains={"c": sp.Interval.open(0, sp.Rational(1, 2))})
    assert "non-negative" in d.steps[1].note


def test_a_zero_inflated_density_with_an_indicator_in_latex_gives_the_catalogues_nll():
    d = custom(r"\omega \mathbb{1}[y = 0] + (1 - \omega)\frac{\lambda^{y} e^{-\lambda}}{y!}", data="y",
               params="omega, lambda", domains={"omega": "unit", "lambda": "positive"})
    assert "normalised" in d.steps[1].note and "non-negative" in d.steps[1].note
    ref = derive.derive("zero_inflated_poisson")
    for y, omega, lam in [(0, 0.3, 2.0), (0, 0.8, 0.4), (3, 0.3, 2.0), (7, 0.1, 5.5)]:
        at = {"y": y, "omega": omega, "lambda": lam}
        ours = d.nll.xreplace({s: at[s.name] for s in d.nll.free_symbols})
        theirs = ref.nll.xreplace({s: at[s.name] for s in ref.nll.free_symbols})
        assert abs(float(ours) - float(theirs)) < 1e-12 * max(1.0, abs(float(theirs)))


MIXTURE = (r"w \frac{1}{\sqrt{2\pi}} e^{-\frac{(y-\mu_1)^2}{2}} "
           r"+ (1-w)\frac{1}{\sqrt{2\pi}} e^{-\frac{(y-\mu_2)^2}{2}}")
EXPONENTIAL_CASES = r"\begin{cases} \lambda e^{-\lambda y} & y \ge 0 \\ 0 & y < 0 \end{cases}"


def _symbols(d):
    return {s.name: s for s in d.data + d.params + d.fixed}


def test_a_mixture_in_latex_loses_its_common_constant_as_a_textbook_does():
    d = custom(MIXTURE, data="y", params="mu_1, mu_2", fixed="w", domains={"w": "unit"})
    s = _symbols(d)
    y, mu1, mu2, w = s["y"], s["mu_1"], s["mu_2"], s["w"]
    assert d.loss == -sp.log(w * sp.exp(-(y - mu1) ** 2 / 2) + (1 - w) * sp.exp(-(y - mu2) ** 2 / 2))
    assert d.scale == 1
    assert d.dropped == (sp.log(2) / 2, sp.log(sp.pi) / 2)  # (1/2) log(2 pi), recorded
    hand = r"-\log\left(w e^{-(y-\mu_1)^2/2} + (1-w) e^{-(y-\mu_2)^2/2}\right)"
    assert derive.equivalent(d.loss, hand, mode="exact").holds is True
    expand = next(step for step in d.steps if step.label == "expand")
    assert "common to the terms of a sum taken out of its log" in expand.note


def test_the_mixtures_nll_is_torchs_mixture_same_family():
    torch = pytest.importorskip("torch")
    from torch.distributions import Categorical, MixtureSameFamily, Normal

    d = custom(MIXTURE, data="y", params="mu_1, mu_2", fixed="w", domains={"w": "unit"})
    s = _symbols(d)
    nll = sp.lambdify([s["y"], s["mu_1"], s["mu_2"], s["w"]], d.nll, "math")
    rng = np.random.default_rng(7)
    for _ in range(20):
        y, mu1, mu2 = rng.normal(0, 2, size=3)
        w = rng.uniform(0.05, 0.95)
        mixture = MixtureSameFamily(Categorical(probs=torch.tensor([w, 1 - w], dtype=torch.float64)),
                                    Normal(torch.tensor([mu1, mu2], dtype=torch.float64), torch.ones(2, dtype=torch.float64)))
        theirs = -float(mixture.log_prob(torch.tensor(y, dtype=torch.float64)))
        assert abs(nll(y, mu1, mu2, w) - theirs) < 1e-12 * max(1.0, abs(theirs))


def test_an_exponential_written_with_cases_takes_its_support_from_them():
    from scipy import stats

    d = custom(EXPONENTIAL_CASES, data="y", params="lambda", domains={"lambda": "positive"})
    s = _symbols(d)
    y, lam = s["y"], s["lambda"]
    assert d.assumption.support == sp.Interval(0, sp.oo)
    assert "the support $y \\in \\left[0, \\infty\\right)$ is where the cases are non-zero" in d.steps[1].note
    assert d.loss == lam * y - sp.log(lam) and d.nll == d.loss and d.dropped == ()
    assert derive.equivalent(d.loss, r"\lambda y - \log \lambda", mode="exact").holds is True
    mu = sp.Symbol("mu", positive=True)  # the catalogue's exponential is written in its mean, lambda = 1/mu
    ref = derive.derive("exponential")
    ours = d.nll.xreplace({lam: 1 / mu, y: ref.data[0]})
    assert sp.expand(sp.expand_log(ours - ref.nll.xreplace({ref.params[0]: mu}), force=True)) == 0
    nll = sp.lambdify([y, lam], d.nll, "math")
    rng = np.random.default_rng(3)
    for yv, lv in zip(rng.exponential(2.0, 20), rng.uniform(0.1, 4.0, 20)):
        assert abs(nll(yv, lv) + stats.expon.logpdf(yv, scale=1 / lv)) < 1e-12 * max(1.0, abs(nll(yv, lv)))


def test_the_support_given_meets_the_cases_support():
    d = custom(EXPONENTIAL_CASES, data="y", params="lambda", domains={"lambda": "positive"}, support="positive")
    assert d.assumption.support == sp.Interval.open(0, sp.oo)
    assert "non-zero within the support given" in d.steps[1].note
    with pytest.raises(DeriveError, match=r"cases are non-zero only on Interval\(0, oo\), outside the support given"):
        custom(EXPONENTIAL_CASES, data="y", params="lambda", domains={"lambda": "positive"},
               support=sp.Interval(-2, -1))


def test_a_cases_density_negative_somewhere_is_refused():
    from derive.custom import NegativeDensity

    # mass 1 (E[lambda y] = 1 under the exponential), negative for y < 1/(2 lambda)
    with pytest.raises(NegativeDensity, match=r"^custom: the density is negative at lambda=.*, y="):
        custom(r"\begin{cases} \lambda e^{-\lambda y}(2\lambda y - 1) & y \ge 0 \\ 0 & y < 0 \end{cases}",
               data="y", params="lambda", domains={"lambda": "positive"})


def test_a_laplace_written_with_two_cases_becomes_the_absolute_error():
    from scipy import stats

    d = custom(r"\begin{cases} \frac{1}{2b} e^{-(\mu - y)/b} & y < \mu \\ \frac{1}{2b} e^{-(y-\mu)/b} & y \ge \mu \end{cases}",
               data="y", params="mu", fixed="b")
    s = _symbols(d)
    y, mu, b = s["y"], s["mu"], s["b"]
    assert d.loss == sp.Abs(y - mu) and d.scale == 1 / b
    assert set(d.dropped) == {sp.log(2), sp.log(b)}
    assert d.assumption.support == sp.Reals
    nll = sp.lambdify([y, mu, b], d.nll, "math")
    rng = np.random.default_rng(5)
    for yv, mv, bv in zip(rng.normal(0, 3, 20), rng.normal(0, 1, 20), rng.uniform(0.2, 3.0, 20)):
        assert abs(nll(yv, mv, bv) + stats.laplace.logpdf(yv, loc=mv, scale=bv)) < 1e-12 * max(1.0, abs(nll(yv, mv, bv)))


def test_cases_non_zero_on_two_pieces_stay_cases_and_are_right_on_each():
    d = custom(r"\begin{cases} \frac{\lambda}{2} e^{-\lambda (y - 1)} & y > 1 \\ \frac{\lambda}{2} e^{\lambda (y + 1)} & y < -1 "
               r"\\ 0 & \text{otherwise} \end{cases}", data="y", params="lambda", domains={"lambda": "positive"})
    assert "not one interval: they stay cases" in d.steps[1].note
    assert d.nll.has(sp.Piecewise)
    s = _symbols(d)
    y, lam = s["y"], s["lambda"]
    for yv, lv in [(1.5, 0.7), (4.0, 2.0), (-1.25, 0.7), (-6.0, 1.5)]:
        exact = sp.log(2) - sp.log(lv) + lv * (abs(yv) - 1)  # -log of lambda/2 e^(-lambda(|y| - 1))
        assert abs(float(d.nll.xreplace({y: yv, lam: lv})) - float(exact)) < 1e-12
    assert d.nll.xreplace({y: 0, lam: 1}) == sp.oo  # off the support: -log 0
