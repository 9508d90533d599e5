"""derive.custom and the text of `derive nll`: your own density through the same pipeline,
its normalisation checked first (symbolically, numerically where SymPy cannot)."""

from __future__ import annotations

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
