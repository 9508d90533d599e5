"""SymPy's own LaTeX-parser test pairs (sympy/parsing/tests/test_latex.py, GOOD_PAIRS), copied
as data with SymPy's expected values.  In scope: all but limits and integrals (derive reads
neither as a loss).  ``options`` give the reading SymPy's pair assumes where derive's default
differs: ``\\log`` is base 10 there (``log_base=10``), ``\\pi`` a symbol in one pair.  Calls of
symbols (``theta(x)``, written for an older SymPy) are calls of functions of that name."""

from __future__ import annotations

from sympy import (
    Abs, Add, Derivative, E, Eq, Function, GreaterThan, LessThan, Mul, Pow, Product, StrictGreaterThan, StrictLessThan,
    Sum, Symbol, asin, cos, csc, factorial, log, oo, root, sec, sin, sqrt, tan,
)
from sympy.abc import a, b, c, k, n, t, x, y

theta = Symbol("theta")
f = Function("f")  # sympy.abc's f, called as a function in SymPy's pairs


def _Add(a, b):
    return Add(a, b, evaluate=False)


def _Mul(a, b):
    return Mul(a, b, evaluate=False)


def _Pow(a, b):
    return Pow(a, b, evaluate=False)


def _Abs(a):
    return Abs(a, evaluate=False)


def _factorial(a):
    return factorial(a, evaluate=False)


def _log(a, b):
    return log(a, b, evaluate=False)


BASE10 = {"log_base": 10}

