"""Information theory: exact finite values, errors, identities proved, closed forms derived."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

import derive
import derive.infotheory as it
from catalogue_cases import FAMILY_CASES, sym
from derive.errors import DeriveError, DistributionError, Unsupported
from derive.infotheory.closed_forms import register_kl
from derive.infotheory.families import bind
from derive.infotheory.identity import Named, _identity

R = sp.Rational
WEATHER_P = {"sunny": R(1, 2), "cloudy": R(1, 4), "rainy": R(1, 8), "snowy": R(1, 8)}
WEATHER_Q = {"sunny": R(1, 8), "cloudy": R(1, 4), "rainy": R(1, 2), "snowy": R(1, 8)}


# --------------------------------------------------------------------------- finite, exact


def test_weather_example_in_bits_is_exact():
    assert it.entropy(WEATHER_P, base=2) == R(7, 4)
    assert it.cross_entropy(WEATHER_P, WEATHER_Q, base=2) == R(5, 2)
    assert it.kl(WEATHER_P, WEATHER_Q, base=2) == R(3, 4)
    assert it.code_lengths(WEATHER_P) == {"sunny": 1, "cloudy": 2, "rainy": 3, "snowy": 3}


def test_weather_example_as_sequences_of_strings_and_in_nats():
    p, q = ("1/2", "1/4", "1/8", "1/8"), ("1/8", "1/4", "1/2", "1/8")
    assert it.entropy(p) == R(7, 4) * sp.log(2)
    assert it.cross_entropy(p, q, base=sp.E) == R(5, 2) * sp.log(2)
    assert it.kl(p, q, base="e") == R(3, 4) * sp.log(2)
    assert it.entropy(p, base=4) == R(7, 8)
    assert it.code_lengths(p) == (1, 2, 3, 3)


def test_cross_entropy_is_entropy_plus_kl_on_exact_numbers():
    p, q = (R(1, 3), R(1, 6), R(1, 2)), (R(1, 5), R(3, 5), R(1, 5))
    for base in (2, sp.E, 10, R(3, 2)):
        assert sp.simplify(it.cross_entropy(p, q, base) - it.entropy(p, base) - it.kl(p, q, base)) == 0


def test_logs_of_rationals_are_written_over_primes():
    assert it.entropy((R(1, 3), R(2, 3)), base=2) == sp.log(3) / sp.log(2) - R(2, 3)


def test_zero_log_zero_is_zero_and_kl_is_infinite_where_q_vanishes():
    assert it.entropy((1, 0, 0)) == 0
    assert it.cross_entropy((0, 1), (1, 0)) == sp.oo
    assert it.kl((R(1, 2), R(1, 2)), (1, 0)) == sp.oo
    assert it.kl((1, 0), (R(1, 2), R(1, 2)), base=2) == 1
    assert it.code_lengths((1, 0)) == (0, sp.oo)


def test_floats_are_read_as_the_decimal_they_print_as():
    assert it.entropy((0.5, 0.25, 0.125, 0.125), base=2) == R(7, 4)
    assert it.cross_entropy((0, 0, 1), (0.1, 0.7, 0.2)) == sp.log(5)
    assert it.entropy((Fraction(1, 4), Fraction(3, 4))) == it.entropy(("0.25", "0.75"))


def test_symbols_are_accepted_when_the_sum_is_one():
    p = sp.Symbol("p", positive=True)
    assert sp.simplify(it.entropy((p, 1 - p)) + p * sp.log(p) + (1 - p) * sp.log(1 - p)) == 0


def test_lesson_numeric_example_depends_on_the_class_numbering():
    yhat = (0.1, 0.7, 0.2)
    zero_based = it.cross_entropy(it.one_hot(2, 3, first=0), yhat)  # PyTorch labels: 0.2
    one_based = it.cross_entropy(it.one_hot(2, 3, first=1), yhat)   # class 2 of 1..3: 0.7
    assert zero_based == -sp.log(R(1, 5)) and round(float(zero_based), 3) == 1.609
    assert one_based == sp.log(2) + sp.log(5) - sp.log(7) and round(float(one_based), 3) == 0.357


BAD_DISTRIBUTIONS = [
    ((R(1, 2), R(-1, 4), R(3, 4)), r"^P has a negative or non-real entry -1/4 at 1$"),
    ((R(1, 2), R(1, 4)), r"^P does not sum to 1: its sum is 3/4$"),
    ((0.1, 0.2), r"^P does not sum to 1: its sum is 3/10$"),
    ((), r"^P is empty$"),
    ("1/2,1/2", r"^P must be a sequence or a mapping of probabilities, got '1/2,1/2'$"),
    (("1/2", "half"), r"^P\[1\]: cannot read 'half' as an exact number$"),
    ((True, False), r"^P\[0\]: True is a bool, not a probability$"),
    ((float("nan"), 1), r"^P\[0\]: nan is not a finite number$"),
    ((sp.Symbol("a", positive=True), sp.Symbol("b", positive=True)),
     r"^cannot verify that P sums to 1: its sum is a \+ b$"),
    (([0.5], 0.5), r"^P\[0\]: \[0.5\] \(list\) is not a number$"),
]


@pytest.mark.parametrize("P, message", BAD_DISTRIBUTIONS)
def test_bad_distributions_are_refused(P, message):
    with pytest.raises(DistributionError, match=message):
        it.entropy(P)


BAD_PAIRS = [
    ((R(1, 2), R(1, 2)), (1, 0, 0), r"^P and Q have different lengths: 2 and 3$"),
    ({"a": 1}, {"b": 1}, r"^P and Q have different outcomes: only in P: 'a'; only in Q: 'b'$"),
    ({"a": 1}, (1,), r"^P and Q must both be sequences or both be mappings$"),
    ((1,), (R(1, 2),), r"^Q does not sum to 1: its sum is 1/2$"),
]


@pytest.mark.parametrize("P, Q, message", BAD_PAIRS)
def test_bad_pairs_are_refused(P, Q, message):
    for f in (it.cross_entropy, it.kl):
        with pytest.raises(DistributionError, match=message):
            f(P, Q)


@pytest.mark.parametrize("base", [1, 0, -2, "x"])
def test_bad_bases_are_refused(base):
    message = (r"^(the base of the logarithm must be a positive number other than 1, got .*"
               r"|base: cannot read 'x' as an exact number)$")
    with pytest.raises(DistributionError, match=message):
        it.entropy((1,), base=base)


def test_one_hot_refuses_a_class_out_of_range():
    with pytest.raises(DistributionError, match=r"^class 3 is not one of 0\.\.2$"):
        it.one_hot(3, 3, first=0)
    with pytest.raises(DistributionError, match=r"^classes are numbered from 0 or from 1, got first=2$"):
        it.one_hot(1, 3, first=2)


INFO = [
    (("entropy", "1/2,1/4,1/8,1/8", None, 2), "7/4 bits (1.75)"),
    (("cross-entropy", "1/2,1/4,1/8,1/8", "1/8,1/4,1/2,1/8", "2"), "5/2 bits (2.5)"),
    (("kl", "1/2,1/4,1/8,1/8", "1/8,1/4,1/2,1/8", 2), "3/4 bits (0.75)"),
    (("kl", "1/2, 1/2", "1, 0", 2), "oo bits (inf)"),
    (("entropy", "1/2,1/2", None, "e"), "log(2) nats (0.693147180559945)"),
    (("entropy", "1/2,1/2", None, 10), "log(2)/log(10) hartleys (0.301029995663981)"),
]


@pytest.mark.parametrize("args, expected", INFO)
def test_info_command_prints_exact_and_decimal(args, expected):
    assert it.info_command(*args) == expected


@pytest.mark.parametrize("args, message", [
    (("entropy", "1", "1", 2), r"^entropy takes only --p \(got --q as well\)$"),
    (("kl", "1", None, 2), r"^kl needs both --p and --q$"),
    (("mutual", "1", None, 2), r"^unknown quantity 'mutual'; known: entropy, cross-entropy, kl$"),
    (("entropy", "1/2,,1/2", None, 2), r"^--p: empty entry in '1/2,,1/2'$"),
])
def test_info_command_errors(args, message):
    with pytest.raises(DistributionError, match=message):
        it.info_command(*args)


# --------------------------------------------------------------------------- identities


def test_every_identity_is_proved_and_renders():
    found = it.identities()
    assert [i.name for i in found] == [
        "cross_entropy_decomposition_discrete", "cross_entropy_decomposition_density",
        "cross_entropy_gradient_is_kl_gradient_discrete", "cross_entropy_gradient_is_kl_gradient_density",
        "one_hot_cross_entropy_is_nll",
        "empirical_cross_entropy_is_nll", "kl_normal_normal", "kl_vae"]
    for identity in found:
        assert identity.proved is True, identity.name
        assert identity.title and identity.statement
        tex = identity.to_latex()
        assert tex.startswith("\\begin{align*}") and tex.endswith("\\end{align*}")
        assert all(step.expr is not None for step in identity.steps)


def test_a_false_identity_is_not_proved():
    p, q = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
    k, K = sp.Symbol("k", integer=True, positive=True), sp.Symbol("K", integer=True, positive=True)
    cross = -sp.Sum(p[k] * sp.log(q[k]), (k, 1, K))
    wrong = sp.Sum(q[k] * sp.log(q[k] / p[k]), (k, 1, K)) - sp.Sum(p[k] * sp.log(p[k]), (k, 1, K))
    assert _identity("wrong", "wrong", "", cross, wrong, []).proved is False
    # a wrong middle step is caught even when the ends agree
    ent, div = -sp.Sum(p[k] * sp.log(p[k]), (k, 1, K)), sp.Sum(p[k] * sp.log(p[k] / q[k]), (k, 1, K))
    steps = [it.identities()[0].steps[0].__class__("bad", ent, "")]
    assert _identity("gap", "gap", "", cross, ent + div, steps).proved is False


def test_vae_term_is_the_textbook_formula():
    vae = it.identities()[-1]
    mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    assert sp.simplify(vae.lhs - (mu**2 + sigma**2 - 1 - sp.log(sigma**2)) / 2) == 0
    assert vae.lhs.free_symbols == {mu, sigma}


def test_named_quantities_print_verbatim():
    from derive.latex.render import latex

    assert latex(Named(r"H(P)")) == "H(P)"


# --------------------------------------------------------------------------- closed forms


TEXTBOOK_ENTROPY = {name: case.entropy for name, case in FAMILY_CASES.items() if case.entropy is not None}
PARAMETER_NAMES = {name: case.parameters for name, case in FAMILY_CASES.items()}


@pytest.mark.parametrize("name", sorted(TEXTBOOK_ENTROPY))
def test_entropy_matches_the_textbook(name):
    assert sp.simplify(sp.expand_log(it.entropy_closed_form(name) - TEXTBOOK_ENTROPY[name])) == 0


def test_gamma_entropy_and_kl_match_the_textbook():
    a, b = sym("alpha", positive=True), sym("beta", positive=True)
    textbook = a - sp.log(b) + sp.log(sp.gamma(a)) + (1 - a) * sp.digamma(a)
    assert sp.simplify(it.entropy_closed_form("gamma") - textbook) == 0
    ap, bp, aq, bq = (sym(n, positive=True) for n in ("alpha_p", "beta_p", "alpha_q", "beta_q"))
    torch_form = (aq * sp.log(bp / bq) + sp.log(sp.gamma(aq)) - sp.log(sp.gamma(ap))
                  + (ap - aq) * sp.digamma(ap) + (bq - bp) * ap / bp)
    assert sp.simplify(sp.expand_log(it.kl_closed_form("gamma") - torch_form)) == 0


def test_normal_kl_matches_the_textbook():
    mp, mq = sym("mu_p", real=True), sym("mu_q", real=True)
    sp_, sq = sym("sigma_p", positive=True), sym("sigma_q", positive=True)
    textbook = sp.log(sq / sp_) + (sp_**2 + (mp - mq) ** 2) / (2 * sq**2) - R(1, 2)
    assert sp.simplify(sp.expand_log(it.kl_closed_form("normal") - textbook)) == 0


def test_normal_kl_is_printed_in_the_textbook_form_everywhere():
    """The closed form served (to the article, the slides, the catalogue) is the textbook form
    itself, not an expression merely equal to it, and the KL identity ends with it."""
    from derive.config import PrinterConfig
    from derive.publish.information import closed_form_blocks

    mp, mq = sym("mu_p", real=True), sym("mu_q", real=True)
    sp_, sq = sym("sigma_p", positive=True), sym("sigma_q", positive=True)
    textbook = sp.log(sq / sp_) + (sp_**2 + (mp - mq) ** 2) / (2 * sq**2) - R(1, 2)
    cf = it.kl_derivation("normal", "normal")
    assert cf.expr == textbook and cf.steps[-1].note == "rearranged"
    assert cf.steps[-2].expr != textbook  # the derived form, rearranged by a proved step
    identity = next(i for i in it.identities() if i.name == "kl_normal_normal")
    assert identity.proved and identity.steps[-1].expr == textbook
    _, within, _, _ = closed_form_blocks(PrinterConfig())
    assert any(step.expr == textbook for step in within.steps)


def test_textbook_joins_logs_divides_out_and_completes_squares():
    """log l_p - log l_q - (l_p - l_q)/l_p reads log(l_p/l_q) + l_q/l_p - 1 (exactly), and the
    result agrees with torch's KL of two exponentials at seeded points."""
    import torch

    from derive.infotheory.algebra import textbook

    lp, lq = sym("lambda_p", positive=True), sym("lambda_q", positive=True)
    derived = sp.log(lp) - sp.log(lq) - (lp - lq) / lp
    shown = textbook(derived)
    assert shown == sp.log(lp / lq) + lq / lp - 1
    rng = torch.Generator().manual_seed(7)
    for a, b in (0.1 + 3 * torch.rand(2, generator=rng) for _ in range(5)):
        oracle = torch.distributions.kl_divergence(torch.distributions.Exponential(a.double()),
                                                   torch.distributions.Exponential(b.double()))
        assert float(shown.subs({lp: float(a), lq: float(b)})) == pytest.approx(float(oracle), rel=1e-12)
    a, b, c = sym("a", real=True), sym("b", real=True), sym("c", positive=True)
    assert textbook((a**2 + b**2 - 2 * a * b + c**2) / (2 * c**2)) == (a - b) ** 2 / (2 * c**2) + R(1, 2)
    assert textbook(sp.log(a**2 + 1) - sp.log(c)) == sp.log((a**2 + 1) / c)
    assert textbook(sp.log(a) - sp.log(c)) == sp.log(a) - sp.log(c)  # a may be negative: not joined


