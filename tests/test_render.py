"""The textbook printer and the row layout.

Exact-string tests are limited to rules of OUR printer (positive terms first, coefficient
before a sum, data before its log, log bases, indexed symbols, parentheses): SymPy is pinned
to 1.14.0 (pyproject), and the strings below come from our ``_print_<Class>`` methods, not
from SymPy's defaults.  Everything else is compared structurally or parsed back.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp

import derive
from derive.config import ConfigError, PrinterConfig
from derive.latex.parse import parse_latex, readback_functions, readback_symbols
from derive.latex.render import (ARTICLE, MARKDOWN, SLIDE, TextbookPrinter, emit_align, formula_lines, latex,
                                 layout_rows, left_column, log_notation, render_steps, tex_height, tex_width,
                                 text_escape, written_lines)

y, yhat, sigma, p = sp.symbols("y yhat sigma p", positive=True)
Y, YH, P = sp.IndexedBase("y"), sp.IndexedBase("yhat"), sp.IndexedBase("p")
i, k, n, K = sp.symbols("i k n K", integer=True, positive=True)

# (expression, exact LaTeX) -- each row one printer rule.
RULES = [
    pytest.param(y - yhat, r"y - \hat{y}", id="positive-terms-first"),
    pytest.param(-yhat + 1, r"1 - \hat{y}", id="positive-constant-first"),
    pytest.param(sp.log(yhat) * y, r"y \log \hat{y}", id="data-before-log"),
    pytest.param(sp.Sum(Y[i] * sp.log(YH[i]), (i, 1, n)) / n,
                 r"\frac{1}{n} \sum_{i=1}^{n} y_{i} \log \hat{y}_{i}", id="coefficient-before-sum"),
    pytest.param(sp.log(y) / sp.log(2), r"\log_{2} y", id="log-base-2"),
    pytest.param(-sp.Sum(P[k] * sp.log(P[k]), (k, 1, K)) / sp.log(2),
                 r"- \sum_{k=1}^{K} p_{k} \log_{2} p_{k}", id="entropy-in-bits"),
    pytest.param(Y[i], r"y_{i}", id="indexed"),
    pytest.param(YH[i, k], r"\hat{y}_{ik}", id="indexed-two-indices"),
    pytest.param(sp.log(1 - yhat), r"\log(1 - \hat{y})", id="log-parens-around-a-sum"),
    pytest.param(sp.log(2) / 2, r"\frac{1}{2} \log 2", id="log-of-a-number-coefficient-first"),
    pytest.param(sp.log(y / sigma), r"\log\left(\frac{y}{\sigma}\right)", id="tall-argument-left-right"),
    pytest.param((y - yhat) ** 2 / (2 * sigma**2), r"\frac{(y - \hat{y})^{2}}{2 \sigma^{2}}",
                 id="plain-parens-when-flat"),
    pytest.param(sp.exp(-(y - yhat) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2),
                 r"\frac{1}{\sigma \sqrt{2 \pi}} \exp\left(- \frac{(y - \hat{y})^{2}}{2 \sigma^{2}}\right)",
                 id="gaussian-density"),
    pytest.param(sp.exp(-y), r"e^{- y}", id="flat-exponent-e"),
    pytest.param(-sp.Sum(-sp.Sum(Y[i, k] * sp.log(YH[i, k]), (k, 1, K)), (i, 1, n)) * -1,
                 r"- \sum_{i=1}^{n} \sum_{k=1}^{K} y_{ik} \log \hat{y}_{ik}", id="minus-before-sums"),
    pytest.param(sp.Sum(-Y[i] * sp.log(YH[i]) - (1 - Y[i]) * sp.log(1 - YH[i]), (i, 1, n)) / n,
                 r"- \frac{1}{n} \sum_{i=1}^{n} [y_{i} \log \hat{y}_{i} + (1 - y_{i}) \log(1 - \hat{y}_{i})]",
                 id="bce-brackets-and-sign"),
    pytest.param(sp.log(sp.gamma(y)), r"\log \Gamma(y)", id="log-gamma"),
    pytest.param(sp.Abs(y - yhat), r"|y - \hat{y}|", id="abs"),
]


@pytest.mark.parametrize("expr, expected", RULES)
def test_printer_rule(expr, expected):
    assert latex(expr) == expected


def test_ln_notation_and_the_log_base_stays():
    config = PrinterConfig(log="ln")
    assert latex(sp.log(yhat) * y, config) == r"y \ln \hat{y}"
    assert latex(sp.log(y) / sp.log(2), config) == r"\log_{2} y"


def test_log_parens_always():
    assert latex(sp.log(yhat), PrinterConfig(log_parens="always")) == r"\log(\hat{y})"


def test_piecewise_with_a_shared_term_prints_the_term_outside():
    x, d = sp.symbols("x delta", positive=True)
    expr = sp.Piecewise((x**2 / 2 + sp.log(d), x < d), (x + sp.log(d), True))
    tex = latex(expr)
    assert tex.count(r"\log \delta") == 1 and r"\begin{cases}" in tex


# --------------------------------------------------------------------------- parsed back

ROUND_TRIP = [
    y - yhat,
    sp.log(yhat) * y,
    -y * sp.log(yhat) - (1 - y) * sp.log(1 - yhat),
    (y - yhat) ** 2 / (2 * sigma**2) + sp.log(sigma) + sp.log(2) / 2,
    sp.log(y) / sp.log(2),
    sp.exp(-(y - yhat) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2),
    sp.Sum((Y[i] - YH[i]) ** 2, (i, 1, n)) / n,
    -sp.Sum(Y[i] * sp.log(YH[i]) + (1 - Y[i]) * sp.log(1 - YH[i]), (i, 1, n)) / n,
]


@pytest.mark.parametrize("expr", ROUND_TRIP, ids=[str(e)[:40] for e in ROUND_TRIP])
def test_printed_latex_parses_back_to_the_same_expression(expr):
    verdict = derive.equivalent(expr, latex(expr), mode="exact")
    assert verdict.holds is True, (latex(expr), verdict)


@pytest.mark.parametrize("name", ["gaussian", "bernoulli", "categorical"])
def test_classic_losses_parse_back(name):
    d = derive.derive(name)
    for target in ("loss", "dataset_loss"):
        expr = getattr(d, target)
        tex = latex(expr, lead_symbols=tuple(d.params))
        assert derive.equivalent(expr, tex, params=d.params, mode="exact").holds is True, (name, target, tex)


# --------------------------------------------------------------------------- settings


def test_config_rejects_unknown_keys_and_bad_values():
    with pytest.raises(ConfigError, match=r"^unknown printer setting\(s\) colour; known: log, "):
        PrinterConfig.from_mapping({"colour": "red"})
    with pytest.raises(ConfigError, match=r"^printer setting log='log10': expected one of 'log', 'ln'$"):
        PrinterConfig(log="log10")
    assert PrinterConfig.from_mapping({"log": "ln"}).log == "ln"
    with pytest.raises(Exception):
        PrinterConfig().log = "ln"  # frozen


def test_printer_rejects_unknown_settings():
    with pytest.raises(TypeError, match="Unknown setting 'colour'"):
        TextbookPrinter({"colour": "red"})


# --------------------------------------------------------------------------- fragments


def test_text_escape_keeps_math_and_commands():
    assert text_escape(r"gaussian_nll_loss at $a_b$, 50% \emph{x}") == r"gaussian\_nll\_loss at $a_b$, 50\% \emph{x}"
    assert text_escape(r"already \_ escaped") == r"already \_ escaped"


def test_log_notation_rewrites_control_words_only():
    ln = PrinterConfig(log="ln")
    assert log_notation(r"-\log \prod_{i} p(y_i) + \log_2 x + \logit", ln) == r"-\ln \prod_{i} p(y_i) + \log_2 x + \logit"
    assert log_notation(r"-\log{\log x}", ln) == r"-\ln{\ln x}"
    assert log_notation(r"-\log x", PrinterConfig()) == r"-\log x"


def test_width_and_height_estimates_order_things_sensibly():
    assert tex_width(r"y") < tex_width(r"y - \hat{y}") < tex_width(r"\frac{(y - \hat{y})^{2}}{2 \sigma^{2}} + \log \sigma")
    assert tex_width(r"\frac{a + b + c}{d}") < tex_width(r"a + b + c + d")
    assert tex_height(r"y") < tex_height(r"\frac{y}{2}") < tex_height(r"\frac{1}{n} \sum_{i=1}^{n} \frac{y_i}{2}")
    # a subscript or a superscript does not make a row taller than a line (TeX's own rule)
    assert tex_height(r"\sigma_{p}") == tex_height(r"\sigma^{2}") == tex_height(r"y")
    # \int\limits puts the bounds above and below: taller than side bounds
    assert tex_height(r"\int\limits_{-\infty}^{\infty} f") > tex_height(r"\int_{-\infty}^{\infty} f")


# --------------------------------------------------------------------------- rows


def test_rows_drop_constants_under_a_brace_then_name_the_loss():
    d = derive.derive("gaussian")
    tex = render_steps(d.steps, params=d.params)
    assert tex.startswith(r"\begin{align*}") and tex.endswith(r"\end{align*}")
    assert r"\underbrace{\log \sigma + \frac{1}{2} \log(2 \pi)}_{\text{const.\ in }\hat{y}}" in tex
    rows = [r for r in tex.split("\\\\") if "&" in r]
    braced = next(index for index, r in enumerate(rows) if r"\underbrace" in r)
    assert r"\ell(\hat{y}) &= (y - \hat{y})^{2}" in rows[braced + 1]
    assert r"\propto" not in tex


def test_a_row_repeating_the_one_above_is_not_shown():
    d = derive.derive("bernoulli")  # nothing to drop: the "split" step repeats "expand"
    rows = layout_rows(d.steps, params=d.params)
    labels = [r.label for r in rows]
    assert "split" not in labels and "expand" in labels
    assert rows[labels.index("loss")].lhs == r"\ell(\hat{y})"  # the loss named, not repeated silently


@pytest.mark.parametrize("layout", [ARTICLE, SLIDE], ids=["article", "slide"])
def test_every_registered_derivation_fits_the_width(layout):
    too_wide = []
    for name in derive.names():
        d = derive.derive(name)
        rows = layout_rows(d.steps, params=d.params, layout=layout)
        # TeX starts every right side of an align block at its left column (2 quads under \MoveEqLeft[2]),
        # whatever the row's own left side
        start = left_column(rows, layout.indent)
        assert start >= max([tex_width(r.lhs) for r in rows if not r.wide_lhs] + [0.0])
        for row in rows:
            for line in row.lines:
                if start + tex_width(row.relation + " " + line) > layout.width + 1e-9:
                    too_wide.append((name, row.label, line[:60]))
    assert not too_wide, f"rows wider than the page (add a split rule): {too_wide}"


#: Entries whose rows need every split rule: a sum in brackets inside a sum, cases split within a
#: branch, a fraction split into 1/denominator and the factors of its numerator.
SPLIT = ["zero_inflated_negative_binomial", "hurdle_negative_binomial", "tobit"]


@pytest.mark.parametrize("layout", [ARTICLE, SLIDE], ids=["article", "slide"])
def test_rows_split_over_lines_read_back_as_their_steps(layout):
    """The split rules only lay out: the lines of a row, joined as a multi-line display (each
    continuation line starts with an operator, brackets may open and close on different lines,
    a line of cases that starts with an operator continues the branch above), read back as the
    step's expression."""
    seen = set()
    for name in SPLIT:
        d = derive.derive(name)
        steps = {s.label: s for s in d.steps}
        for row in layout_rows(d.steps, params=d.params, layout=layout):
            if len(row.lines) < 2 or r"\underbrace" in row.lines[-1]:
                continue
            for line in row.lines[1:]:
                assert re.match(r"^(\\times|[-+]) ", line), line
            seen |= {rule for rule, mark in (("brackets", r"\biggr)"), ("cases", r"\\ \quad "), ("factors", r"\times"))
                     if any(mark in line for line in row.lines)}
            expr = steps[row.label].expr
            got = parse_latex(" \\\\ &\\quad ".join(row.lines), symbols=readback_symbols(expr),
                              functions=readback_functions(expr))
            assert got == expr or sp.simplify(got - expr) == 0, (name, row.label)
    assert seen == {"brackets", "cases", "factors"}


