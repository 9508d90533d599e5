"""The catalogue: every entry derived by the pipeline, equal to its expected loss, its
density proved normalised, its identities proved; the engine rules that make it so (links,
groups, kernels, quasi-likelihood, label smoothing, deviance).

Registry-driven from tests/catalogue_cases.py: a new entry without a case there fails
``test_every_entry_has_a_case`` with "add X to CASES".
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import pytest
import sympy as sp

import derive
from derive import symbols as dsym
from derive.normalisation import total_mass
from derive.stages import onehot_constraint, quasi_log_likelihood
from derive.symbolic.domains import resolve_piecewise, split_sums
from derive.symbolic.rules import distribute
from derive.errors import DomainError, Unsupported
from derive.peers import symbols_of, table
from catalogue_cases import AT_SIZES, CASES, MASS_ONE, MATRIX, NOT_A_DENSITY, NUMERIC, ONE_HOT, PIECES
from test_pieces import PIECES as PROVED_PIECE_BY_PIECE

pi, log, exp, Abs = sp.pi, sp.log, sp.exp, sp.Abs


def _with(normalisation: str) -> list[str]:
    return [n for n, c in CASES.items() if c.normalisation == normalisation]


DEVIANCE_ENTRIES = [n for n, c in CASES.items() if c.deviance is not None]


@lru_cache(maxsize=None)
def _symbols(name):
    return symbols_of(derive.derive(name))


def test_every_entry_has_a_case():
    missing = [n for n in derive.names() if n not in CASES]
    assert not missing, f"add {', '.join(missing)} to CASES in tests/catalogue_cases.py"
    stale = [n for n in CASES if n not in derive.names()]
    assert not stale, f"remove {', '.join(stale)} from CASES: no such entry"


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_is_the_reference(name):
    d = derive.derive(name)
    expected = CASES[name].loss(_symbols(name))
    if CASES[name].equal_by_simplify:
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


def test_every_entry_has_a_normalisation_case():
    kinds = {MASS_ONE, ONE_HOT, AT_SIZES, NUMERIC, NOT_A_DENSITY, MATRIX, PIECES}
    unknown = [n for n, c in CASES.items() if c.normalisation not in kinds]
    assert not unknown, f"give {', '.join(unknown)} one of the normalisation kinds of tests/catalogue_cases.py"


@pytest.mark.parametrize("name", _with(MASS_ONE))
def test_density_is_normalised(name):
    a = derive.derive(name).assumption
    assert total_mass(a) == 1


@pytest.mark.parametrize("name", _with(ONE_HOT))
def test_onehot_mass_is_the_sum_of_the_class_probabilities(name):
    a = derive.derive(name).assumption
    c = dsym.index("c")
    (yhat,) = [s for s in a.params if str(s) == "yhat"] or [sp.IndexedBase("yhat")]
    mass = total_mass(a)
    assert mass.dummy_eq(sp.Sum(a.link.mean.base[c] if a.link else a.params[0][c], (c, 1, dsym.K))) \
        or sp.simplify(mass - sp.Sum((a.link.mean.base if a.link else a.params[0])[c], (c, 1, dsym.K))) == 0


def test_pieces_entries_are_proved_piece_by_piece():
    """The PIECES kind is proved in tests/test_pieces.py (atom plus counts, event plus
    survival, components, a partition of intervals): every such entry is one it proves."""
    entries = _with(PIECES)
    assert entries
    missing = [n for n in entries if n not in PROVED_PIECE_BY_PIECE]
    assert not missing, f"prove the mass of {', '.join(missing)} piece by piece in tests/test_pieces.py"


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


@pytest.mark.parametrize("delta, yhat", [(0.05, 0.0), (0.7, 1.5), (1.0, -2.0), (3.0, 0.3)])
def test_pseudo_huber_density_is_normalised_numerically(delta, yhat):
    """int exp(-a sqrt(d^2 + x^2)) dx = 2 d K_1(a d): the normaliser 2 delta K_1(delta^2) at a = d = delta."""
    d = derive.derive("pseudo_huber")
    (y,), (m,), (dl,) = d.data, d.params, d.fixed
    delta, yhat = sp.Rational(str(delta)), sp.Rational(str(yhat))  # exact values: K_1 evaluated at 30 digits
    f = sp.lambdify(y, d.density.subs({m: yhat, dl: delta}), "mpmath")
    with mpmath.workdps(30):
        assert abs(mpmath.quad(f, [-mpmath.inf, mpmath.mpf(yhat.p) / yhat.q, mpmath.inf]) - 1) < mpmath.mpf(10) ** -25


def _covariance_density_at(Sigma_value, mean):
    d = derive.derive("gaussian_covariance")
    (y,), (mu,), (Sigma,) = d.data, d.params, d.fixed
    size = Sigma_value.shape[0]
    ys = sp.symbols(f"y1:{size + 1}", real=True)
    y_col, mu_col = sp.MatrixSymbol("y", size, 1), sp.MatrixSymbol("mu", size, 1)
    density = d.density.xreplace({dsym.size("d"): size})
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
    p = dsym.symbol("p", sp.Interval.open(1, 2))
    pw = sp.Piecewise((sp.log(p), sp.Eq(p, 1)), (p**2, True))
    assert resolve_piecewise(pw, {p: sp.Interval.open(1, 2)}) == p**2
    x = dsym.symbol("x", dsym.REALS)  # x in R: the branch x > 0 is undecided and stays
    assert resolve_piecewise(sp.Piecewise((x, x > 0), (0, True)), {x: dsym.REALS}).has(sp.Piecewise)


# --------------------------------------------------------------------------- rules


def test_canonical_links_are_derived_from_the_density():
    z = dsym.z
    assert derive.derive("bernoulli_logits").link[1] == exp(z) / (exp(z) + 1)
    assert derive.derive("poisson_log").link[1] == exp(z)
    d = derive.derive("categorical_logits")
    zv, j, k = sp.IndexedBase("z", real=True), dsym.j, dsym.k
    assert d.link[1] == exp(zv[k]) / sp.Sum(exp(zv[j]), (j, 1, dsym.K))
    assert d.hard_label == log(sp.Sum(exp(zv[j]), (j, 1, dsym.K))) - zv[dsym.index("c")]


def test_tweedie_link_is_given_not_canonical():
    a = derive.derive("tweedie").assumption
    assert a.link.expr == exp(dsym.z)


def test_negative_binomial_keeps_log_alpha_mu_whole():
    d = derive.derive("negative_binomial")
    alpha, mu = d.fixed[0], d.params[0]
    assert d.loss.has(log(alpha * mu)) and not d.loss.has(log(mu))


def test_label_smoothing_at_a_hard_label():
    d = derive.derive("categorical_smoothed")
    (yhat,), (eps,), c, k = d.params, d.fixed, dsym.index("c"), dsym.k
    expected = -(1 - eps) * log(yhat[c]) - eps / dsym.K * sp.Sum(log(yhat[k]), (k, 1, dsym.K))
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


def _zero_by_derivatives(expr, d) -> bool:
    """expr == 0 on the (connected, real) domain: every partial derivative simplifies to 0
    and expr is 0 at one point (1 for each symbol, inside every domain it has here)."""
    symbols = [s for s in expr.free_symbols if isinstance(s, sp.Symbol)]
    return (all(sp.simplify(sp.diff(expr, s)) == 0 for s in symbols)
            and sp.simplify(expr.xreplace({s: 1 for s in symbols})) == 0)


@pytest.mark.parametrize("name", PEER_ENTRIES)
def test_peer_relations_are_proved(name):
    d = derive.derive(name)
    assert d.peers
    for p in d.peers:
        difference = d.nll - (p.scale * p.value + p.offset)
        if difference.has(sp.Sum):
            difference = onehot_constraint(split_sums(distribute(difference)), d.assumption)
        assert sp.simplify(difference) == 0 or _zero_by_derivatives(difference, d), (p.call, difference)
        assert not p.scale.has(*d.params) and not p.offset.has(*d.params)
        assert p.scale.is_positive or sp.simplify(p.scale).is_positive


def test_mse_relation_has_no_half():
    (mse,) = [p for p in derive.derive("gaussian").peers if p.call.startswith("mse_loss")]
    sigma = dsym.sigma
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


def test_family_registry_and_parametrisation_guards():
    from derive.distributions import family, register_family

    normal, x = family("normal"), sp.Symbol("x", real=True)
    with pytest.raises(ValueError, match=r"^family 'normal' is already registered$"):
        register_family(normal)
    with pytest.raises(ValueError, match=r"^normal: parameters are mu, sigma, not tau$"):
        normal.at(x, tau=1)
    with pytest.raises(ValueError, match=r"^normal: the entry 'bad' does not give sigma$"):
        normal.parametrise(x, {"mu": 0}, name="bad")
    with pytest.raises(ValueError, match=r"^mvn_diag: a family of coordinates has no density of its own$"):
        family("mvn_diag").at(x)
    with pytest.raises(ValueError, match=r"^assumption 'gaussian' is already registered$"):
        derive.assumptions.register(derive.derive("gaussian").assumption)
    assert normal.at(x, mu=0, sigma=1) == sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)