def test_laplace_kl_has_the_absolute_difference_of_locations():
    kl = it.kl_closed_form("laplace")
    mp, mq = sym("mu_p", real=True), sym("mu_q", real=True)
    bp, bq = sym("b_p", positive=True), sym("b_q", positive=True)
    textbook = sp.log(bq / bp) + sp.Abs(mp - mq) / bq + bp / bq * sp.exp(-sp.Abs(mp - mq) / bp) - 1
    assert sp.simplify(sp.expand_log(kl - textbook)) == 0


@pytest.mark.parametrize("name", [n for n in it.names() if (n, n) in it.kl_pairs()])
def test_kl_of_a_family_with_itself_vanishes(name):
    kl = it.kl_closed_form(name)
    same = {s: sp.Symbol(s.name[:-2] + "_p", **s.assumptions0) for s in kl.free_symbols
            if isinstance(s, sp.Symbol) and s.name.endswith("_q")}
    same.update({b: sp.IndexedBase(b.label.name[:-2] + "_p", **b.label.assumptions0)
                 for b in kl.atoms(sp.IndexedBase) if b.label.name.endswith("_q")})
    assert sp.simplify(kl.xreplace(same)) == 0


def _names(expr):
    symbols = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return symbols - {"k", "j", "x"} | {b.label.name for b in expr.atoms(sp.IndexedBase)}