@pytest.mark.parametrize("layout", [ARTICLE, SLIDE], ids=["article", "slide"])
def test_every_registered_loss_and_dataset_loss_fits_the_width_as_a_formula(layout):
    """``ell(params) = loss`` and ``bar ell = dataset loss``, in lines by :func:`formula_lines`: the
    first line after its left side, the others one quad in."""
    too_wide = []
    for name in derive.names():
        d = derive.derive(name)
        printer = TextbookPrinter.from_config(lead_symbols=tuple(d.params))
        for lhs, expr in ((r"\ell", d.loss), (r"\bar{\ell}", d.dataset_loss)):
            lines = formula_lines(lhs, expr, printer, layout.width, layout.indent)
            for index, line in enumerate(lines):
                start = tex_width(lhs + " =") if index == 0 else tex_width(lhs + " =") + layout.indent
                if start + tex_width(line) > layout.width + 1e-9:
                    too_wide.append((name, lhs, line[:60]))
    assert not too_wide, f"formulas wider than the page: {too_wide}"


def test_a_hand_written_formula_breaks_before_a_binary_sign_outside_brackets():
    tex = r"-\mathbb{1}[y = 0]\log\left(\omega + (1 - \omega)e^{-\lambda}\right) - (1 - \mathbb{1}[y = 0])\left(a - b\right) + c"
    assert written_lines(tex, None) == [tex] and written_lines(tex, 100.0) == [tex]
    lines = written_lines(tex, 12.0)
    assert lines == [r"-\mathbb{1}[y = 0]\log\left(\omega + (1 - \omega)e^{-\lambda}\right)",
                     r"- (1 - \mathbb{1}[y = 0])\left(a - b\right)", "+ c"]
    assert written_lines(r"a^{-1} + \frac{b - c}{2}", 3.0) == ["a^{-1}", r"+ \frac{b - c}{2}"]  # no break in braces
    assert written_lines(r"\left(a - b - c - d - e - f\right)", 3.0) == [r"\left(a - b - c - d - e - f\right)"]


