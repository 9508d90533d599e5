"""The pipeline on the classic three assumptions: exact results, proved identities."""

from __future__ import annotations

import pytest
import sympy as sp

import derive
from derive import symbols as dsym
from derive.normalisation import total_mass
from derive.symbolic.domains import expand_logs, factor_out_of_logs, is_positive_on
from derive.errors import DomainError, UnknownAssumption

CLASSIC = ["gaussian", "bernoulli", "categorical"]


def test_names_lists_the_classic_three_in_order():
    assert derive.names()[:3] == CLASSIC


@pytest.mark.parametrize("name", derive.names())
def test_nll_is_scale_times_loss_plus_dropped_exactly(name):
    d = derive.derive(name)
    assert sp.simplify(d.nll - (d.scale * d.loss + sp.Add(*d.dropped))) == 0
    assert is_positive_on(d.scale, d.assumption.domains)


@pytest.mark.parametrize("name", derive.names())
def test_dropped_terms_are_free_of_params(name):
    d = derive.derive(name)
    for term in d.dropped:
        assert not any(term.has(p) for p in d.params), term
    assert not any(d.scale.has(p) for p in d.params)


def test_gaussian_gives_squared_error_with_scale_one_over_two_sigma_squared():
    d = derive.derive("gaussian")
    y, yhat, sigma = dsym.y, dsym.yhat, dsym.sigma
    assert d.loss == (y - yhat) ** 2
    assert d.scale == 1 / (2 * sigma**2)
    assert sp.simplify(sp.Add(*d.dropped) - sp.log(2 * sp.pi * sigma**2) / 2) == 0
    y_i, yhat_i = dsym.indexed_base("y")[dsym.i], dsym.indexed_base("yhat")[dsym.i]
    assert d.dataset_loss == sp.Sum((y_i - yhat_i) ** 2, (dsym.i, 1, dsym.n)) / dsym.n
    assert (d.data, d.params, d.fixed) == ((y,), (yhat,), (sigma,))


def test_bernoulli_gives_binary_cross_entropy():
    d = derive.derive("bernoulli")
    (y,), (yhat,) = d.data, d.params
    assert d.loss == -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat))
    assert d.scale == 1 and d.dropped == ()


def test_categorical_gives_cross_entropy_with_symbolic_K():
    d = derive.derive("categorical")
    (y,), (yhat,) = d.data, d.params
    k, K = dsym.k, dsym.K
    assert d.loss == -sp.Sum(y[k] * sp.log(yhat[k]), (k, 1, K))
    assert d.hard_label == -sp.log(yhat[dsym.index("c")])


@pytest.mark.parametrize("K", [2, 3, 5])
def test_categorical_hard_label_equals_the_onehot_sum_at_each_class(K):
    d = derive.derive("categorical")
    (y,), (yhat,) = d.data, d.params
    for c in range(1, K + 1):
        onehot = {y[j]: int(j == c) for j in range(1, K + 1)}
        at_c = d.loss.subs(dsym.K, K).doit().xreplace(onehot)
        assert at_c == d.hard_label.subs(dsym.index("c"), c)


def test_densities_are_normalised():
    assert total_mass(derive.derive("gaussian").assumption) == 1
    assert total_mass(derive.derive("bernoulli").assumption) == 1
    a = derive.derive("categorical").assumption
    (yhat,) = a.params
    mass = total_mass(a)
    c = dsym.index("c")
    assert mass == sp.Sum(yhat[c], (c, 1, dsym.K))  # = 1 exactly when the yhat_k sum to 1
    for K in (2, 3, 4):  # with yhat_K = 1 - (the others), the mass is exactly 1
        mass_K = mass.subs(dsym.K, K).doit()
        assert sp.expand(mass_K.subs(yhat[K], 1 - sum(yhat[j] for j in range(1, K)))) == 1


def test_expand_logs_splits_only_where_the_domain_allows():
    x = dsym.symbol("x")  # real: log(x**2) must not become 2*log(x)
    assert expand_logs(sp.log(x**2), {}) == sp.log(x**2)
    p = dsym.symbol("p", dsym.UNIT)
    assert expand_logs(sp.log(p * (1 - p)), {p: dsym.UNIT}) == sp.log(p) + sp.log(1 - p)
    q = dsym.symbol("q", dsym.REALS)  # not known to lie in (0, 1): 1 - q may be negative
    assert expand_logs(sp.log(2 * (1 - q)), {q: dsym.REALS}) == sp.log(2 * (1 - q))


