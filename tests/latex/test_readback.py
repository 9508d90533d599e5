"""Reading back what the printer shows: ``v`` for ``var``, ``\\lambda`` for ``lam``,
``\\epsilon`` for ``eps``, each symbol with its declared domain."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import ParseError
from derive.latex.parse import parse_latex, printed_name, readback_functions, readback_symbols
from derive.latex.render import latex

var = sp.Symbol("var", positive=True)
lam = sp.Symbol("lam", positive=True)
eps = sp.Symbol("eps", positive=True)
mu, y = sp.Symbol("mu", real=True), sp.Symbol("y", real=True)
i, n = sp.Symbol("i", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True)
MU, Y, VAR = (sp.IndexedBase(s) for s in (mu, y, var))


def test_the_reader_is_neutral() -> None:
    assert parse_latex("v") == sp.Symbol("v", real=True)
    assert parse_latex(r"\lambda").name == "lambda" and parse_latex(r"\epsilon").name == "epsilon"


def test_printed_names() -> None:
    assert [printed_name(n) for n in ("var", "lam_1", "eps", "yhat", "v")] == ["v", "lambda_1", "epsilon", "yhat", "v"]


def test_a_loss_and_its_dataset_loss_read_back() -> None:
    loss = sp.log(var) / 2 + (y - mu) ** 2 / (2 * var)
    dataset = sp.Sum(sp.log(VAR[i]) / 2 + (Y[i] - MU[i]) ** 2 / (2 * VAR[i]), (i, 1, n)) / n
    symbols = readback_symbols(loss, dataset)
    # == (name and assumptions): identity would depend on what is left in SymPy's cache
    assert symbols["v"] == var and symbols["v[]"] == VAR and symbols["mu"] == mu and symbols["mu[]"] == MU
    assert parse_latex(r"\frac{1}{2}\log v+\frac{(y-\mu)^2}{2v}", symbols=symbols) == loss
    written = r"\frac{1}{n}\sum_{i=1}^{n}\left(\frac{1}{2}\log v_i + \frac{(y_i-\mu_i)^2}{2 v_i}\right)"
    assert parse_latex(written, symbols=symbols) == dataset
    for expr in (loss, dataset, lam * sp.exp(-lam * y) + eps):
        assert parse_latex(latex(expr), symbols=readback_symbols(expr)) == expr


def test_a_named_index_is_still_refused_outside_its_sum() -> None:
    dataset = sp.Sum(VAR[i], (i, 1, n))
    with pytest.raises(ParseError, match="the index i of a .sum is used outside it"):
        parse_latex(r"\sum_{i=1}^{n} v_i + v_i", symbols=readback_symbols(dataset))


def test_two_objects_that_print_alike_are_refused() -> None:
    with pytest.raises(ValueError, match="both print as lambda"):
        readback_symbols(lam + sp.Symbol("lambda", positive=True))


def test_functions_and_constants_read_back() -> None:
    x = sp.Symbol("x", real=True)
    expr = sp.DiracDelta(x - 1) * sp.Function("q")(x) + sp.EulerGamma
    assert readback_functions(expr) == {"delta": sp.DiracDelta, "q": sp.Function("q")}
    assert parse_latex(r"\delta(x - 1) q(x) + \gamma", symbols=readback_symbols(expr),
                       functions=readback_functions(expr)) == expr