@pytest.mark.parametrize("name", SPLIT)
def test_every_reference_of_the_split_entries_fits_when_broken(name):
    """The references of the three entries were the widest hand-written formulas of the article."""
    d = derive.derive(name)
    for ref in d.assumption.references:
        lines = written_lines(ref.latex, ARTICLE.width - tex_width(r"\ell(\omega, \mu) ="), ARTICLE.indent)
        assert all(tex_width(line) <= ARTICLE.width - tex_width(r"\ell(\omega, \mu) =") for line in lines), lines


def test_overlays_wrap_every_cell_and_markdown_has_no_intertext():
    d = derive.derive("gaussian")
    rows = layout_rows(d.steps, params=d.params, layout=SLIDE)
    tex = emit_align(rows, SLIDE, overlays=list(range(1, len(rows) + 1)))
    assert r"\pause" not in tex
    for index in range(1, len(rows) + 1):
        assert rf"\visible<{index}->{{" in tex
    md = emit_align(layout_rows(d.steps, params=d.params, layout=MARKDOWN), MARKDOWN, environment="aligned")
    assert md.startswith(r"\begin{aligned}")
    assert not re.search(r"\\(intertext|MoveEqLeft|visible|small)\b", md)


def test_constant_logs_with_one_coefficient_are_one_log():
    from derive.latex.printer import collect_constant_logs

    sigma = sp.Symbol("sigma", positive=True)
    expr = sp.log(sigma) + sp.log(2) / 2 + sp.log(sp.pi) / 2
    tidy = collect_constant_logs(expr)
    assert sp.expand(sp.expand_log(tidy - expr, force=True)) == 0
    assert latex(expr) == r"\log \sigma + \frac{1}{2} \log(2 \pi)"


