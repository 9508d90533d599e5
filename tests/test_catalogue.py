"""The catalogue (issue 3): every entry derived by the pipeline, equal to the table's
reference loss, its density proved normalised, its identities proved; the engine rules
that make it so (links, groups, kernels, quasi-likelihood, label smoothing, deviance).

Registry-driven: a new entry without an expected loss or a normalisation case fails
``test_every_entry_has_an_expected_loss`` / ``test_every_entry_has_a_normalisation_case``.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import pytest
import sympy as sp

import derive
from derive import symbols as S
from derive.normalisation import total_mass
from derive.stages import onehot_constraint, quasi_log_likelihood
from derive.symbolic.domains import resolve_piecewise, split_sums
from derive.symbolic.rules import distribute
from derive.errors import DomainError, Unsupported
from derive.distributions.multivariate_normal import QuadraticForm
from derive.peers import symbols_of, table

pi, log, exp, Abs = sp.pi, sp.log, sp.exp, sp.Abs


def _sum(s, body, index="k", upper="K"):
    return sp.Sum(body, (s[index], 1, s[upper]))


# The reference losses, built from each entry's own symbols (by name).  "as derived"
# entries have the form the pipeline produces, checked here and against the oracles.
EXPECTED_LOSS = {
    "gaussian": lambda s: (s["y"] - s["yhat"]) ** 2,
    "bernoulli": lambda s: -(s["y"] * log(s["yhat"]) + (1 - s["y"]) * log(1 - s["yhat"])),
    "categorical": lambda s: -_sum(s, s["y"][s["k"]] * log(s["yhat"][s["k"]])),
    "gaussian_variance": lambda s: sp.Rational(1, 2) * (log(s["var"]) + (s["y"] - s["mu"]) ** 2 / s["var"]),
    "laplace": lambda s: Abs(s["y"] - s["yhat"]),
    "bernoulli_logits": lambda s: log(1 + exp(s["z"])) - s["y"] * s["z"],
    "categorical_logits": lambda s: log(_sum(s, exp(s["z"][s["j"]]), "j"))
    - _sum(s, s["y"][s["k"]] * s["z"][s["k"]]),
    "categorical_smoothed": lambda s: -_sum(s, ((1 - s["eps"]) * s["y"][s["k"]] + s["eps"] / s["K"])
                                            * log(s["yhat"][s["k"]])),
    "poisson": lambda s: s["lambda"] - s["y"] * log(s["lambda"]),
    "poisson_log": lambda s: exp(s["z"]) - s["y"] * s["z"],
    "binomial": lambda s: -(s["y"] * log(s["yhat"]) + (s["N"] - s["y"]) * log(1 - s["yhat"])),
    "geometric": lambda s: -(log(s["p"]) + s["y"] * log(1 - s["p"])),
    "negative_binomial": lambda s: (s["y"] + 1 / s["alpha"]) * log(1 + s["alpha"] * s["mu"])
    - s["y"] * log(s["alpha"] * s["mu"]),
    "exponential": lambda s: s["y"] / s["mu"] + log(s["mu"]),
    "gamma": lambda s: s["y"] / s["mu"] + log(s["mu"]),
    "inverse_gaussian": lambda s: (s["y"] - s["mu"]) ** 2 / (s["mu"] ** 2 * s["y"]),
    "lognormal": lambda s: (log(s["y"]) - s["m"]) ** 2,
    "student_t": lambda s: log(1 + (s["y"] - s["mu"]) ** 2 / (s["nu"] * s["s"] ** 2)),
    "cauchy": lambda s: log(1 + (s["y"] - s["mu"]) ** 2 / s["gamma"] ** 2),
    "asymmetric_laplace": lambda s: sp.Max(s["tau"] * (s["y"] - s["q"]), (s["tau"] - 1) * (s["y"] - s["q"])),
    "von_mises": lambda s: -sp.cos(s["y"] - s["mu"]),
    "hyperbolic_secant": lambda s: log(sp.cosh(s["y"] - s["yhat"])),
    "huber": lambda s: sp.Piecewise(((s["y"] - s["yhat"]) ** 2 / 2, Abs(s["y"] - s["yhat"]) <= s["delta"]),
                                    (s["delta"] * (Abs(s["y"] - s["yhat"]) - s["delta"] / 2), True)),
    "generalized_gaussian": lambda s: Abs(s["y"] - s["mu"]) ** s["beta"],
    "multivariate_gaussian": lambda s: _sum(s, (s["y"][s["j"]] - s["yhat"][s["j"]]) ** 2, "j", "d"),
    "multinomial": lambda s: -_sum(s, s["y"][s["k"]] * log(s["yhat"][s["k"]])),
    "gaussian_covariance": lambda s: QuadraticForm(s["y"] - s["mu"], s["Sigma"].I),
    # as derived: the beta-regression NLL without its param-free terms
    "beta": lambda s: log(sp.gamma(s["mu"] * s["phi"])) + log(sp.gamma((1 - s["mu"]) * s["phi"]))
    - s["mu"] * s["phi"] * log(s["y"]) + s["mu"] * s["phi"] * log(1 - s["y"]),
    "tweedie": lambda s: exp((2 - s["p"]) * s["z"]) / (2 - s["p"]) - s["y"] * exp((1 - s["p"]) * s["z"]) / (1 - s["p"]),
    # as derived: the BCE kernel plus the log of the normaliser derived by the engine
    "continuous_bernoulli": lambda s: -(s["y"] * log(s["yhat"]) + (1 - s["y"]) * log(1 - s["yhat"]))
    + log((2 * s["yhat"] - 1) / (log(s["yhat"]) - log(1 - s["yhat"]))),
    # likelihoods built from pieces (the indicator 1[y = 0] is _zero(s))
    # y 1[y = 0] = 0: the y log(lambda) of the count model stands outside the indicator
    "zero_inflated_poisson": lambda s: -_zero(s) * log(s["omega"] + (1 - s["omega"]) * exp(-s["lambda"]))
    - (1 - _zero(s)) * (log(1 - s["omega"]) - s["lambda"]) - s["y"] * log(s["lambda"]),
    "hurdle_poisson": lambda s: -_zero(s) * log(s["omega"]) - (1 - _zero(s)) * (
        log(1 - s["omega"]) - s["lambda"] - log(1 - exp(-s["lambda"]))) - s["y"] * log(s["lambda"]),
    "censored_exponential": lambda s: s["lambda"] * s["t"] - s["delta"] * log(s["lambda"]),
    "censored_weibull": lambda s: s["delta"] * s["k"] * log(s["lambda"]) + (s["t"] / s["lambda"]) ** s["k"],
    "gaussian_mixture": lambda s: -log(_sum(s, s["w"][s["k"]] / s["sigma"][s["k"]]
                                            * exp(-(s["y"] - s["mu"][s["k"]]) ** 2 / (2 * s["sigma"][s["k"]] ** 2)))),
    "interval_censored_gaussian": lambda s: -log(_phi((s["u"] - s["mu"]) / s["sigma"])
                                                 - _phi((s["l"] - s["mu"]) / s["sigma"])),
    "truncated_gaussian": lambda s: (s["y"] - s["mu"]) ** 2 / (2 * s["sigma"] ** 2)
    + log(1 - _phi((s["a"] - s["mu"]) / s["sigma"])),
}


def _zero(s):
    return sp.Piecewise((1, sp.Eq(s["y"], 0)), (0, True))


def _phi(x):
    return (1 + sp.erf(x / sp.sqrt(2))) / 2

# Equal to the reference, but not as the same tree (SymPy distributes the smoothing weight).
EQUAL_BY_SIMPLIFY = {"categorical_smoothed", "continuous_bernoulli", "zero_inflated_poisson", "hurdle_poisson",
                     "censored_exponential", "censored_weibull", "truncated_gaussian", "interval_censored_gaussian"}


@lru_cache(maxsize=None)
def _symbols(name):
    return symbols_of(derive.derive(name))


def test_every_entry_has_an_expected_loss():
    missing = [n for n in derive.names() if n not in EXPECTED_LOSS]
    assert not missing, f"add {', '.join(missing)} to EXPECTED_LOSS"


@pytest.mark.parametrize("name", sorted(EXPECTED_LOSS))
def test_loss_is_the_reference(name):
    d = derive.derive(name)
    expected = EXPECTED_LOSS[name](_symbols(name))
    if name in EQUAL_BY_SIMPLIFY:
        difference = split_sums(distribute(d.loss - expected))
        assert sp.simplify(difference) == 0
    else:
        assert d.loss == expected, f"{d.loss} != {expected}"


@pytest.mark.parametrize("name", derive.names())
def test_nll_is_scale_times_loss_plus_dropped(name):
    d = derive.derive(name)
    difference = d.nll - (d.scale * d.loss + sp.Add(*d.dropped))
    assert difference == 0 or sp.expand(difference) == 0 or sp.simplify(difference) == 0
    for term in d.dropped + (d.scale,):
        assert not any(term.has(p) for p in d.params)
    assert not any(d.scale.has(x) for x in d.data)


# --------------------------------------------------------------------------- normalisation

# Entries whose mass SymPy proves to be 1 for every value of the params and fixed symbols.
MASS_ONE = [
    "gaussian", "bernoulli", "gaussian_variance", "laplace", "exponential", "gamma", "inverse_gaussian",
    "lognormal", "student_t", "cauchy", "asymmetric_laplace", "hyperbolic_secant", "huber",
    "generalized_gaussian", "beta", "continuous_bernoulli", "bernoulli_logits", "poisson", "poisson_log",
    "geometric", "negative_binomial", "multivariate_gaussian", "truncated_gaussian",
]
ONEHOT = ["categorical", "categorical_logits", "categorical_smoothed"]
AT_SIZES = ["binomial", "multinomial"]  # proved exactly at concrete sizes (binomial theorem)
NUMERIC = ["von_mises"]  # no antiderivative: 2*pi*I_0(kappa) checked by quadrature at 30 digits
NOT_A_DENSITY = ["tweedie"]  # a quasi-likelihood: its defining derivative is proved instead
MATRIX = ["gaussian_covariance"]  # symbolic size: proved at d = 1 (symbolic) and d = 2 (explicit)
# built from pieces: an atom at zero, a censoring indicator, K components, an interval; each
# proved normalised piece by piece in test_pieces.py
PIECES = ["zero_inflated_poisson", "hurdle_poisson", "censored_exponential", "censored_weibull", "gaussian_mixture",
          "interval_censored_gaussian"]


def test_every_entry_has_a_normalisation_case():
    cases = set(MASS_ONE + ONEHOT + AT_SIZES + NUMERIC + NOT_A_DENSITY + MATRIX + PIECES)
    missing = [n for n in derive.names() if n not in cases]
    assert not missing, f"add {', '.join(missing)} to a normalisation list"


@pytest.mark.parametrize("name", MASS_ONE)
def test_density_is_normalised(name):
    a = derive.derive(name).assumption
    assert total_mass(a) == 1


@pytest.mark.parametrize("name", ONEHOT)
def test_onehot_mass_is_the_sum_of_the_class_probabilities(name):
    a = derive.derive(name).assumption
    c = S.index("c")
    (yhat,) = [s for s in a.params if str(s) == "yhat"] or [sp.IndexedBase("yhat")]
    mass = total_mass(a)
    assert mass.dummy_eq(sp.Sum(a.link.mean.base[c] if a.link else a.params[0][c], (c, 1, S.K))) \
        or sp.simplify(mass - sp.Sum((a.link.mean.base if a.link else a.params[0])[c], (c, 1, S.K))) == 0


@pytest.mark.parametrize("N", range(1, 7))
def test_binomial_is_normalised_at_each_N(N):
    a = derive.derive("binomial").assumption
    assert sp.simplify(total_mass(a, {"N": N})) == 1


@pytest.mark.parametrize("K, N", [(2, 1), (2, 4), (3, 2), (3, 3), (4, 2)])
def test_multinomial_is_normalised_at_sizes(K, N):
    a = derive.derive("multinomial").assumption
    (yhat,) = a.params
    mass = total_mass(a, {"K": K, "N": N})
    last = 1 - sum(yhat[j] for j in range(1, K))
    assert sp.expand(mass.xreplace({yhat[K]: last})) == 1


@pytest.mark.parametrize("kappa, mu", [(0.3, 0.0), (1.7, 1.0), (6.0, -2.5)])
def test_von_mises_is_normalised_numerically(kappa, mu):
    d = derive.derive("von_mises")
    (y,), (m,), (k,) = d.data, d.params, d.fixed
    f = sp.lambdify(y, d.density.subs({m: mu, k: kappa}), "mpmath")
    with mpmath.workdps(30):
        assert abs(mpmath.quad(f, [-mpmath.pi, mpmath.pi]) - 1) < mpmath.mpf(10) ** -25


def _covariance_density_at(Sigma_value, mean):
    d = derive.derive("gaussian_covariance")
    (y,), (mu,), (Sigma,) = d.data, d.params, d.fixed
    size = Sigma_value.shape[0]
    ys = sp.symbols(f"y1:{size + 1}", real=True)
    y_col, mu_col = sp.MatrixSymbol("y", size, 1), sp.MatrixSymbol("mu", size, 1)
    density = d.density.xreplace({S.size("d"): size})
    explicit = {y_col: sp.Matrix(ys), mu_col: sp.Matrix(mean), sp.MatrixSymbol("Sigma", size, size): Sigma_value}
    return sp.simplify(density.xreplace(explicit).doit()), ys


def test_gaussian_covariance_is_normalised_at_d_1_symbolic_and_d_2_explicit():
    with pytest.raises(Unsupported, match="symbolic-size matrix"):
        total_mass(derive.derive("gaussian_covariance").assumption)
    s2 = sp.Symbol("s2", positive=True)
    m = sp.Symbol("m", real=True)
    density, (y1,) = _covariance_density_at(sp.Matrix([[s2]]), [m])
    assert sp.simplify(sp.integrate(density, (y1, -sp.oo, sp.oo))) == 1
    density, (y1, y2) = _covariance_density_at(sp.Matrix([[2, 1], [1, 3]]), [0, 0])
    inner = sp.simplify(sp.integrate(sp.expand(density), (y2, -sp.oo, sp.oo)))
    assert sp.simplify(sp.integrate(inner, (y1, -sp.oo, sp.oo))) == 1


def test_tweedie_has_no_mass_and_its_quasi_likelihood_has_the_defining_derivative():
    a = derive.derive("tweedie").assumption
    with pytest.raises(Unsupported, match="quasi-likelihood is not a density"):
        total_mass(a)
    (y,) = a.data
    mu, variance = a.quasi
    q = quasi_log_likelihood(a)
    assert sp.simplify(sp.diff(q, mu) - (y - mu) / variance) == 0  # dQ/dmu = (y - mu)/V(mu)
    assert sp.simplify(q.subs(mu, y)) == 0


def test_huber_normaliser_is_derived_and_free_of_the_params():
    d = derive.derive("huber")
    (delta,) = d.fixed
    expected = sp.sqrt(2 * pi) * sp.erf(delta / sp.sqrt(2)) + (2 / delta) * exp(-delta**2 / 2)
    assert sp.simplify(d.normaliser - expected) == 0
    assert not d.normaliser.has(*d.params)
    assert sp.log(d.normaliser) in d.dropped


def test_generalized_gaussian_normaliser_is_derived_and_free_of_the_params():
    d = derive.derive("generalized_gaussian")
    alpha, beta = d.fixed
    assert sp.simplify(d.normaliser - 2 * alpha * sp.gamma(1 + 1 / beta)) == 0
    assert not d.normaliser.has(*d.params)
    assert d.scale == alpha ** (-beta)


def test_continuous_bernoulli_normaliser_depends_on_the_prediction_and_stays_in_the_loss():
    d = derive.derive("continuous_bernoulli")
    (yhat,) = d.params
    assert d.normaliser.has(yhat) and d.loss.has(sp.log(d.normaliser))


def test_resolve_piecewise_takes_the_branch_that_holds_on_the_domain():
    p = S.symbol("p", sp.Interval.open(1, 2))
    pw = sp.Piecewise((sp.log(p), sp.Eq(p, 1)), (p**2, True))
    assert resolve_piecewise(pw, {p: sp.Interval.open(1, 2)}) == p**2
    x = S.symbol("x", S.REALS)  # x in R: the branch x > 0 is undecided and stays
    assert resolve_piecewise(sp.Piecewise((x, x > 0), (0, True)), {x: S.REALS}).has(sp.Piecewise)


# --------------------------------------------------------------------------- rules


def test_canonical_links_are_derived_from_the_density():
    z = S.z
    assert derive.derive("bernoulli_logits").link[1] == exp(z) / (exp(z) + 1)
    assert derive.derive("poisson_log").link[1] == exp(z)
    d = derive.derive("categorical_logits")
    zv, j, k = sp.IndexedBase("z", real=True), S.j, S.k
    assert d.link[1] == exp(zv[k]) / sp.Sum(exp(zv[j]), (j, 1, S.K))
    assert d.hard_label == log(sp.Sum(exp(zv[j]), (j, 1, S.K))) - zv[S.index("c")]


def test_tweedie_link_is_given_not_canonical():
    a = derive.derive("tweedie").assumption
    assert a.link.expr == exp(S.z)


def test_negative_binomial_keeps_log_alpha_mu_whole():
    d = derive.derive("negative_binomial")
    alpha, mu = d.fixed[0], d.params[0]
    assert d.loss.has(log(alpha * mu)) and not d.loss.has(log(mu))


def test_label_smoothing_at_a_hard_label():
    d = derive.derive("categorical_smoothed")
    (yhat,), (eps,), c, k = d.params, d.fixed, S.index("c"), S.k
    expected = -(1 - eps) * log(yhat[c]) - eps / S.K * sp.Sum(log(yhat[k]), (k, 1, S.K))
    assert sp.simplify(d.hard_label - expected) == 0


# --------------------------------------------------------------------------- specialisation


@pytest.mark.parametrize("name, values, loss_is", [
    ("gaussian", {"sigma": 1}, lambda s: (s["y"] - s["yhat"]) ** 2),
    ("gamma", {"k": 1}, lambda s: s["y"] / s["mu"] + log(s["mu"])),
    ("student_t", {"nu": 3, "s": 2}, lambda s: log(1 + (s["y"] - s["mu"]) ** 2 / 12)),
    ("tweedie", {"p": sp.Rational(3, 2)}, lambda s: exp(s["z"] / 2) + s["y"] * exp(-s["z"] / 2)),  # scale 2
    ("binomial", {"N": 5}, lambda s: -(s["y"] * log(s["yhat"]) + (5 - s["y"]) * log(1 - s["yhat"]))),
])
def test_specialising_fixed_symbols(name, values, loss_is):
    d = derive.derive(name, **values)
    assert all(f.name not in values for f in d.fixed)
    assert sp.simplify(d.loss - loss_is(_symbols(name))) == 0


@pytest.mark.parametrize("name, values, message", [
    ("gaussian", {"sigma": -1}, r"^gaussian: sigma=-1 is outside its domain \(0, oo\)$"),
    ("gamma", {"k": 0}, r"^gamma: k=0 is outside its domain"),
    ("tweedie", {"p": 2}, r"^tweedie: p=2 is outside its domain"),
    ("asymmetric_laplace", {"tau": 1}, r"^asymmetric_laplace: tau=1 is outside its domain"),
    ("binomial", {"N": 0}, r"^binomial: N=0 is outside its domain"),
    ("binomial", {"N": sp.Rational(5, 2)}, r"^binomial: N=5/2 is outside its domain"),
    ("laplace", {"yhat": 1}, r"^laplace: 'yhat' is not a fixed symbol \(fixed: b\)"),
])
def test_specialising_refuses_values_outside_the_domain(name, values, message):
    with pytest.raises(DomainError, match=message):
        derive.derive(name, **values)


# --------------------------------------------------------------------------- deviance

DEVIANCE_ENTRIES = ["gaussian", "bernoulli", "bernoulli_logits", "poisson", "poisson_log", "binomial",
                    "exponential", "gamma", "inverse_gaussian", "tweedie", "asymmetric_laplace", "laplace",
                    "gaussian_variance"]


def test_deviance_entries():
    have = [n for n in derive.names() if derive.derive(n).deviance is not None]
    assert sorted(have) == sorted(DEVIANCE_ENTRIES)


@pytest.mark.parametrize("name", DEVIANCE_ENTRIES)
def test_deviance_is_zero_at_the_saturated_model_and_twice_the_nll_difference(name):
    d = derive.derive(name)
    a = d.assumption
    saturated = dict(a.saturated)
    if a.link is not None:  # the output that reproduces the mean
        mean, value = d.link
        (y,) = a.data
        target = saturated[mean]
        (out,) = a.params
        solved = sp.solve(sp.Eq(value, target), out)
        saturated = {out: solved[0]} if solved else {}
    if saturated:
        (y,) = a.data
        sizes = {s: 5 for s in d.deviance.free_symbols if s.name == "N"}
        deviance = d.deviance.xreplace(sizes)
        saturated = {k: v.xreplace(sizes) for k, v in saturated.items()}
        if isinstance(a.support, sp.FiniteSet):  # the saturated model sits on the boundary
            (out,) = saturated
            for value in a.support:
                at = deviance.xreplace({y: value})
                target = saturated[out].xreplace({y: value})
                if not target.is_finite:  # a logit at +-oo: the limit of the link picks the side
                    (target,) = [inf for inf in (sp.oo, -sp.oo) if sp.limit(d.link[1], out, inf) == value]
                assert sp.limit(at, out, target) == 0
        else:
            point = {y: 3}
            assert sp.simplify(deviance.xreplace(saturated).xreplace(point)) == 0
    # 2*(nll - nll_saturated): the param-dependent part of the deviance is 2*scale*loss
    assert sp.simplify(sp.diff(d.deviance - 2 * d.scale * d.loss, *d.params[:1])) == 0


# --------------------------------------------------------------------------- peers


PEER_ENTRIES = sorted({p.entry for p in table()})


def test_peer_table_names_known_entries():
    assert set(PEER_ENTRIES) <= set(derive.names())


@pytest.mark.parametrize("name", PEER_ENTRIES)
def test_peer_relations_are_proved(name):
    d = derive.derive(name)
    assert d.peers
    for p in d.peers:
        difference = d.nll - (p.scale * p.value + p.offset)
        if difference.has(sp.Sum):
            difference = onehot_constraint(split_sums(distribute(difference)), d.assumption)
        assert sp.simplify(difference) == 0, (p.call, difference)
        assert not p.scale.has(*d.params) and not p.offset.has(*d.params)
        assert p.scale.is_positive or sp.simplify(p.scale).is_positive


def test_mse_relation_has_no_half():
    (mse,) = [p for p in derive.derive("gaussian").peers if p.call.startswith("mse_loss")]
    sigma = S.sigma
    assert mse.scale == 1 / (2 * sigma**2)
    assert sp.simplify(mse.offset - (log(sigma) + log(2 * pi) / 2)) == 0


def test_poisson_full_relation_is_not_exact_stirling_only_above_one():
    (full,) = [p for p in derive.derive("poisson_log").peers if "full=True" in p.call]
    y = derive.derive("poisson_log").data[0]
    assert full.offset.subs(y, 1) == 0  # log(1!) and no Stirling term at y = 1
    assert full.offset.subs(y, 0) == 0
    assert sp.N(full.offset.subs(y, 5)) > 0  # log(5!) exceeds Stirling's approximation


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize("name", derive.names())
def test_every_hand_written_reference_holds(name):
    from derive.checks import check

    failed = [(c.reference.label or c.reference.latex, c.verdict.holds) for c in check(name) if not c.ok]
    assert not failed


def test_gaussian_covariance_dataset_loss_is_per_example():
    d = derive.derive("gaussian_covariance")
    (summand, *_), = [s.args for s in d.dataset_loss.atoms(sp.Sum)]
    # each example its own vectors: y_i and mu_i, not n copies of one example
    assert {m.name for m in summand.atoms(sp.MatrixSymbol)} == {"y_i", "mu_i", "Sigma"}
    assert r"\left(y_{i} - \mu_{i}\right)^{T} \Sigma^{-1}" in d.to_latex()