def test_parameter_names_and_domains():
    assert set(PARAMETER_NAMES) == set(it.names())
    for name, params in PARAMETER_NAMES.items():
        entropy = it.entropy_closed_form(name)
        assert _names(entropy) <= params, name
        shared = {"N", "K", "d"}
        expected_kl = {p if p in shared else p + s for p in params for s in ("_p", "_q")}
        if (name, name) in it.kl_pairs():  # not for a family whose KL has no closed form (logistic)
            assert _names(it.kl_closed_form(name)) <= expected_kl, name
    for s in it.kl_closed_form("normal").free_symbols:
        assert s.is_positive if s.name.startswith("sigma") else s.is_real
    assert {s.name: s.is_positive for s in it.kl_closed_form("gamma").free_symbols} == {
        "alpha_p": True, "beta_p": True, "alpha_q": True, "beta_q": True}


def test_methods_record_integration_and_the_score_identity():
    methods = dict(it.entropy_derivation("beta").methods)
    assert set(methods.values()) == {"score identity"}
    assert set(dict(it.entropy_derivation("gamma").methods).values()) == {"integration"}
    assert set(dict(it.entropy_derivation("poisson").methods).values()) == {"summation", "series"}
    assert set(dict(it.entropy_derivation("categorical").methods).values()) == {"summation"}
    assert it.entropy_derivation("mvn_diag").methods == it.entropy_derivation("normal").methods
    steps = it.kl_derivation("normal").steps
    assert [s.label for s in steps] == ["definition", "expand_logs", "linearity", "moments", "simplify", "rearrange"]
    assert "by integration" in steps[3].note