def _agree(a: sp.Expr, b: sp.Expr, points) -> bool:
    """a == b at each point (complex logs: a negative sum's log too), to 1e-12."""
    return all(abs(complex(sp.N(a.xreplace(at), 30)) - complex(sp.N(b.xreplace(at), 30))) < 1e-12 for at in points)


def test_a_positive_factor_common_to_a_sum_leaves_its_log():
    x, a = dsym.symbol("x"), dsym.symbol("a")  # real: x + 1 and a may be negative
    sigma = dsym.symbol("sigma", dsym.POSITIVE)
    e = sp.log(x * sp.exp(-x) / (sp.sqrt(2 * sp.pi) * sigma) + sp.exp(-x) / (sp.sqrt(2 * sp.pi) * sigma))
    out = factor_out_of_logs(e, {})
    assert out == -x - sp.log(sigma) - sp.log(2) / 2 - sp.log(sp.pi) / 2 + sp.log(x + 1)
    assert _agree(e, out, [{x: v, sigma: s} for v, s in [(0.3, 1.5), (-2.5, 0.4), (4.0, 2.0)]])
    assert factor_out_of_logs(sp.log(a * x + a), {}) == sp.log(a * x + a)  # a's sign unknown: it stays
    tail = sp.log(sp.Rational(1, 2) - sp.erf(x) / 2)  # Phi's 1/2 stays with it: log Phi is read whole
    assert factor_out_of_logs(tail, {}) == tail
    k, K = dsym.index("k"), dsym.size("K")
    w = dsym.indexed_base("w", dsym.UNIT)
    mixture = sp.log(sp.Sum(w[k] * sp.exp(-(x - k) ** 2 / 2) / sp.sqrt(2 * sp.pi), (k, 1, K)))
    assert factor_out_of_logs(mixture, {w: dsym.UNIT}) == (
        sp.log(sp.Sum(w[k] * sp.exp(-(x - k) ** 2 / 2), (k, 1, K))) - sp.log(2) / 2 - sp.log(sp.pi) / 2)


def test_the_catalogue_mixture_is_written_as_a_textbook_does_and_the_pipeline_takes_its_constant_out():
    d = derive.derive("gaussian_mixture")
    assert isinstance(d.assumption.density, sp.Sum)  # 1/sqrt(2 pi) inside each component, as written
    assert d.dropped == (sp.log(2) / 2, sp.log(sp.pi) / 2)
    assert not d.loss.has(sp.pi)


def test_steps_are_recorded_in_pipeline_order():
    labels = [s.label for s in derive.derive("gaussian").steps]
    assert labels == ["assumption", "likelihood", "neg_log", "expand", "split", "loss",
                      "dataset", "cross_entropy", "dataset_loss"]


def test_to_latex_is_an_align_block_with_the_dropped_constants_under_a_brace():
    tex = derive.derive("gaussian").to_latex()
    assert tex.startswith("\\begin{align*}") and tex.endswith("\\end{align*}")
    assert "\\underbrace{" in tex and "_{\\text{const.\\ in }\\hat{y}}" in tex  # as in the documents
    assert "y - \\hat{y}" in tex and "- \\hat{y} + y" not in tex  # textbook order, not -yhat + y
    assert derive.derive("gaussian")._repr_latex_() == tex


def test_specialising_a_fixed_symbol():
    d = derive.derive("gaussian", sigma=1)
    assert d.fixed == () and d.scale == sp.Rational(1, 2) and d.loss == (dsym.y - dsym.yhat) ** 2


@pytest.mark.parametrize("bad, message", [
    ({"sigma": -1}, r"^gaussian: sigma=-1 is outside its domain"),
    ({"sigma": 0}, r"^gaussian: sigma=0 is outside its domain"),
    ({"tau": 1}, r"^gaussian: 'tau' is not a fixed symbol \(fixed: sigma\)"),
])
def test_specialising_refuses_bad_values(bad, message):
    with pytest.raises(DomainError, match=message):
        derive.derive("gaussian", **bad)


def test_unknown_assumption_names_the_known_ones():
    with pytest.raises(UnknownAssumption, match=r"^unknown assumption 'gausian'; known: gaussian, bernoulli"):
        derive.derive("gausian")
