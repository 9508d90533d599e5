"""Likelihoods built from pieces (zero-inflated and hurdle counts, right-censored survival
times, a Gaussian mixture (its weights given or a softmax of logits), Tobit, interval-censored and truncated Gaussians): each density
proved normalised piece by piece, the indicator forms proved equal to the textbook
definitions, every reference proved symbolically (not by probing)."""

from __future__ import annotations

import pytest
import sympy as sp

import derive
from derive.checks import check_derivation
from derive.normalisation import total_mass
from derive.symbolic.domains import resolve_piecewise
from derive.symbolic.rules import substitute_mean

PIECES = ["zero_inflated_poisson", "hurdle_poisson", "zero_inflated_negative_binomial", "hurdle_negative_binomial",
          "censored_exponential", "censored_weibull", "gaussian_mixture", "gaussian_mixture_logits", "tobit", "interval_censored_gaussian",
          "truncated_gaussian"]
COUNTS = PIECES[:4]


def test_every_piece_is_a_catalogue_entry():
    assert set(PIECES) <= set(derive.names())


def _sym(d, name):
    (s,) = [s for s in d.assumption.symbols if getattr(s, "name", str(s)) == name]
    return s


@pytest.mark.parametrize("name", PIECES)
def test_every_reference_is_a_symbolic_proof(name):
    checks = check_derivation(derive.derive(name))
    assert checks
    for c in checks:
        assert c.ok and not c.verdict.numerical, (c.reference.label, c.verdict)


@pytest.mark.parametrize("name", COUNTS)
def test_counts_sum_to_one_atom_at_zero_plus_the_positive_counts(name):
    d = derive.derive(name)
    (y,) = d.data
    m = sp.Symbol("m", integer=True, nonnegative=True)
    at_zero = d.assumption.density.subs(y, 0)
    positive = d.assumption.density.xreplace({y: m + 1})  # 1[m + 1 = 0] = 0
    assert not positive.has(sp.Piecewise)
    rest = sp.summation(sp.simplify(positive), (m, 0, sp.oo))
    rest = resolve_piecewise(rest, d.assumption.domains)  # the series' convergence condition, decided on the domain
    assert sp.simplify(at_zero + rest) == 1


@pytest.mark.parametrize("name, kind", [(n, "inflated" if n.startswith("zero") else "hurdle") for n in COUNTS])
def test_indicator_form_is_the_textbook_definition(name, kind):
    """zero-inflated: omega 1[y = 0] + (1 - omega) f(y); hurdle: omega at 0, (1 - omega) f(y)/(1 - f(0)) above."""
    d = derive.derive(name)
    (y,), omega = d.data, _sym(d, "omega")
    base = "poisson" if "poisson" in name else "negative_binomial"
    f = derive.derive(base).assumption
    (fy,), (fp,) = f.data, f.params
    param = _sym(d, "lambda") if base == "poisson" else _sym(d, "mu")
    subs = {fy: y, fp: param}
    if base == "negative_binomial":
        subs[f.fixed[0]] = _sym(d, "alpha")
    count = f.density.xreplace(subs)
    m = sp.Symbol("m", integer=True, nonnegative=True)
    ours = d.assumption.density
    if kind == "inflated":
        assert sp.simplify(ours.subs(y, 0) - (omega + (1 - omega) * count.subs(y, 0))) == 0
        assert sp.simplify(ours.xreplace({y: m + 1}) - (1 - omega) * count.xreplace({y: m + 1})) == 0
    else:
        assert sp.simplify(ours.subs(y, 0) - omega) == 0
        assert sp.simplify(ours.xreplace({y: m + 1})
                           - (1 - omega) * count.xreplace({y: m + 1}) / (1 - count.subs(y, 0))) == 0