def test_support_mismatch_is_infinite_or_guarded():
    assert it.kl_closed_form("normal", "exponential") == sp.oo
    assert it.kl_closed_form("poisson", "binomial") == sp.oo
    guarded = it.kl_closed_form("uniform", "uniform")
    assert isinstance(guarded, sp.Piecewise) and guarded.args[-1] == (sp.oo, True)


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(it.UnknownFamily,
                       match=r"^unknown family 'cauchy'; known: normal, laplace, .*, mvn_diag$"):
        it.entropy_closed_form("cauchy")
    assert issubclass(it.UnknownFamily, DeriveError)


def test_missing_kl_pair_names_both_families():
    with pytest.raises(Unsupported, match=r"^no KL rule for P = bernoulli, Q = geometric; registered with "
                                          r"P = bernoulli: bernoulli, poisson$"):
        it.kl_closed_form("bernoulli", "geometric")


def test_kl_registry_refuses_duplicates_and_unknown_families():
    with pytest.raises(ValueError, match=r"^KL\(normal \|\| normal\) is already registered$"):
        register_kl("normal", "normal")
    with pytest.raises(it.UnknownFamily, match=r"^unknown family 'cauchy'"):
        register_kl("cauchy", "normal")
    with pytest.raises(ValueError,
                       match=r"^KL\(mvn_diag \|\| normal\): a family of coordinates pairs only with itself$"):
        register_kl("mvn_diag", "normal")


