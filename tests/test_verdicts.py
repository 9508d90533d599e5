"""Verdicts one can trust, by kind of trap: no domain from a name, sums as a textbook means
them, a probe that looks where differences hide, evidence told apart from proof, equations
read as equations, true identities not refuted, counterexamples that name the user's symbols.

Each refutation is checked against an independent evaluation: SymPy at the counterexample's
rational point (sizes first, sums written out by hand), never the probe's own numbers.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive import equivalent
from derive.cli import main
from derive.equivalence.verdict import VALUE_A, VALUE_B
from derive.errors import DeriveError
from derive.latex.parse import parse_latex
from derive.testing import EquivalenceAssertionError, assert_equivalent

OTHER_KEYS = (VALUE_A, VALUE_B, "others", "reason")


def _written_out(expr: sp.Basic) -> sp.Basic:
    """Sums and products with integer bounds written out, empty ones 0 and 1 (outermost first)."""
    if isinstance(expr, (sp.Sum, sp.Product)):
        var, lo, hi = expr.limits[-1]
        inner = type(expr)(expr.function, *expr.limits[:-1]) if len(expr.limits) > 1 else expr.function
        terms = [_written_out(inner.subs(var, v)) for v in range(int(lo), int(hi) + 1)]
        return sp.Add(*terms) if isinstance(expr, sp.Sum) else sp.Mul(*terms)
    if not expr.args:
        return expr
    return expr.func(*[_written_out(a) for a in expr.args])


def read_real(latex: str) -> sp.Basic:
    """The formula with every non-integer symbol a plain real (the parser alone gives some names
    a domain: sigma > 0)."""
    first = parse_latex(latex)
    names = {s.name for s in first.atoms(sp.Symbol) if not s.is_integer}
    names |= {str(b.label) for b in first.atoms(sp.IndexedBase)}
    return parse_latex(latex, symbols={name: sp.Symbol(name, real=True) for name in names})


def value_at(latex: str, point: dict) -> sp.Expr | None:
    """The formula at the point, by SymPy with every symbol read as real (None: not real)."""
    expr = read_real(latex)
    names = {str(s): s for s in expr.free_symbols | expr.atoms(sp.Indexed)}
    sizes = {names[k]: v for k, v in point.items() if k in names and getattr(names[k], "is_integer", False)}
    expr = _written_out(expr.xreplace(sizes))
    names = {str(s): s for s in expr.free_symbols | expr.atoms(sp.Indexed)}
    expr = expr.xreplace({names[k]: sp.Rational(v) for k, v in point.items() if k in names and k not in OTHER_KEYS})
    if expr.is_Rational:
        return expr
    value = sp.N(expr, 60)
    return value if value.is_real else None


def assert_refuted_at_a_real_difference(a: str, b: str, **kwargs) -> dict:
    verdict = equivalent(a, b, **kwargs)
    assert verdict.holds is False, verdict
    point = verdict.counterexample
    assert all(isinstance(v, sp.Rational) for k, v in point.items() if k not in OTHER_KEYS), point
    va, vb = value_at(a, point), value_at(b, point)
    assert va is not None or vb is not None
    assert va is None or vb is None or abs(va - vb) > 0, (va, vb)
    return point


# --------------------------------------------------------------------------- 1. no domain from a name


@pytest.mark.parametrize("a, b", [
    (r"|\beta_1| + |\beta_2|", r"\beta_1 + \beta_2"),
    (r"\sqrt{b^2}", "b"),
    (r"\max(0, s)", "s"),
    (r"|\alpha|", r"\alpha"),
    (r"\sqrt{\sigma^2}", r"\sigma"),
    (r"\log(\lambda^2)", r"2\log\lambda"),
    (r"\max(0, p)", "p"),
    (r"\sqrt{\gamma^2} + \kappa", r"\gamma + |\kappa|"),
])
def test_a_name_implies_no_domain(a, b):
    point = assert_refuted_at_a_real_difference(a, b)
    assert any(v < 0 for k, v in point.items() if k not in OTHER_KEYS)
    assert all("real (default)" in note for note in equivalent(a, b).assumptions)


@pytest.mark.parametrize("a, b, assume", [
    (r"\sqrt{b^2}", "b", "b > 0"),
    (r"\max(0, s)", "s", {"s": "positive"}),
    (r"|\beta_1| + |\beta_2|", r"\beta_1 + \beta_2", "beta_1 >= 0, beta_2 >= 0"),
    (r"\sqrt{\sigma^2}", r"\sigma", "conventions"),
])
def test_assumptions_are_given_explicitly_and_listed(a, b, assume):
    verdict = equivalent(a, b, assume=assume)
    assert verdict.holds is True, verdict
    assert any("given" in note or "conventions" in note for note in verdict.assumptions), verdict.assumptions


def test_a_catalogue_entry_declares_its_domains_and_only_those():
    from derive.checks import compare, entry_assumptions
    from derive.engine import derive

    laplace = derive("asymmetric_laplace")
    assert entry_assumptions(laplace).domains["q"] == sp.S.Reals  # q is a location, not a probability
    tweedie = derive("tweedie")
    assert entry_assumptions(tweedie).domains["p"] == sp.Interval.open(1, 2)
    # equal wherever 1 < p < 2: never refuted; differs as soon as p > 1: refuted with 1 < p < 2
    same = compare(tweedie, tweedie.loss + sp.Max(0, 1 - sp.Symbol("p")))
    assert same.holds is not False and "1 < p < 2 (declared by tweedie)" in same.assumptions
    verdict = compare(tweedie, tweedie.loss + sp.Max(0, sp.Symbol("p") - 1))
    assert verdict.holds is False and 1 < verdict.counterexample["p"] < 2


# --------------------------------------------------------------------------- 2. sums and products


@pytest.mark.parametrize("a, b", [
    (r"\sum_{i=1}^{n}\sum_{j=1}^{i} 1", "n i"),
    (r"\sum_{i=5}^{n} 1", "n - 4"),
    (r"\sum_{i=3}^{n} i", r"\frac{n(n+1)}{2} - 3"),
    (r"\prod_{i=3}^{n} 2", "2^{n-2}"),
    (r"\sum_{i=1}^{n}\sum_{j=i}^{n} 1", "n^2"),
    (r"\sum_{k=3}^{K} y", r"(K - 2) y"),
])
def test_sums_are_empty_below_their_lower_bound_and_inner_bounds_follow_the_outer_index(a, b):
    assert_refuted_at_a_real_difference(a, b)


@pytest.mark.parametrize("a, b, assume", [
    (r"\sum_{i=1}^{n} 1", "n", None),
    (r"\sum_{i=0}^{n-1} 1", "n", None),
    (r"\sum_{i=5}^{n} 1", "n - 4", "n >= 4"),
    (r"\sum_{i=1}^{n}\sum_{j=1}^{i} 1", r"\frac{n(n+1)}{2}", None),
    (r"\prod_{i=1}^{n} 2", "2^{n}", None),
])
def test_sums_that_are_never_shorter_than_empty_are_proved(a, b, assume):
    assert equivalent(a, b, assume=assume).holds is True


def test_a_per_example_matrix_depends_on_the_example():
    """gaussian_covariance's dataset NLL has a y_i, mu_i per example; n copies of one example is
    not it (and the checker must not agree with n copies)."""
    from derive.engine import derive

    d = derive("gaussian_covariance")
    (column,) = [m for m in d.dataset_loss.atoms(sp.MatrixSymbol) if m.name == "y_i"]
    copies = d.dataset_loss.xreplace({m: sp.MatrixSymbol(m.name[:-2], *m.shape)
                                      for m in d.dataset_loss.atoms(sp.MatrixSymbol) if m.name.endswith("_i")})
    assert column.shape[1] == 1 and copies != d.dataset_loss
    verdict = equivalent(d.dataset_loss, copies, params=d.params)
    assert verdict.holds is False and "n" in verdict.counterexample


# --------------------------------------------------------------------------- 3. where differences hide


@pytest.mark.parametrize("a, b", [
    (r"\min(x, 5)", "x"),
    (r"\max(x, -7)", "x"),
    (r"\binom{n}{13}", "0"),
    (r"\binom{n}{40}", "0"),
    ("2^{14000}", "2^{14000} + 1"),
    ("x", "x + 10^{-46}"),
    ("x", r"x + 10^{-60} x"),
    ("(x^2)^b", "x^{2b}"),
    (r"\sqrt{x^2}", "x"),
    (r"|x - 3| + 1", "x - 2"),
    (r"x + \max(0, x - 10^{7})", "x"),
    (r"x + \max(0, 10^{-7} - x^2)", "x"),
])
def test_the_probe_finds_differences_at_kinks_magnitudes_sizes_and_exactly(a, b):
    assert_refuted_at_a_real_difference(a, b)


def test_a_side_that_is_not_real_where_the_other_is_is_a_difference():
    verdict = equivalent(r"\log(x^2)", r"2\log x")
    assert verdict.holds is False and verdict.counterexample["x"] < 0
    assert verdict.counterexample[VALUE_B] == "undefined"
    both = equivalent(r"\log(-1 - x^2)", r"2\log(-1 - x^2)")  # undefined everywhere on both sides
    assert both.holds is not False


# --------------------------------------------------------------------------- 4. evidence is not proof


def test_numeric_agreement_is_evidence_not_proof():
    verdict = equivalent(r"\log\cosh x", r"x + \log(1 + e^{-2x}) - \log 2")
    assert verdict.holds is None and verdict.numerical and not verdict
    assert verdict.evidence.points >= 8 and verdict.evidence.digits >= 50
    assert "checked numerically" in str(verdict)


def test_the_cli_exits_by_proof_refutation_or_neither(capsys):
    assert main(["check", "gaussian", r"(y-\hat{y})^2 + \max(0,\hat{y}-5)"]) == 1
    out = capsys.readouterr().out
    assert "refuted" in out and "assuming:" in out and "counterexample" in out
    assert main(["check", "gaussian_variance", r"\frac{1}{2}\log v+\frac{(y-\mu)^2}{2v}"]) == 0
    assert "assuming:" in capsys.readouterr().out
    assert main(["equiv", r"\log\cosh x", r"x + \log(1 + e^{-2x}) - \log 2"]) == 3
    assert main(["equiv", r"\log\cosh x", r"x + \log(1 + e^{-2x}) - \log 2", "--accept-numeric"]) == 0
    assert "not proved" in capsys.readouterr().out
    assert main(["equiv", r"\sqrt{b^2}", "b"]) == 1
    assert main(["equiv", r"\sqrt{b^2}", "b", "--assume", "b > 0"]) == 0
    assert main(["equiv", "a + 3z = 0", "0"]) == 2
    assert main(["equiv", "x", "x", "--assume", "x >"]) == 2


# --------------------------------------------------------------------------- 5. equations


@pytest.mark.parametrize("a, b, holds", [
    ("x = 1", "y = 1", False),
    ("x = 1", "x = 2", False),
    ("x^2 = 1", "x = 1", False),
    ("x + y = 1", "2x + 2y = 2", True),
    ("x - 1 = 0", "1 = x", True),
])
def test_equations_compare_as_equations(a, b, holds):
    verdict = equivalent(a, b)
    assert verdict.holds is holds, verdict
    if holds is False:
        point = {k: v for k, v in verdict.counterexample.items() if k not in OTHER_KEYS}
        lhs = [read_real(t) for t in (a, b)]
        residues = [(e.lhs - e.rhs).xreplace({s: point[s.name] for s in e.free_symbols}) for e in lhs]
        assert sorted(r == 0 for r in residues) == [False, True]  # solves one, not the other


@pytest.mark.parametrize("labelled", [
    r"\mathcal{L} = (y - \hat{y})^2",
    r"\ell(\hat{y}) = (y - \hat{y})^2",
    r"L = (y - \hat{y})^2",
    r"H(P, Q) = (y - \hat{y})^2",
    r"-\log p(y \mid \hat{y}) = (y - \hat{y})^2",
])
def test_a_labelled_equation_is_its_right_side(labelled):
    assert equivalent(labelled, r"(y - \hat{y})^2").holds is True
    assert equivalent(labelled, r"(y + \hat{y})^2").holds is False


@pytest.mark.parametrize("a, b", [("a + 3z = 0", "0"), ("x = 1", "1"), ("x = y", "x - y")])
def test_an_equation_is_never_an_expression(a, b):
    with pytest.raises(DeriveError, match="an equation is compared only with an equation"):
        equivalent(a, b)


# --------------------------------------------------------------------------- 6. true identities hold


@pytest.mark.parametrize("a, b", [
    (r"-\sum_k y_k \log\hat{y}_k", r"-\sum_j y_j \log\hat{y}_j"),
    (r"\sum_{i=1}^{2} y_i", "y_1 + y_2"),
    (r"\sum_{i=1}^{3} y_i^2", "y_1^2 + y_2^2 + y_3^2"),
    ("2^{20000}", "2^{20000}"),
    (r"\sum_{i=1}^{n} (y_i - \hat{y}_i)^2", r"\sum_{j=1}^{n} (\hat{y}_j - y_j)^2"),
])
def test_true_identities_are_proved(a, b):
    assert_equivalent(a, b)


@pytest.mark.parametrize("name, latex", [
    ("categorical", r"-\sum_k y_k\log\hat{y}_k"),
    ("categorical_logits", r"-\log\frac{e^{z_c}}{\sum_{j=1}^{K}e^{z_j}}"),
    ("gaussian_variance", r"\frac{1}{2}\log v+\frac{(y-\mu)^2}{2v}"),
    ("bernoulli", r"-y\log\hat{y} - (1-y)\log(1-\hat{y}) + \max(0, y - 1)"),
])
def test_the_documented_checks_pass(name, latex):
    assert main(["check", name, latex]) == 0


def test_huge_numbers_and_constant_sides_are_no_error():
    assert equivalent("n", "n^2").holds is False
    assert equivalent("2^{20000}", "2^{20000} + 1").holds is False


def test_an_integral_of_a_density_is_not_refuted_by_quadrature_noise():
    verdict = equivalent(sp.Integral(sp.exp(-sp.Symbol("t", real=True) ** 2 / 2) / sp.sqrt(2 * sp.pi),
                                     (sp.Symbol("t", real=True), -sp.oo, sp.oo)), sp.Integer(1))
    assert verdict.holds is not False


# --------------------------------------------------------------------------- 7. counterexamples


def test_counterexamples_keep_the_users_a_and_b():
    verdict = equivalent("a + b", "a - b")
    found = verdict.counterexample
    assert verdict.holds is False and found["b"] != 0
    assert found[VALUE_A] == found["a"] + found["b"] and found[VALUE_B] == found["a"] - found["b"]


def test_counterexamples_respect_data_domains():
    from derive.checks import compare
    from derive.engine import derive

    d = derive("bernoulli")
    verdict = compare(d, r"-y\log\hat{y} - (1-y)\log(1-\hat{y}) + (y^2+y)\hat{y}")
    assert verdict.holds is False and verdict.counterexample["y"] in (0, 1)
    assert 0 < verdict.counterexample["yhat"] < 1


# --------------------------------------------------------------------------- the property


X, N = sp.Symbol("x", real=True), sp.Symbol("n", integer=True, positive=True)
BASES = [X**2, sp.exp(X) + X, sp.log(1 + X**2), sp.Abs(X) + 3 * X, X**3 - X, sp.cos(X)]


@st.composite
def bumped(draw) -> tuple[sp.Expr, sp.Expr]:
    f = draw(st.sampled_from(BASES))
    height = sp.Rational(draw(st.integers(1, 9)), 10 ** draw(st.integers(0, 12)))
    kind = draw(st.sampled_from(["narrow", "large", "size"]))
    if kind == "narrow":
        center = sp.Rational(draw(st.integers(-10**6, 10**6)), draw(st.integers(1, 1000)))
        width = sp.Rational(1, 10 ** draw(st.integers(2, 6)))
        g = height * sp.Max(0, width - sp.Abs(X - center))
    elif kind == "large":
        g = height * sp.Max(0, X - 10 ** draw(st.integers(3, 7)))
    else:
        g = height * sp.KroneckerDelta(N, draw(st.integers(1, 120)))
        f = f + N
    return f, f + g


@settings(max_examples=30, deadline=None, derandomize=True)
@given(pair=bumped())
def test_a_function_plus_a_small_bump_is_never_proved_equal(pair):
    f, g = pair
    assert equivalent(f, g, timeout=3).holds is not True


# --------------------------------------------------------------------------- the pytest helper


def test_assert_equivalent_passes_on_a_proof_and_explains_a_failure():
    verdict = assert_equivalent(r"-y\log p - (1-y)\log(1-p)", r"y\log\frac{1}{p} + (1-y)\log\frac{1}{1-p}",
                                assume="0 < p < 1")
    assert verdict.holds is True
    with pytest.raises(EquivalenceAssertionError) as failure:
        assert_equivalent(r"\sqrt{b^2}", "b")
    message = str(failure.value)
    for part in ("refuted", "a:      Abs(b)", r"a (TeX): \sqrt{b^2}", "assuming: b real (default)", "counterexample: at b=-"):
        assert part in message, message
    assert failure.value.verdict.holds is False


def test_assert_equivalent_accepts_numeric_evidence_only_when_asked():
    pair = (r"\log\cosh x", r"x + \log(1 + e^{-2x}) - \log 2")
    with pytest.raises(AssertionError, match="agree numerically"):
        assert_equivalent(*pair)
    assert assert_equivalent(*pair, accept_numeric=True).numerical


# --------------------------------------------------------------------------- the catalogue's references

#: References that agree with their derivation only numerically (no symbolic proof): the
#: documents say "checked numerically at ...", never "proved".  The test turns red when one
#: of them is proved, or when another reference loses its proof.
NUMERICAL_ONLY = {("huber", 0)}


def test_every_reference_is_proved_or_visibly_only_checked_numerically():
    from derive.assumptions import names
    from derive.checks import check

    statuses = {(name, n): c.status for name in names() for n, c in enumerate(check(name))}
    assert "unexpected" not in statuses.values(), {k: v for k, v in statuses.items() if v == "unexpected"}
    assert {k for k, v in statuses.items() if v == "checked numerically"} == NUMERICAL_ONLY
    for name, n in NUMERICAL_ONLY:
        c = check(name)[n]
        assert c.ok and not c.proved and c.verdict.holds is None and c.verdict.evidence.points >= 8


# --------------------------------------------------------------------------- points out of the probe's range


def test_a_point_whose_exponential_no_digits_can_hold_is_skipped_not_undefined():
    """exp(-(|y - mu|/alpha)^beta) at a sampled point with beta ~ 5e5 is exp(-10^(10^6)): mpmath
    would take minutes on it.  Such a point is skipped (neither side known there), so the check
    still ends, and the pair (the generalised Gaussian's NLL expanded) is proved."""
    from derive.equivalence.probe import _exp, _pow, _OutOfRange

    with pytest.raises(_OutOfRange):
        _exp(sp.Float("-1e200"))
    with pytest.raises(_OutOfRange):
        _pow(1723, 471188 * 10**95)
    assert _exp(2) == pytest.approx(7.38905609893065)
    a = parse_latex(r"- \log\left(\frac{1}{2 \alpha \Gamma\left(1 + \frac{1}{\beta}\right)} "
                    r"\exp\left(- \left(\frac{|y - \mu|}{\alpha}\right)^{\beta}\right)\right)")
    b = parse_latex(r"\left(\frac{|y - \mu|}{\alpha}\right)^{\beta} + \log\left(2 \alpha \Gamma\left(1 + \frac{1}{\beta}\right)\right)")
    verdict = equivalent(a, b, assume={"alpha": "positive", "beta": "positive"}, timeout=30)
    assert verdict.holds is True and not verdict.numerical