@pytest.mark.parametrize("name", ["censored_exponential", "censored_weibull"])
def test_survival_is_the_tail_integral_of_the_density_it_is_censored_from(name):
    d = derive.derive(name)
    t, delta = d.data
    p = d.assumption.density
    f, survival = p.subs(delta, 1), p.subs(delta, 0)
    u = sp.Symbol("u", positive=True)
    assert sp.simplify(sp.integrate(f.subs(t, u), (u, 0, sp.oo))) == 1  # the event density is normalised
    assert sp.simplify(sp.integrate(f.subs(t, u), (u, t, sp.oo)) - survival) == 0  # S(t) = int_t^oo f
    assert sp.simplify(sp.diff(survival, t) + f) == 0  # and -S' = f
    # the hazard form: -log p = -delta log h + H, h = f/S, H = -log S
    hazard, cumulative = sp.simplify(f / survival), -sp.log(survival)
    assert sp.simplify(sp.expand_log(d.nll - (-delta * sp.log(hazard) + cumulative), force=True)) == 0


@pytest.mark.parametrize("K", [1, 2, 3])
def test_mixture_mass_is_the_sum_of_the_weights(K):
    d = derive.derive("gaussian_mixture")
    w = _sym(d, "w")
    mass = total_mass(d.assumption, {"K": K})
    assert sp.simplify(mass - sum(w[k] for k in range(1, K + 1))) == 0


def test_mixture_nll_is_a_log_sum_exp():
    d = derive.derive("gaussian_mixture")
    (y,), (w, mu, sigma) = d.data, d.params
    k = sp.Symbol("k", integer=True, positive=True)
    K = sp.Symbol("K", integer=True, positive=True)
    lse = sp.log(sp.Sum(sp.exp(sp.log(w[k]) - sp.log(sigma[k]) - (y - mu[k]) ** 2 / (2 * sigma[k] ** 2)), (k, 1, K)))
    assert sp.simplify(d.nll - (-lse + sp.log(2 * sp.pi) / 2)) == 0


@pytest.mark.parametrize("K", [1, 2, 3])
def test_mixture_with_logits_has_mass_one_since_the_softmax_sums_to_one(K):
    d = derive.derive("gaussian_mixture_logits")
    mean, softmax = d.link
    size = d.assumption.vector_index[2]
    mass = substitute_mean(total_mass(d.assumption, {"K": K}), mean, softmax.xreplace({size: K})).doit()
    assert sp.simplify(mass) == 1


def test_mixture_with_logits_is_the_mixture_at_the_softmax_weights():
    """The logits entry's NLL is the weights entry's NLL with w_k = e^(a_k) / sum_j e^(a_j), at K = 3."""
    logits, weights = derive.derive("gaussian_mixture_logits"), derive.derive("gaussian_mixture")
    mean, softmax = logits.link
    size = logits.assumption.vector_index[2]
    at_softmax = substitute_mean(weights.nll, mean, softmax).xreplace({size: 3}).doit()
    assert sp.simplify(sp.expand_log(logits.nll.xreplace({size: 3}).doit() - at_softmax, force=True)) == 0


def test_tobit_atom_at_zero_plus_the_positive_part_is_one():
    d = derive.derive("tobit")
    (y,) = d.data
    density = d.assumption.density
    atom = density.subs(y, 0)
    u = sp.Symbol("u", positive=True)
    continuous = sp.integrate(density.xreplace({y: u}), (u, 0, sp.oo))  # 1[u = 0] = 0 for u > 0
    assert sp.simplify((atom + continuous).rewrite(sp.erf)) == 1  # erfc(x) = 1 - erf(x)


def test_interval_probabilities_of_a_partition_sum_to_one():
    d = derive.derive("interval_censored_gaussian")
    lo, hi = d.data
    c1, c2 = sp.symbols("c1 c2", real=True)
    cuts = [-sp.oo, c1, c2, sp.oo]
    total = sum(d.assumption.density.xreplace({lo: a, hi: b}) for a, b in zip(cuts, cuts[1:]))
    assert sp.simplify(total) == 1