def test_closed_form_derivations_render():
    for name in it.names():
        cf = it.entropy_derivation(name)
        assert cf.to_latex().startswith("\\begin{align*}") and cf.statement.startswith("H(")
    assert it.kl_derivation("normal").steps[0].lhs.startswith(r"D_{\mathrm{KL}}")


def test_cross_entropy_closed_form_is_entropy_plus_kl():
    for p, q in (("normal", "normal"), ("gamma", "exponential"), ("beta", "normal")):
        cross = it.cross_entropy_closed_form(p, q)
        entropy = it.entropy_closed_form(p).xreplace(
            {s: sp.Symbol(s.name + "_p", **s.assumptions0) for s in it.entropy_closed_form(p).free_symbols})
        assert sp.simplify(cross - entropy - it.kl_closed_form(p, q)) == 0


SREPR_NAMESPACE = {**vars(sp), "ExprCondPair": ExprCondPair}


def test_family_catalog_is_json_and_round_trips():
    catalog = it.family_catalog()
    json.dumps(catalog)
    assert [entry["name"] for entry in catalog] == it.names()
    for entry in catalog:
        self_pair = (entry["name"], entry["name"]) in it.kl_pairs()
        assert (entry["kl"] is None) is not self_pair, entry["name"]  # None exactly when not registered
        for closed in (entry["entropy"], *([entry["kl"]] if self_pair else []), *entry["kl_pairs"]):
            expr = eval(closed["srepr"], SREPR_NAMESPACE)  # noqa: S307  (srepr of our own output)
            assert isinstance(expr, sp.Basic) and closed["latex"]
    normal = catalog[0]
    assert [p["name"] for p in normal["parameters"]] == ["mu", "sigma"]
    assert eval(normal["kl"]["srepr"], SREPR_NAMESPACE) == it.kl_closed_form("normal")


def test_bound_family_symbols():
    P = bind("categorical", "_p")
    assert P.density == sp.IndexedBase("p_p", positive=True)[P.x]
    assert P.x == sp.Symbol("k", integer=True, positive=True)


# --------------------------------------------------------------------------- guards of the engine


def test_integration_guards():
    from derive.symbolic.integrals import integrate

    x, c = sp.Symbol("x", real=True), sp.Symbol("c", real=True)
    with pytest.raises(Unsupported, match=r"^\|\.\| of a non-linear function of x: Abs\(x\*\*2 - 1\)$"):
        integrate(sp.Abs(x**2 - 1) * sp.exp(-(x**2)), x, -sp.oo, sp.oo)
    with pytest.raises(Unsupported,
                       match=r"^integrand with \|\.\| on \(0, 2\): only the real line is split at kinks$"):
        integrate(sp.Abs(x - 1), x, 0, 2)
    with pytest.raises(Unsupported, match=r"^cannot decide the sign of c\*x between kinks$"):
        integrate(sp.Abs(c * x) * sp.exp(-(x**2)), x, -sp.oo, sp.oo)