def test_residual_first_inside_an_absolute_value_and_over_a_denominator():
    y, mu = sp.Symbol("y", real=True), sp.Symbol("mu", real=True)
    b = sp.Symbol("b", positive=True)
    assert latex(sp.Abs(mu - y), lead_symbols=(mu,)) == r"|y - \mu|"
    assert latex(sp.Abs(mu - y) / b, lead_symbols=(mu,)) == r"\frac{|y - \mu|}{b}"


def test_one_before_an_exponential_and_softplus_on_request():
    z, y = sp.Symbol("z", real=True), sp.Symbol("y")
    expr = sp.log(1 + sp.exp(z)) - y * z
    assert latex(expr, lead_symbols=(z,)).startswith(r"\log(1 + e^{z})")
    assert latex(expr, PrinterConfig(softplus=True), lead_symbols=(z,)).startswith(r"\operatorname{softplus}(z)")


def test_steps_repeating_an_expression_are_merged():
    from derive.latex.layout import merge_repeats
    from derive.steps import Step

    x = sp.Symbol("x")
    steps = [Step("a", x**2, "density", lhs="p(x)"), Step("b", x**2, "likelihood", lhs=r"\mathcal{L}"),
             Step("c", x**2 + 1, "expand"), Step("d", x**2 + 1, "constants", dropped=(sp.Integer(1),))]
    merged = merge_repeats(steps)
    assert [(s.label, s.lhs, s.note) for s in merged] == [
        ("a", r"\mathcal{L} = p(x)", "density; likelihood"), ("d", None, "expand; constants")]


def test_two_steps_under_one_name_with_one_expression_are_one_row():
    """Two framework functions with the same relation (mse_loss, mean_squared_error): one row
    whose note names both, not ``-log p = -log p = ...``."""
    from derive.latex.layout import merge_repeats
    from derive.steps import Step

    f = sp.Symbol("f")
    nll = r"-\log p(y \mid \hat{y})"
    merged = merge_repeats([Step("peer", 2 * f, "$f$ = a", lhs=nll), Step("peer", 2 * f, "$f$ = b", lhs=nll)])
    assert [(s.lhs, s.note) for s in merged] == [(nll, "$f$ = a; $f$ = b")]


def test_a_factor_written_as_the_argument_of_its_log():
    p = sp.Symbol("p", positive=True)
    entropy = (p - 1) * sp.log(1 - p) - p * sp.log(p)  # SymPy's form of the Bernoulli entropy
    tex = latex(entropy)
    assert tex == r"- p \log p - (1 - p) \log(1 - p)"
    assert sp.expand(entropy - (-p * sp.log(p) - (1 - p) * sp.log(1 - p))) == 0