#: (latex, SymPy's expected value, options): the in-scope pairs.
PAIRS = [
    ("0", 0, {}),
    ("1", 1, {}),
    ("-3.14", _Mul(-1, 3.14), {}),
    ("(-7.13)(1.5)", _Mul(_Mul(-1, 7.13), 1.5), {}),
    ("x", x, {}),
    ("2x", 2 * x, {}),
    ("x^2", x**2, {}),
    ("x^{3 + 1}", x**_Add(3, 1), {}),
    ("-c", -c, {}),
    ("a \\cdot b", a * b, {}),
    ("a / b", a / b, {}),
    ("a \\div b", a / b, {}),
    ("a + b", a + b, {}),
    ("a + b - a", _Add(a + b, -a), {}),
    ("a^2 + b^2 = c^2", Eq(a**2 + b**2, c**2), {}),
    ("\\sin \\theta", sin(theta), {}),
    ("\\sin(\\theta)", sin(theta), {}),
    ("\\sin^{-1} a", asin(a), {}),
    ("\\sin a \\cos b", _Mul(sin(a), cos(b)), {}),
    ("\\sin \\cos \\theta", sin(cos(theta)), {}),
    ("\\sin(\\cos \\theta)", sin(cos(theta)), {}),
    ("\\frac{a}{b}", a / b, {}),
    ("\\frac{a + b}{c}", _Mul(a + b, _Pow(c, -1)), {}),
    ("\\frac{7}{3}", _Mul(7, _Pow(3, -1)), {}),
    ("(\\csc x)(\\sec y)", csc(x) * sec(y), {}),
    ("\\infty", oo, {}),
    ("\\frac{d}{dx} x", Derivative(x, x), {}),
    ("\\frac{d}{dt} x", Derivative(x, t), {}),
    ("f(x)", f(x), {}),
    ("f(x, y)", f(x, y), {}),
    ("f(x, y, z)", f(x, y, Symbol("z")), {}),
    ("\\frac{d f(x)}{dx}", Derivative(f(x), x), {}),
    ("\\frac{d\\theta(x)}{dx}", Derivative(Function("theta")(x), x), {}),
    ("|x|", _Abs(x), {}),
    ("||x||", _Abs(Abs(x)), {}),
    ("|x||y|", _Abs(x) * _Abs(y), {}),
    ("||x||y||", _Abs(_Abs(x) * _Abs(y)), {}),
    ("\\pi^{|xy|}", Symbol("pi") ** _Abs(x * y), {"symbols": {"pi": Symbol("pi")}}),
    ("x_0", Symbol("x_{0}"), {}),
    ("x_{1}", Symbol("x_{1}"), {}),
    ("x_a", Symbol("x_{a}"), {}),
    ("x_{b}", Symbol("x_{b}"), {}),
    ("h_\\theta", Symbol("h_{theta}"), {}),
    ("h_{\\theta}", Symbol("h_{theta}"), {}),
    ("h_{\\theta}(x_0, x_1)", Function("h_{theta}")(Symbol("x_{0}"), Symbol("x_{1}")), {}),
    ("x!", _factorial(x), {}),
    ("100!", _factorial(100), {}),
    ("\\theta!", _factorial(theta), {}),
    ("(x + 1)!", _factorial(_Add(x, 1)), {}),
    ("(x!)!", _factorial(_factorial(x)), {}),
    ("x!!!", _factorial(_factorial(_factorial(x))), {}),
    ("5!7!", _Mul(_factorial(5), _factorial(7)), {}),
    ("\\sqrt{x}", sqrt(x), {}),
    ("\\sqrt{x + b}", sqrt(_Add(x, b)), {}),
    ("\\sqrt[3]{\\sin x}", root(sin(x), 3), {}),
    ("\\sqrt[y]{\\sin x}", root(sin(x), y), {}),
    ("\\sqrt[\\theta]{\\sin x}", root(sin(x), theta), {}),
    ("x < y", StrictLessThan(x, y), {}),
    ("x \\leq y", LessThan(x, y), {}),
    ("x > y", StrictGreaterThan(x, y), {}),
    ("x \\geq y", GreaterThan(x, y), {}),
    ("\\mathit{x}", Symbol("x"), {}),
    ("\\mathit{test}", Symbol("test"), {}),
    ("\\mathit{TEST}", Symbol("TEST"), {}),
    ("\\mathit{HELLO world}", Symbol("HELLO world"), {}),
    ("\\sum_{k = 1}^{3} c", Sum(c, (k, 1, 3)), {}),
    ("\\sum_{k = 1}^3 c", Sum(c, (k, 1, 3)), {}),
    ("\\sum^{3}_{k = 1} c", Sum(c, (k, 1, 3)), {}),
    ("\\sum^3_{k = 1} c", Sum(c, (k, 1, 3)), {}),
    ("\\sum_{k = 1}^{10} k^2", Sum(k**2, (k, 1, 10)), {}),
    ("\\sum_{n = 0}^{\\infty} \\frac{1}{n!}", Sum(_Pow(_factorial(n), -1), (n, 0, oo)), {}),
    ("\\prod_{a = b}^{c} x", Product(x, (a, b, c)), {}),
    ("\\prod_{a = b}^c x", Product(x, (a, b, c)), {}),
    ("\\prod^{c}_{a = b} x", Product(x, (a, b, c)), {}),
    ("\\prod^c_{a = b} x", Product(x, (a, b, c)), {}),
    ("\\ln x", _log(x, E), {}),
    ("\\ln xy", _log(x * y, E), {}),
    ("\\log x", _log(x, 10), BASE10),
    ("\\log xy", _log(x * y, 10), BASE10),
    ("\\log_{2} x", _log(x, 2), {}),
    ("\\log_{a} x", _log(x, a), {}),
    ("\\log_{11} x", _log(x, 11), {}),
    ("\\log_{a^2} x", _log(x, _Pow(a, 2)), {}),
    ("[x]", x, {}),
    ("[a + b]", _Add(a, b), {}),
    ("\\frac{d}{dx} [ \\tan x ]", Derivative(tan(x), x), {}),
]

#: Out of scope (limits and integrals), listed so that the copy is complete.
OUT_OF_SCOPE = [
    "\\lim_{x \\to 3} a", "\\lim_{x \\rightarrow 3} a", "\\lim_{x \\Rightarrow 3} a", "\\lim_{x \\longrightarrow 3} a",
    "\\lim_{x \\Longrightarrow 3} a", "\\lim_{x \\to 3^{+}} a", "\\lim_{x \\to 3^{-}} a",
    "\\lim_{x \\to \\infty} \\frac{1}{x}", "\\int x dx", "\\int x d\\theta", "\\int (x^2 - y)dx", "\\int x + a dx",
    "\\int da", "\\int_0^7 dx", "\\int_a^b x dx", "\\int^b_a x dx", "\\int_{a}^b x dx", "\\int^{b}_a x dx",
    "\\int_{a}^{b} x dx", "\\int^{b}_{a} x dx", "\\int_{f(a)}^{f(b)} f(z) dz", "\\int (x+a)", "\\int a + b + c dx",
    "\\int \\frac{dz}{z}", "\\int \\frac{3 dz}{z}", "\\int \\frac{1}{x} dx", "\\int \\frac{1}{a} + \\frac{1}{b} dx",
    "\\int \\frac{3 \\cdot d\\theta}{\\theta}", "\\int \\frac{1}{x} + 1 dx",
]