def test_kinks_of_unknown_order_give_a_piecewise_when_the_orders_differ():
    from scipy.integrate import quad

    from derive.symbolic.integrals import integrate

    x, c = sp.Symbol("x", real=True), sp.Symbol("c", real=True)
    skewed = sp.exp(-sp.Abs(x) + x / 2)  # not symmetric about its kink at 0
    result = integrate(sp.Abs(x - c) * skewed, x, -sp.oo, sp.oo)
    assert isinstance(result, sp.Piecewise)
    for value in (-1.5, 0.7):
        expected = quad(lambda t: abs(t - value) * math.exp(-abs(t) + t / 2), -60, 60, points=[0, value])[0]
        assert math.isclose(float(result.subs(c, value)), expected, rel_tol=1e-10)


def test_score_identity_guards():
    from derive.symbolic.expectation import score_moments

    x, m, t = sp.Symbol("x", real=True), sp.Symbol("m", real=True), sp.Symbol("t", positive=True)
    with pytest.raises(Unsupported, match=r"^score identity for kinked: a statistic depends on a parameter$"):
        score_moments(sp.exp(-sp.Abs(x - m)) / 2, x, (m,), "kinked")
    with pytest.raises(Unsupported, match=r"^score identity for two: no unique solution$"):
        score_moments(sp.exp(-t * (x**2 + x**4)), x, (t,), "two")


def test_cross_entropy_of_a_coordinates_family_is_refused():
    with pytest.raises(Unsupported, match=r"^cross-entropy of mvn_diag: use entropy \+ KL$"):
        it.cross_entropy_closed_form("mvn_diag")


def test_leibniz_differentiates_under_the_integral_sign_without_integrating():
    from derive.infotheory.algebra import leibniz, vanishes

    theta, x = sp.Symbol("theta", real=True), sp.Symbol("x", real=True)
    q = sp.Function("q", positive=True)
    inner = sp.Integral(x * sp.log(q(x, theta)), (x, 0, 1))
    done = leibniz(sp.Derivative(2 * inner + theta**2, theta))
    assert done == 2 * theta + 2 * sp.Integral(x * sp.Derivative(q(x, theta), theta) / q(x, theta), (x, 0, 1))
    assert vanishes(sp.Derivative(inner, theta) - sp.Integral(x * sp.diff(q(x, theta), theta) / q(x, theta),
                                                               (x, 0, 1)))
    assert not vanishes(sp.Derivative(inner, theta))


# --------------------------------------------------------------------------- entries


def test_gaussian_entry_entropy_is_the_textbook_formula_exactly():
    d = derive.derive("gaussian")
    sigma = next(s for s in d.fixed if s.name == "sigma")
    textbook = sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    assert sp.expand_log(d.entropy() - textbook, force=True) == 0  # sigma > 0: the split is valid


def test_entry_entropy_follows_the_link_and_the_parametrisation():
    z = next(iter(derive.derive("bernoulli_logits").params))
    p = 1 / (1 + sp.exp(-z))
    bernoulli = -(p * sp.log(p) + (1 - p) * sp.log(1 - p))
    assert sp.simplify(derive.derive("bernoulli_logits").entropy() - bernoulli) == 0
    var = next(s for s in derive.derive("gaussian_variance").params if s.name == "var")
    assert sp.expand_log(derive.derive("gaussian_variance").entropy() - sp.log(2 * sp.pi * sp.E * var) / 2,
                         force=True) == 0


def test_entry_kl_and_cross_entropy_are_the_family_closed_forms_at_the_entries_parameters():
    gaussian, laplace = derive.derive("gaussian"), derive.derive("laplace")
    sigma, b = gaussian.fixed[0], laplace.fixed[0]
    # same location yhat: KL(N(yhat, sigma^2) || Laplace(yhat, b)) = E|x - yhat|/b + log(2b) - H(N)
    textbook = sigma * sp.sqrt(2 / sp.pi) / b + sp.log(2 * b) - sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    assert sp.simplify(sp.expand_log(gaussian.kl(laplace) - textbook, force=True)) == 0
    assert sp.simplify(gaussian.cross_entropy(laplace) - gaussian.entropy() - gaussian.kl(laplace)) == 0
    assert gaussian.kl(gaussian) == 0


def test_entry_without_a_family_or_pair_is_refused_by_name():
    with pytest.raises(Unsupported, match=r"^huber: the entry parametrises no family of derive.distributions"):
        derive.derive("huber").entropy()
    with pytest.raises(Unsupported, match=r"^no KL rule for P = bernoulli, Q = geometric; registered with "
                                          r"P = bernoulli: bernoulli, poisson$"):
        derive.derive("bernoulli").kl(derive.derive("geometric"))
