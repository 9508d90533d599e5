"""SymPy expressions -> LaTeX, as a textbook writes them; step lists -> aligned displays.

:class:`TextbookPrinter` is a ``LatexPrinter`` subclass.  Each rule is a ``_print_<Class>``
method working on the expression tree; no regex ever touches a printed string:

- ``Add``: positive terms first (``y - \\hat{y}``); terms holding a lead symbol (the model's
  parameters, when the caller names them) before the others.
- ``Mul``: numbers, then symbols, then parenthesised sums, then functions, then ``\\sum`` /
  ``\\prod`` last, so that data comes before its log (``y_{i} \\log \\hat{y}_{i}``) and a
  coefficient before a sum (``\\frac{1}{n} \\sum_{i=1}^{n}``); a fraction whose numerator holds
  a log, an exp or a sum is written coefficient-first (``\\frac{1}{2} \\log 2``);
  ``sqrt(2)/2`` is written ``1/\\sqrt{2}`` and constant roots merge (``\\sigma \\sqrt{2 \\pi}``);
  ``f(log x)/log b`` with f linear in the logs is written with ``\\log_b``.
- ``Sum``: a summand that reads negative puts its minus before the sum
  (``- \\sum_{k=1}^{K} y_{k} \\log \\hat{y}_{k}``); a summand with parentheses inside gets
  square brackets.
- ``log``: ``\\log x`` without parentheses around a symbol, an indexed symbol or a number;
  ``\\ln`` on request; ``exp``: ``\\exp(...)`` around a fraction, ``e^{...}`` otherwise.
- ``Indexed``: ``y_{i}``, ``\\hat{y}_{ik}``.
- Parentheses: ``\\left(\\right)`` only around something tall (a fraction, a root, a sum).

:func:`layout_rows` turns the recorded steps into rows that fit a given width (long right
sides split at ``+``/``-``, long left sides moved left, justifications to the right where
they fit and above the row where they do not), and :func:`emit_align` writes the rows as an
``align*`` (LaTeX, optionally with Beamer overlays) or ``aligned`` (KaTeX) block.  Widths are
estimated from the printed LaTeX by :func:`tex_width`, a measurement, never a rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence_traditional

from derive.config import PrinterConfig
from derive.symbols import like

# --------------------------------------------------------------------------- print-only nodes


class LogBase(sp.Function):
    """``log(x) / log(b)`` held as one node so that it prints as ``\\log_b x``.  Created by the
    printer only, never returned to a caller."""

    nargs = 2

    @classmethod
    def eval(cls, x, b):  # noqa: D102  (stay unevaluated)
        return None


#: Symbols whose names in the API are not math letters (kept as the frameworks spell
#: them), and the letters they print as: var -> v, lam -> lambda, eps -> epsilon.
DISPLAY_NAMES = {"var": "v", "lam": "lambda", "eps": "epsilon"}

_BIG_OPERATORS = (sp.Sum, sp.Product, sp.Integral)
_INVERSE_TRIG = {"asin", "acos", "atan", "acsc", "asec", "acot",
                 "asinh", "acosh", "atanh", "acsch", "asech", "acoth"}


def _is_function(e: sp.Basic) -> bool:
    """A factor that prints as an operator name applied to an argument (``\\log x``)."""
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        e = e.base
    return isinstance(e, sp.Function) or isinstance(e, sp.exp)


def _reads_negative(e: sp.Basic) -> bool:
    """True when ``e`` prints with a leading minus sign under :class:`TextbookPrinter`."""
    if e.is_Number:
        return bool(e.is_extended_negative)
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_coeff_Mul()
        negative = bool(coeff.is_extended_negative)
        for factor in sp.Mul.make_args(rest):
            if isinstance(factor, sp.Sum) and _reads_negative(factor):
                negative = not negative
        return negative
    if isinstance(e, sp.Sum):
        body = e.function
        if isinstance(body, sp.Add):
            return all(_reads_negative(t) for t in body.args)
        return _reads_negative(body)
    return False


def _negated(e: sp.Basic) -> sp.Basic:
    """``-e`` built so that it prints without the minus that ``e`` prints with."""
    if e.is_Number:
        return -e
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff.is_extended_negative:
            return rest if coeff == -1 else sp.Mul(-coeff, *sp.Mul.make_args(rest), evaluate=False)
        factors = list(sp.Mul.make_args(e))
        for index, factor in enumerate(factors):
            if isinstance(factor, sp.Sum) and _reads_negative(factor):
                factors[index] = _negated(factor)
                return sp.Mul(*factors, evaluate=False)
    if isinstance(e, sp.Sum):
        body = e.function
        if isinstance(body, sp.Add):
            body = sp.Add(*[_negated(t) for t in body.args], evaluate=False)
        else:
            body = _negated(body)
        return sp.Sum(body, *e.limits)
    return -e


def _is_tall(e: sp.Basic) -> bool:
    """True when ``e`` prints taller than a line of symbols (fraction, root, big operator)."""
    if isinstance(e, _BIG_OPERATORS):
        return True
    if e.is_Rational and not e.is_Integer:
        return True
    if isinstance(e, sp.Pow) and e.exp.is_Rational and (e.exp.is_negative or not e.exp.is_Integer):
        return True
    if isinstance(e, sp.exp) and _is_tall(e.args[0]):
        return True
    return any(_is_tall(a) for a in e.args if isinstance(a, sp.Basic))


def _has_parens(e: sp.Basic) -> bool:
    """True when printing ``e`` puts parentheses somewhere inside it."""
    if isinstance(e, sp.Add):
        return any(_has_parens(t) for t in e.args)
    if isinstance(e, sp.Mul):
        return any(isinstance(f, sp.Add) or _has_parens(f) for f in e.args)
    if isinstance(e, sp.Pow):
        return isinstance(e.base, (sp.Add, sp.Mul)) or _has_parens(e.base)
    if isinstance(e, sp.Function):
        return True
    return False


def _simple_argument(e: sp.Basic) -> bool:
    """A function argument that a textbook writes without parentheses: a symbol, an indexed
    symbol, a number, or a function application (``\\log \\hat{y}``, ``\\log \\Gamma(k)``)."""
    return (isinstance(e, (sp.Symbol, sp.Indexed))
            or (e.is_Integer and e.is_positive)
            or isinstance(e, sp.NumberSymbol)
            or (isinstance(e, sp.Function) and not isinstance(e, (sp.exp, sp.Piecewise))))


def _absorb_log_base(e: sp.Basic, base: sp.Expr) -> sp.Basic | None:
    """``e / log(base)`` with every log of ``e`` turned into a base-``base`` log, when ``e``
    is linear in its logs (a log, a multiple of one, a sum or a Sum of such); else None."""
    if isinstance(e, sp.log):
        return LogBase(e.args[0], base)
    if isinstance(e, sp.Mul):
        with_log = [f for f in e.args if f.has(sp.log)]
        if len(with_log) != 1:
            return None
        inner = _absorb_log_base(with_log[0], base)
        if inner is None:
            return None
        return sp.Mul(*[inner if f is with_log[0] else f for f in e.args], evaluate=False)
    if isinstance(e, sp.Add):
        terms = [_absorb_log_base(t, base) for t in e.args]
        return None if any(t is None for t in terms) else sp.Add(*terms, evaluate=False)
    if isinstance(e, sp.Sum):
        inner = _absorb_log_base(e.function, base)
        return None if inner is None else sp.Sum(inner, *e.limits)
    return None


def _merge_roots(factors: list[sp.Basic]) -> list[sp.Basic]:
    """Square roots of constants merged into one: ``sqrt(2) sqrt(pi) -> sqrt(2 pi)``."""
    roots = [f for f in factors if isinstance(f, sp.Pow) and f.exp == sp.S.Half and not f.free_symbols]
    if len(roots) < 2:
        return factors
    radicand = sp.Mul(*[r.base for r in roots], evaluate=False)
    return [f for f in factors if f not in roots] + [sp.Pow(radicand, sp.S.Half, evaluate=False)]


def unfold_piecewise(expr: sp.Basic) -> sp.Basic:
    """A Piecewise whose branches share additive terms, written as those terms plus the
    Piecewise of the rest: ``cases(a + c, b + c) -> c + cases(a, b)``."""
    if not isinstance(expr, sp.Piecewise) or len(expr.args) < 2:
        return expr
    shared = None
    for value, _ in expr.args:
        terms = set(sp.Add.make_args(value))
        shared = terms if shared is None else shared & terms
    if not shared:
        return expr
    common = sp.Add(*sorted(shared, key=sp.default_sort_key))
    rest = sp.Piecewise(*[(value - common, cond) for value, cond in expr.args], evaluate=False)
    return sp.Add(common, rest, evaluate=False)


def _factor_rank(f: sp.Basic, exp_is_operator: bool = True) -> float:
    """Position class of a factor in a product: numbers, constants, symbols, roots and
    powers of e, parenthesised sums, functions, big operators (last, since a sum extends to
    the right).  An undefined function's value (``p(x)``) ranks with the symbols.  Ranks 4
    and 5 are operators: a coefficient is written before them."""
    if isinstance(f, sp.exp) and not exp_is_operator:
        return 2
    if f.is_Number:
        return 0
    if isinstance(f, sp.NumberSymbol):
        return 0.5
    if isinstance(f, _BIG_OPERATORS):
        return 5
    if isinstance(f, AppliedUndef):  # p(x), q(k, theta): a value, written like a symbol
        return 1.5
    if _is_function(f):
        return 4
    if isinstance(f, sp.Add) or (isinstance(f, sp.Pow) and isinstance(f.base, sp.Add)):
        return 3
    if isinstance(f, sp.Pow) and f.exp.is_Rational and not f.exp.is_Integer:
        return 2
    return 1


# --------------------------------------------------------------------------- the printer


class TextbookPrinter(LatexPrinter):
    """LaTeX in textbook form; ``\\log`` is the natural log.  Settings: SymPy's, plus
    ``log_notation``, ``log_parens``, ``exp_notation``, ``fold_log_base`` (see
    :class:`derive.config.PrinterConfig`) and ``lead_symbols`` (terms holding one of them
    come first in a sum).  An unknown setting is a TypeError, as in every SymPy printer."""

    _default_settings = {
        **LatexPrinter._default_settings,
        "log_notation": "log",
        "log_parens": "auto",
        "exp_notation": "auto",
        "fold_log_base": True,
        "lead_symbols": (),
    }

    @classmethod
    def from_config(cls, config: PrinterConfig | None = None, **settings) -> TextbookPrinter:
        config = config or PrinterConfig()
        return cls({"log_notation": config.log, "log_parens": config.log_parens,
                    "exp_notation": config.exp, "fold_log_base": config.fold_log_base, **settings})

    # ---- delimiters

    def _paren(self, expr: sp.Basic, tex: str, square: bool = False) -> str:
        left, right = ("[", "]") if square else ("(", ")")
        if _is_tall(expr):
            return r"\left%s%s\right%s" % (left, tex, right)
        return "%s%s%s" % (left, tex, right)

    def parenthesize(self, item, level, is_neg=False, strict=False) -> str:
        prec_val = precedence_traditional(item)
        if (is_neg and strict) or prec_val < level or (not strict and prec_val <= level):
            return self._paren(item, self._print(item))
        return self._print(item)

    # ---- sums of terms

    def ordered_terms(self, expr: sp.Add) -> list[sp.Basic]:
        """The terms of ``expr`` in print order: SymPy's order (computed with indexed
        symbols read as plain ones, so that ``y_{i}`` orders like ``y``), then lead terms
        first, then positive terms first."""
        terms = list(expr.args)
        plain = {t: t.replace(lambda e: isinstance(e, sp.Indexed),
                              lambda e: like(str(e.base.label), e.base))
                 for t in terms}
        if len(set(plain.values())) == len(terms):
            order = {p: n for n, p in enumerate(sp.Add(*plain.values(), evaluate=False).as_ordered_terms())}
            terms.sort(key=lambda t: order.get(plain[t], len(order)))
        else:
            terms = list(self._as_ordered_terms(expr, order=None))
        lead = tuple(self._settings["lead_symbols"])

        def key(t):
            has_lead = bool(lead) and any(t.has(s) for s in lead)
            return (_reads_negative(t), not has_lead) if lead else (_reads_negative(t),)

        return sorted(terms, key=key)

    def add_pieces(self, expr: sp.Add) -> list[tuple[str, str]]:
        """``[(sign, tex), ...]`` of the terms of a sum in print order, sign ``""``/``"-"``
        for the first and ``"+"``/``"-"`` for the others."""
        pieces = []
        for index, term in enumerate(self.ordered_terms(expr)):
            negative = _reads_negative(term)
            if negative:
                term = _negated(term)
            tex = self._print(term)
            if self._needs_add_brackets(term):
                tex = self._paren(term, tex)
            sign = "-" if negative else ("" if index == 0 else "+")
            pieces.append((sign, tex))
        return pieces

    def _print_Add(self, expr, order=None):
        tex = ""
        for sign, term in self.add_pieces(expr):
            tex += {"": "", "+": " + ", "-": " - " if tex else "- "}[sign] + term
        return tex

    # ---- products

    def _rank(self, factor: sp.Basic) -> float:
        style = self._settings["exp_notation"]
        exp_operator = isinstance(factor, sp.exp) and (
            style == "exp" or (style == "auto" and _is_tall(factor.args[0])))
        return _factor_rank(factor, exp_operator)

    def _join_factors(self, factors: list[sp.Basic]) -> str:
        factors = sorted(factors, key=self._rank)
        tex = ""
        for index, factor in enumerate(factors):
            term = self._print(factor)
            if len(factors) > 1 and self._needs_mul_brackets(
                    factor, first=index == 0, last=index == len(factors) - 1):
                term = self._paren(factor, term)
            if tex:
                numbers = factors[index - 1].is_Number and (factor.is_Number or term[:1].isdigit())
                tex += r" \cdot " if numbers else " "
            tex += term
        return tex

    def _fraction(self, numer: list[sp.Basic], denom: list[sp.Basic]) -> str:
        top = self._join_factors(numer) if numer else "1"
        return r"\frac{%s}{%s}" % (top, self._join_factors(denom))

    def _print_Mul(self, expr):
        if _reads_negative(expr):
            body = _negated(expr)
            tex = self._print(body)
            if isinstance(body, sp.Add):
                tex = self._paren(body, tex)
            return "- " + tex
        if self._settings["fold_log_base"]:
            folded = self._fold_log_base(expr)
            if folded is not None:
                return self._print(folded)

        coeff, rest = expr.as_coeff_Mul()
        numer: list[sp.Basic] = []
        denom: list[sp.Basic] = []
        if coeff.is_Rational:
            p, q = int(coeff.p), int(coeff.q)
        else:  # a Float or another number: print it as it is
            p, q = 1, 1
            numer.append(coeff)
        for factor in sp.Mul.make_args(rest):
            base, exponent = factor.as_base_exp()
            if exponent.is_Number and exponent.is_negative and not isinstance(factor, sp.exp):
                denom.append(base if exponent == -1 else sp.Pow(base, -exponent))
            else:
                numer.append(factor)
        # sqrt(q)/q -> 1/sqrt(q): a root of an integer moves to the denominator.
        for factor in list(numer):
            if (isinstance(factor, sp.Pow) and factor.base.is_Integer and factor.exp == sp.S.Half
                    and q % int(factor.base) == 0):
                numer.remove(factor)
                q //= int(factor.base)
                denom.append(factor)
        # Constant roots merge: sqrt(2) sqrt(pi) -> sqrt(2 pi).
        numer, denom = _merge_roots(numer), _merge_roots(denom)
        if p != 1:
            numer.insert(0, sp.Integer(p))
        if q != 1:
            denom.insert(0, sp.Integer(q))

        if not denom:
            return self._join_factors(numer) if numer else "1"
        operators = [f for f in numer if self._rank(f) >= 4]
        if operators:
            simple = [f for f in numer if self._rank(f) < 4]
            return self._fraction(simple, denom) + " " + self._join_factors(operators)
        return self._fraction(numer, denom)

    def _fold_log_base(self, expr: sp.Mul) -> sp.Basic | None:
        inverse = [f for f in expr.args if isinstance(f, sp.Pow) and f.exp == -1
                   and isinstance(f.base, sp.log) and not f.base.free_symbols]
        if len(inverse) != 1:
            return None
        rest = sp.Mul(*[f for f in expr.args if f is not inverse[0]], evaluate=False)
        if not rest.has(sp.log):
            return None
        return _absorb_log_base(rest, inverse[0].base.args[0])

    # ---- big operators

    def _print_Sum(self, expr):
        if _reads_negative(expr):
            return "- " + self._print(_negated(expr))
        # Sum(f, (k, 1, K), (i, 1, n)) is sum_i sum_k f: the last limit is the outermost.
        heads = [r"\sum_{%s=%s}^{%s} " % tuple(self._print(x) for x in limit)
                 for limit in reversed(expr.limits)]
        return "".join(heads) + self._summand(expr.function)

    def _print_Product(self, expr):
        if len(expr.limits) != 1:
            return super()._print_Product(expr)
        index, lower, upper = (self._print(x) for x in expr.limits[0])
        return r"\prod_{%s=%s}^{%s} " % (index, lower, upper) + self._summand(expr.function)

    def _print_Piecewise(self, expr):
        unfolded = unfold_piecewise(expr)
        if unfolded is not expr:
            return self._print(unfolded)
        return super()._print_Piecewise(expr)

    def _summand(self, body: sp.Basic) -> str:
        body = unfold_piecewise(body)
        tex = self._print(body)
        if isinstance(body, sp.Add):
            return self._paren(body, tex, square=_has_parens(body))
        return tex

    # ---- functions

    def _function_argument(self, arg: sp.Basic) -> str:
        tex = self._print(arg)
        if self._settings["log_parens"] == "auto" and _simple_argument(arg):
            return " " + tex
        return self._paren(arg, tex)

    def _print_log(self, expr, exp=None):
        name = r"\ln" if self._settings["log_notation"] == "ln" else r"\log"
        if exp is not None:
            name += "^{%s}" % exp
        return name + self._function_argument(expr.args[0])

    def _print_LogBase(self, expr, exp=None):
        arg, base = expr.args
        name = r"\log_{%s}" % self._print(base)
        if exp is not None:
            name += "^{%s}" % exp
        return name + self._function_argument(arg)

    def _print_ExpBase(self, expr, exp=None):
        arg = expr.args[0]
        style = self._settings["exp_notation"]
        if style == "exp" or (style == "auto" and _is_tall(arg)):
            tex = r"\exp" + self._paren(arg, self._print(arg))
            return tex if exp is None else r"\exp^{%s}%s" % (exp, self._paren(arg, self._print(arg)))
        return self._do_exponent(r"e^{%s}" % self._print(arg), exp)

    def _print_Function(self, expr, exp=None):
        func = expr.func.__name__
        special = hasattr(self, "_print_" + func) and not isinstance(expr, AppliedUndef)
        if special or func in _INVERSE_TRIG:
            return super()._print_Function(expr, exp)
        name = self._hprint_Function(func)
        if exp is not None:
            name = r"%s^{%s}" % (self.parenthesize_super(name), exp)
        return name + self._arguments(expr.args)

    def _arguments(self, args) -> str:
        tex = ", ".join(self._print(a) for a in args)
        return self._paren(sp.Tuple(*args), tex)

    def _print_gamma(self, expr, exp=None):
        name = r"\Gamma" if exp is None else r"\Gamma^{%s}" % exp
        return name + self._arguments(expr.args)

    def _print_polygamma(self, expr, exp=None):
        """psi(x) for the digamma function, psi^{(n)}(x) for the n-th polygamma."""
        order, arg = expr.args
        name = r"\psi" if order == 0 else r"\psi^{(%s)}" % self._print(order)
        if exp is not None:
            name = r"%s^{%s}" % (name, exp) if order == 0 else r"{%s}^{%s}" % (name, exp)
        return name + self._arguments((arg,))

    def _print_loggamma(self, expr, exp=None):
        return self._print_log(sp.log(sp.gamma(expr.args[0]), evaluate=False), exp)

    def _print_Abs(self, expr, exp=None):
        arg = expr.args[0]
        tex = self._print(arg)
        tex = r"\left|%s\right|" % tex if _is_tall(arg) else r"|%s|" % tex
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    # ---- symbols

    def _print_Symbol(self, expr, style="plain"):
        head, sep, tail = expr.name.partition("_")
        if head in DISPLAY_NAMES:
            expr = sp.Symbol(DISPLAY_NAMES[head] + sep + tail)
        return super()._print_Symbol(expr, style=style)

    # ---- indexed symbols

    def _print_Indexed(self, expr):
        base = self._print(expr.base)
        if "_" in base or "^" in base:
            base = "{%s}" % base
        indices = [self._print(i) for i in expr.indices]
        separator = "" if all(len(i) == 1 for i in indices) else ","
        return "%s_{%s}" % (base, separator.join(indices))


def latex(expr: sp.Basic, config: PrinterConfig | None = None, **settings) -> str:
    """Print ``expr`` as textbook LaTeX."""
    return TextbookPrinter.from_config(config, **settings).doprint(expr)


# --------------------------------------------------------------------------- measuring


_TEXT_CHAR = 0.47  # average width of a roman text character, in em
_MATH_CHAR = 0.55  # average width of a math italic letter or digit, in em
_SYMBOL_WIDTHS = {
    "+": 1.25, "-": 1.25, "=": 1.35, "<": 1.35, ">": 1.35, ",": 0.45, ";": 0.45, ":": 0.6,
    "(": 0.4, ")": 0.4, "[": 0.3, "]": 0.3, "|": 0.3, "/": 0.5, "'": 0.3, "!": 0.3, ".": 0.3,
}
_COMMAND_WIDTHS = {
    "log": 1.55, "ln": 1.0, "exp": 1.65, "sin": 1.5, "cos": 1.6, "tanh": 2.2, "max": 2.0,
    "min": 1.9, "arg": 1.6, "sum": 1.5, "prod": 1.5, "int": 0.7, "cdot": 0.8, "times": 1.25,
    "pm": 1.25, "mid": 0.85, "propto": 1.35, "sim": 1.35, "approx": 1.35, "equiv": 1.35,
    "neq": 1.35, "leq": 1.35, "geq": 1.35, "le": 1.35, "ge": 1.35, "in": 1.25, "to": 1.55,
    "mapsto": 1.55, "infty": 1.05, "dots": 1.3, "ldots": 1.3, "cdots": 1.3, "quad": 1.0,
    "qquad": 2.0, ",": 0.17, ";": 0.28, ":": 0.22, "!": -0.17, " ": 0.33, "{": 0.5, "}": 0.5,
    "|": 0.5, "\\": 0.0, "displaystyle": 0.0, "textstyle": 0.0, "nonumber": 0.0, "notag": 0.0,
    "left": 0.1, "right": 0.1, "bigl": 0.05, "bigr": 0.05, "Bigl": 0.1, "Bigr": 0.1,
    "biggl": 0.15, "biggr": 0.15, "big": 0.05, "Big": 0.1, "theta": 0.5, "ell": 0.45,
    "partial": 0.6, "nabla": 0.85, "KL": 1.6,
}
_ACCENTS = {"hat", "bar", "tilde", "vec", "dot", "ddot", "check", "breve", "widehat", "widetilde",
            "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "boldsymbol", "mathbb", "mathcal",
            "mathscr", "mathfrak", "bm"}
_TEXT_COMMANDS = {"text", "textrm", "textit", "textbf", "mbox", "operatorname", "mathrm"}
_SIZES = {"small": 0.91, "footnotesize": 0.82, "scriptsize": 0.73, "tiny": 0.55, "normalsize": 1.0}


class _Measure:
    """A small reader of our own LaTeX output that adds up estimated widths in em of the
    current font.  It reads; it never rewrites."""

    def __init__(self, tex: str):
        self.tex = tex
        self.pos = 0

    def _peek(self) -> str:
        return self.tex[self.pos] if self.pos < len(self.tex) else ""

    def _token(self) -> str:
        """The next token: a control sequence, a group ``{...}``, or one character."""
        start = self.pos
        char = self._peek()
        if char == "\\":
            self.pos += 1
            if self._peek().isalpha():
                while self._peek().isalpha():
                    self.pos += 1
            else:
                self.pos += 1
        elif char == "{":
            depth = 0
            while self.pos < len(self.tex):
                c = self.tex[self.pos]
                if c == "\\":
                    self.pos += 2
                    continue
                depth += c == "{"
                depth -= c == "}"
                self.pos += 1
                if depth == 0:
                    break
        else:
            self.pos += 1
        return self.tex[start:self.pos]

    def _argument(self) -> str:
        while self._peek() == " ":
            self.pos += 1
        token = self._token()
        return token[1:-1] if token.startswith("{") else token

    def _skip_overlay(self) -> None:
        if self._peek() == "<":
            end = self.tex.find(">", self.pos)
            self.pos = end + 1 if end >= 0 else len(self.tex)

    def math(self, size: float = 1.0, display: bool = True) -> float:
        width = 0.0
        last = 0.0  # width of the last atom, for limits placed under and over it
        limits = False
        while self.pos < len(self.tex):
            char = self._peek()
            if char in "^_":
                self.pos += 1
                script = _Measure(self._argument()).math(size * 0.7, False)
                if limits:
                    if script > last:
                        width += script - last
                        last = script
                else:
                    width += script * (0.75 if char == "_" else 1.0)
                continue
            if char in " &~" or char == "\n":
                self.pos += 1
                continue
            token = self._token()
            limits = False
            if token.startswith("{"):
                last = _Measure(token[1:-1]).math(size, display)
            elif token == "\\begin":
                last = self._environment(size)
            elif token.startswith("\\"):
                name = token[1:]
                last = self._command(name, size, display)
                limits = display and name in ("sum", "prod", "underbrace", "lim", "max", "min")
            else:
                last = _SYMBOL_WIDTHS.get(token, _MATH_CHAR) * size
            width += last
        return width

    def _environment(self, size: float) -> float:
        """``\\begin{cases}...\\end{cases}`` and the like: the widest row, cells in text
        style, plus the delimiter."""
        name = self._argument()
        end = self.tex.find("\\end{%s}" % name, self.pos)
        end = len(self.tex) if end < 0 else end
        body = self.tex[self.pos:end]
        self.pos = min(len(self.tex), end + len("\\end{%s}" % name))
        widest = 0.0
        for row in body.split("\\\\"):
            cells = row.split("&")
            widest = max(widest, sum(_Measure(c).math(size, False) for c in cells) + 1.6 * (len(cells) - 1))
        return widest + 1.4 * size

    def _command(self, name: str, size: float, display: bool) -> float:
        if name in ("frac", "dfrac", "tfrac"):
            inner = size if (display or name == "dfrac") and name != "tfrac" else size * 0.7
            top = _Measure(self._argument()).math(inner, False)
            bottom = _Measure(self._argument()).math(inner, False)
            return max(top, bottom) + 0.25 * size
        if name == "sqrt":
            if self._peek() == "[":
                self.pos = self.tex.find("]", self.pos) + 1
            return _Measure(self._argument()).math(size, display) + 0.85 * size
        if name in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big"):
            delimiter = self._token()
            return (_COMMAND_WIDTHS[name] + (0.0 if delimiter == "." else 0.4)) * size
        if name in _TEXT_COMMANDS:
            return _Measure(self._argument()).text(size)
        if name in _ACCENTS:
            return _Measure(self._argument()).math(size, display) * (1.25 if name == "mathcal" else 1.0)
        if name == "boxed":
            return _Measure(self._argument()).math(size, display) + 1.0 * size
        if name in ("underbrace", "overbrace"):
            return _Measure(self._argument()).math(size, display)
        if name in ("visible", "uncover", "only"):
            self._skip_overlay()
            return _Measure(self._argument()).math(size, display)
        if name in ("mathrlap", "rlap", "phantom", "vphantom"):
            self._argument()
            return 0.0
        if name in ("hspace", "hspace*"):
            self._argument()
            return 1.0
        if name in _SIZES:
            return 0.0
        if name in ("operatorname",):
            return _Measure(self._argument()).text(size)
        return _COMMAND_WIDTHS.get(name, 0.62) * size

    def text(self, size: float = 1.0) -> float:
        width = 0.0
        while self.pos < len(self.tex):
            char = self._peek()
            if char == "$":
                end = self.tex.find("$", self.pos + 1)
                end = len(self.tex) if end < 0 else end
                width += _Measure(self.tex[self.pos + 1:end]).math(size, False)
                self.pos = end + 1
                continue
            token = self._token()
            if token.startswith("{"):
                width += _Measure(token[1:-1]).text(size)
            elif token.startswith("\\"):
                name = token[1:]
                if name in _SIZES:
                    size = size * _SIZES[name]
                elif name in ("visible", "uncover", "only"):
                    self._skip_overlay()
                    width += _Measure(self._argument()).text(size)
                elif name in ("textit", "textbf", "emph", "textrm", "text"):
                    width += _Measure(self._argument()).text(size)
                else:
                    width += _COMMAND_WIDTHS.get(name, _TEXT_CHAR) * size
            elif token == " ":
                width += 0.33 * size
            else:
                width += _TEXT_CHAR * size
        return width


def tex_width(tex: str, mode: str = "math") -> float:
    """Estimated width, in em of the surrounding font, of a display-math (``mode="math"``) or
    text (``mode="text"``) LaTeX fragment.  Deliberately a little generous."""
    reader = _Measure(tex)
    return reader.math() if mode == "math" else reader.text()


class _Vertical(_Measure):
    """Height and depth, in em, of our own display-math LaTeX, after TeX's rules for
    fractions (numerator up 0.68 em, denominator down 0.69 em in display style; 0.39 and
    0.35 in text style), scripts and limits."""

    def box(self, size: float = 1.0, display: bool = True) -> tuple[float, float]:
        height, depth = 0.7 * size, 0.2 * size
        last = (0.0, 0.0)
        limits = False
        while self.pos < len(self.tex):
            char = self._peek()
            if char in "^_":
                self.pos += 1
                sh, sd = _Vertical(self._argument()).box(size * 0.7, False)
                if limits and char == "^":
                    height = max(height, last[0] + 0.2 * size + sh + sd)
                elif limits:
                    depth = max(depth, last[1] + 0.2 * size + sh + sd)
                elif char == "^":
                    height = max(height, 0.35 * size + sh + sd)
                else:
                    depth = max(depth, 0.15 * size + sh + sd)
                continue
            if char in " &~\n":
                self.pos += 1
                continue
            token = self._token()
            limits = False
            if token.startswith("{"):
                last = _Vertical(token[1:-1]).box(size, display)
            elif token == "\\begin":
                name = self._argument()
                end = self.tex.find("\\end{%s}" % name, self.pos)
                end = len(self.tex) if end < 0 else end
                rows = self.tex[self.pos:end].count("\\\\") + 1
                self.pos = min(len(self.tex), end + len("\\end{%s}" % name))
                last = (0.6 * rows * size + 0.1, 0.6 * rows * size + 0.1)
            elif token.startswith("\\"):
                last, limits = self._vertical_command(token[1:], size, display)
            else:
                last = (0.7 * size, 0.2 * size)
            height, depth = max(height, last[0]), max(depth, last[1])
        return height, depth

    def _vertical_command(self, name: str, size: float, display: bool):
        if name in ("frac", "dfrac", "tfrac", "binom"):
            full = (display or name == "dfrac") and name != "tfrac"
            inner = size if full else size * 0.7
            nh, nd = _Vertical(self._argument()).box(inner, False)
            dh, dd = _Vertical(self._argument()).box(inner, False)
            up, down = (0.68, 0.69) if full else (0.39, 0.35)
            return (up * size + nh, down * size + dd + dh * 0.0), False
        if name == "sqrt":
            if self._peek() == "[":
                self.pos = self.tex.find("]", self.pos) + 1
            h, d = _Vertical(self._argument()).box(size, display)
            return (h + 0.2 * size, d), False
        if name in ("sum", "prod", "int"):
            return ((1.0, 0.5) if display else (0.75, 0.25)), display
        if name in ("bigl", "bigr", "big"):
            self._token()
            return (0.85 * size, 0.35 * size), False
        if name in ("Bigl", "Bigr", "Big"):
            self._token()
            return (1.15 * size, 0.65 * size), False
        if name in ("biggl", "biggr", "bigg"):
            self._token()
            return (1.45 * size, 0.95 * size), False
        if name == "left":
            # \left...\right grow symmetrically about the math axis (0.25 em up).
            self._token()
            start, depth_count = self.pos, 1
            while self.pos < len(self.tex) and depth_count:
                token = self._token()
                depth_count += {"\\left": 1, "\\right": -1}.get(token, 0)
            inner = self.tex[start:self.pos - len("\\right")]
            self._token()  # the closing delimiter
            h, d = _Vertical(inner).box(size, display)
            half = max(h - 0.25 * size, d + 0.25 * size) + 0.1 * size
            return (0.25 * size + half, half - 0.25 * size), False
        if name == "right":
            self._token()
            return (0.0, 0.0), False
        if name == "underbrace":
            h, d = _Vertical(self._argument()).box(size, display)
            return (h, d + 0.55 * size), True
        if name in _TEXT_COMMANDS or name in _ACCENTS or name == "boxed":
            h, d = _Vertical(self._argument()).box(size, display)
            return (h + (0.25 if name in ("hat", "bar", "tilde", "boxed") else 0.0) * size,
                    d + (0.25 if name == "boxed" else 0.0) * size), False
        if name in ("visible", "uncover", "only"):
            self._skip_overlay()
            return _Vertical(self._argument()).box(size, display), False
        return (0.7 * size, 0.2 * size), False


def tex_height(tex: str) -> float:
    """Estimated height in lines (of 1.2 em) of a display-math row, the row skip (0.3 em)
    included."""
    height, depth = _Vertical(tex).box()
    return (max(height + depth, 1.2) * 1.05 + 0.3) / 1.2


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    """One displayed step: ``lhs relation lines[0]``, then continuation lines, with a note.

    ``lhs`` and ``lines`` are LaTeX math; ``note`` is LaTeX text (``$...$`` for math);
    ``wide_lhs`` marks a left side too wide for the left column (printed on a line of its
    own, moved left); ``label`` is the step's label.
    """

    label: str
    lhs: str
    relation: str
    lines: tuple[str, ...]
    note: str
    wide_lhs: bool = False

    @property
    def height(self) -> float:
        lines = sum(tex_height(t) for t in self.lines) + (tex_height(self.lhs) if self.wide_lhs else 0.0)
        return lines


@dataclass(frozen=True)
class Layout:
    """Where the rows go: ``width`` of the line in em of the math font (None: unbounded);
    ``lhs_share``: the widest left side kept in the left column, as a share of the width;
    ``note_size``: the size command of the justifications (``\\small``)."""

    width: float | None = 42.0
    lhs_share: float = 0.32
    note_size: str = r"\small"
    note_gap: float = 2.0
    indent: float = 1.0


ARTICLE = Layout(width=42.0)
SLIDE = Layout(width=36.0, lhs_share=0.3, note_size=r"\footnotesize", note_gap=1.5)
MARKDOWN = Layout(width=None, note_size="")


def _const_label(printer: TextbookPrinter, params, config: PrinterConfig) -> str:
    names = ", ".join(printer.doprint(p) for p in params)
    return r"\text{%s}%s" % (config.const_label, names) if names else r"\text{const.}"


def _row_body(step, printer: TextbookPrinter, const_label: str) -> tuple[sp.Basic | None, list[tuple[str, str]]]:
    """The right side of a step as ``[(sign, tex), ...]`` pieces that can be split between
    lines, with the dropped constants under one brace as the last piece."""
    if not step.dropped:
        expr = step.expr
        if isinstance(expr, sp.Add):
            return expr, printer.add_pieces(expr)
        return expr, [("", printer.doprint(expr))]
    constants = sp.Add(*step.dropped)
    kept = step.expr - constants
    pieces = printer.add_pieces(kept) if isinstance(kept, sp.Add) else [("", printer.doprint(kept))]
    if kept == 0:
        pieces = []
    sign = "+"
    if _reads_negative(constants) or (isinstance(constants, sp.Add)
                                      and all(_reads_negative(t) for t in constants.args)):
        constants = -constants
        sign = "-"
    braced = r"\underbrace{%s}_{%s}" % (printer.doprint(constants), const_label)
    pieces.append((sign if pieces else ("-" if sign == "-" else ""), braced))
    return None, pieces


def _join_pieces(pieces: list[tuple[str, str]], first: bool) -> str:
    tex = ""
    for index, (sign, term) in enumerate(pieces):
        if index == 0 and first:
            tex += {"": "", "+": "", "-": "- "}[sign] + term
        else:
            tex += (" %s " % sign if tex else "%s " % sign) + term if sign else term
    return tex


def _split_pieces(pieces, first_width: float, rest_width: float) -> list[str]:
    """Greedy line filling of the ``(sign, tex)`` pieces: the first line may hold
    ``first_width`` em, the continuation lines ``rest_width``."""
    lines: list[list[tuple[str, str]]] = [[]]
    for piece in pieces:
        candidate = lines[-1] + [piece]
        limit = first_width if len(lines) == 1 else rest_width
        if lines[-1] and tex_width(_join_pieces(candidate, len(lines) == 1)) > limit:
            lines.append([piece])
        else:
            lines[-1] = candidate
    return [_join_pieces(line, index == 0) for index, line in enumerate(lines)]


def _split_wrapped(expr: sp.Basic, printer: TextbookPrinter, first_width: float,
                   rest_width: float) -> list[str] | None:
    """A long sum or product inside a prefix (``\\frac{1}{n} \\sum_{i=1}^{n} [ ... ]``,
    ``-\\log( ... )``) split between lines with fixed-size brackets, which may open and close
    on different lines; None when ``expr`` is not of that shape."""
    sign = ""
    if _reads_negative(expr):
        sign, expr = "- ", _negated(expr)
    prefix_factors: list[sp.Basic] = []
    body = expr
    if isinstance(expr, sp.Mul):
        last = [f for f in expr.args if isinstance(f, (sp.Sum, sp.Add, sp.log, sp.exp))]
        if len(last) != 1:
            return None
        prefix_factors = [f for f in expr.args if f is not last[0]]
        body = last[0]
    head = printer.doprint(sp.Mul(*prefix_factors)) + " " if prefix_factors else ""
    if isinstance(body, sp.Sum) and len(body.limits) == 1:
        if _reads_negative(body):
            sign = "" if sign else "- "
            body = _negated(body)
        index, lower, upper = (printer.doprint(x) for x in body.limits[0])
        head += r"\sum_{%s=%s}^{%s} " % (index, lower, upper)
        body = unfold_piecewise(body.function)
    square = False
    if isinstance(body, (sp.log, sp.exp)):
        head += {sp.log: r"\ln" if printer._settings["log_notation"] == "ln" else r"\log",
                 sp.exp: r"\exp"}[body.func]
        body = body.args[0]
        pieces = printer.add_pieces(body) if isinstance(body, sp.Add) else _mul_pieces(body, printer)
        if pieces is None:
            return None
    elif isinstance(body, sp.Add):
        pieces = printer.add_pieces(body)
        square = _has_parens(body)
    else:
        return None
    size = r"\biggl" if _is_tall(body) else r"\bigl"
    opening, closing = ("[", "]") if square else ("(", ")")
    head = sign + head + size + opening
    lines = _split_pieces(pieces, first_width - tex_width(head), rest_width)
    lines[0] = head + " " + lines[0]
    lines[-1] = lines[-1] + " " + size[:-1] + "r" + closing
    return lines


def _right_side(step, printer, const_label, first_width, rest_width) -> list[str]:
    expr, pieces = _row_body(step, printer, const_label)
    whole = _join_pieces(pieces, True)
    if first_width is None or tex_width(whole) <= first_width:
        return [whole]
    if len(pieces) > 1:
        return _split_pieces(pieces, first_width, rest_width)
    if expr is not None:
        wrapped = _split_wrapped(expr, printer, first_width, rest_width)
        if wrapped is not None:
            return wrapped
        factors = _mul_pieces(expr, printer)
        if factors is not None:
            return _split_pieces(factors, first_width, rest_width)
    return [whole]


def _mul_pieces(expr: sp.Basic, printer: TextbookPrinter) -> list[tuple[str, str]] | None:
    """A product too wide for a line as pieces that may go on separate lines: the
    coefficient part, then each operator factor (``\\exp(...)``, ``\\log(...)``) after
    ``\\times``; None when ``expr`` is not such a product."""
    sign = ""
    if _reads_negative(expr):
        sign, expr = "-", _negated(expr)
    if not isinstance(expr, sp.Mul):
        return None
    operators = [f for f in expr.args if printer._rank(f) >= 4]
    rest = [f for f in expr.args if printer._rank(f) < 4]
    if not operators or (not rest and len(operators) < 2):
        return None
    pieces = []
    if rest:
        pieces.append((sign, printer.doprint(sp.Mul(*rest))))
    for factor in operators:
        tex = printer.doprint(factor)
        pieces.append((r"\times" if pieces else sign, tex))
    return pieces


def _same(a, b) -> bool:
    return a is not None and b is not None and a == b


def layout_rows(steps, printer: TextbookPrinter | None = None, layout: Layout = ARTICLE,
                params=(), config: PrinterConfig | None = None,
                silent: tuple[str, ...] = ()) -> list[Row]:
    """The steps as rows that fit ``layout.width``.  A step that repeats the expression of
    the row above with nothing dropped (a no-op "drop the constants" when there are none)
    is not shown; the steps whose labels are in ``silent`` are shown without their note
    (the documents state the assumption in their own words before the steps)."""
    config = config or PrinterConfig()
    printer = printer or TextbookPrinter.from_config(config, lead_symbols=tuple(params))
    const_label = _const_label(printer, params, config)
    shown = []
    for step in steps:
        if shown and not step.dropped and _same(step.expr, shown[-1].expr) and not step.lhs:
            continue
        shown.append(step)

    lhs_tex = [log_notation(s.lhs or "", config) for s in shown]
    width = layout.width
    lhs_limit = None if width is None else layout.lhs_share * width
    wide = [lhs_limit is not None and tex_width(t) > lhs_limit for t in lhs_tex]
    lhs_column = max([tex_width(t) for t, w in zip(lhs_tex, wide) if not w] + [0.0])
    rows = []
    for step, lhs, is_wide in zip(shown, lhs_tex, wide):
        relation = step.relation
        if width is None:
            first = rest = None
        else:
            start = (layout.indent * 2 if is_wide else lhs_column) + tex_width(relation)
            first = width - start
            rest = width - start - layout.indent
        lines = _right_side(step, printer, const_label, first, rest)
        note = "" if step.label in silent else log_notation(step.note, config)
        rows.append(Row(step.label, lhs, relation, tuple(lines), note, is_wide))
    return rows


def log_notation(fragment: str, config: PrinterConfig) -> str:
    """A hand-written LaTeX fragment (a step's left side or note) in the configured log
    notation: the control word ``\\log`` becomes ``\\ln`` unless a base follows (``\\log_2``).
    Works on tokens (control words), not on patterns."""
    if config.log != "ln" or "\\log" not in fragment:
        return fragment
    reader = _Measure(fragment)
    out = []
    while reader.pos < len(fragment):
        token = reader._token()
        if token.startswith("{"):
            token = "{" + log_notation(token[1:-1], config) + "}"
        elif token == "\\log" and reader._peek() not in ("_", "^"):
            token = "\\ln"
        out.append(token)
    return "".join(out)


# --------------------------------------------------------------------------- emitting


_TEXT_SPECIALS = {"_": r"\_", "^": r"\^{}", "&": r"\&", "%": r"\%", "#": r"\#"}


def text_escape(text: str) -> str:
    """Plain text (a title, a loss name, a note) made safe for LaTeX text mode: ``_ ^ & % #``
    outside ``$...$`` are escaped unless they already are; math and commands are kept."""
    out = []
    for index, part in enumerate(text.split("$")):
        if index % 2:
            out.append("$" + part + "$")
            continue
        for position, char in enumerate(part):
            escaped = position > 0 and part[position - 1] == "\\"
            out.append(_TEXT_SPECIALS[char] if char in _TEXT_SPECIALS and not escaped else char)
    return "".join(out)


def _note_tex(note: str, size: str, markdown: bool) -> str:
    """A justification as math-mode text: ``\\text{\\small ...}``; for KaTeX/MathJax, whose
    ``\\text`` does not read ``$...$``, the math pieces are taken out of the text."""
    if not note:
        return ""
    note = text_escape(note)
    if not markdown:
        return r"\text{%s%s}" % (size + " " if size else "", note)
    parts = note.split("$")
    out = []
    for index, part in enumerate(parts):
        if not part:
            continue
        out.append(part if index % 2 else r"\text{%s}" % part)
    return " ".join(out)


def _as_lead_in(note: str) -> str:
    """A justification written above its row reads as the lead-in of a sentence:
    capitalised, ending with a colon."""
    note = text_escape(note.strip())
    if note[:1].islower():
        note = note[0].upper() + note[1:]
    if note and note[-1] not in ".:;!?":
        note += ":"
    return note


def _reveal(tex: str, overlay: int | None) -> str:
    if overlay is None or not tex:
        return tex
    return r"\visible<%d->{%s}" % (overlay, tex)


def emit_align(rows: list[Row], layout: Layout = ARTICLE, *, environment: str = "align*",
               overlays: list[int] | None = None, intertext: bool = True) -> str:
    """The rows as one display block.  ``environment="aligned"`` writes KaTeX-safe LaTeX
    (no ``\\intertext``, no ``\\MoveEqLeft``); ``overlays`` gives each row the Beamer
    overlay from which it is visible (per cell, since ``\\pause`` does not work in align).

    A justification goes in a column on the right when it fits beside the widest row, and
    on a line of its own above its row (``\\intertext``) when it does not."""
    markdown = environment == "aligned"
    overlays = overlays or [None] * len(rows)
    math_width = 0.0
    for row in rows:
        lhs = 0.0 if row.wide_lhs else tex_width(row.lhs)
        for index, line in enumerate(row.lines):
            math_width = max(math_width, (lhs if index == 0 else lhs) + tex_width(row.relation + line))
        if row.wide_lhs:
            math_width = max(math_width, tex_width(row.lhs))
    lhs_column = max([tex_width(r.lhs) for r in rows if not r.wide_lhs] + [0.0])
    math_width = max(math_width, lhs_column)

    def fits(row: Row) -> bool:
        if layout.width is None or not intertext:
            return True
        note = tex_width(_note_tex(row.note, layout.note_size, False))
        return math_width + layout.note_gap + note <= layout.width

    out = []
    for row, overlay in zip(rows, overlays):
        note = _note_tex(row.note, layout.note_size, markdown)
        right = bool(note) and fits(row)
        if note and not right:
            out.append(r"\intertext{%s}" % _reveal(r"%s %s" % (layout.note_size, _as_lead_in(row.note)), overlay))
        cells = []
        if row.wide_lhs and not markdown:
            cells.append(r"\MoveEqLeft[2] %s" % _reveal(row.lhs, overlay))
            lhs = ""
        else:
            lhs = _reveal(row.lhs, overlay)
        for index, line in enumerate(row.lines):
            if index == 0:
                body = "%s &%s" % (lhs, _reveal("%s %s" % (row.relation, line), overlay))
                if right:
                    body += " && " + _reveal(note, overlay)
            else:
                body = r"&\quad %s" % _reveal(line, overlay)
            cells.append(body)
        out.append(" \\\\\n".join(cells))
    # \intertext lines must not be followed by a row separator of their own.
    text = ""
    for index, item in enumerate(out):
        text += item
        if index < len(out) - 1 and not item.startswith(r"\intertext"):
            text += " \\\\\n"
        elif item.startswith(r"\intertext"):
            text += "\n"
    return "\\begin{%s}\n%s\n\\end{%s}" % (environment, text, environment)


def display_math(lines: list[str], layout: Layout) -> str:
    """Math lines side by side with ``\\qquad`` when they fit, else one per line."""
    joined = r" \qquad ".join(lines)
    if layout.width is None or tex_width(joined) <= layout.width:
        return "\\[\n%s\n\\]" % joined
    return "\\begin{gather*}\n%s\n\\end{gather*}" % " \\\\\n".join(lines)


SLIDE_BUDGET = 15.0  # lines of \small text that fit under a frame title (16:9)


def frames_of_rows(rows: list[Row], first_budget: float, budget: float) -> list[list[Row]]:
    """Consecutive rows grouped into frames by their estimated height."""
    frames: list[list[Row]] = [[]]
    used, limit = 0.0, first_budget
    for row in rows:
        height = row.height + (1.5 if row.note else 0.0)
        if frames[-1] and used + height > limit:
            frames.append([])
            used, limit = 0.0, budget
        frames[-1].append(row)
        used += height
    return frames


def render_steps(steps, printer: TextbookPrinter | None = None, *, params=(),
                 layout: Layout = ARTICLE, config: PrinterConfig | None = None) -> str:
    """A list of :class:`derive.steps.Step` as an ``align*`` block: one row per step, the
    justification beside it or above it, dropped terms under a brace."""
    rows = layout_rows(steps, printer, layout, params=params, config=config)
    return emit_align(rows, layout)
