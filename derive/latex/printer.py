"""SymPy expressions -> LaTeX, as a textbook writes them.

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
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence_traditional

from derive.config import PrinterConfig
from derive.latex.tokens import rename_symbols
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


def flip_against_logs(e: sp.Basic) -> sp.Basic:
    """``(p - 1) log(1 - p)`` as ``-(1 - p) log(1 - p)``: a sum factor whose negation is the
    argument of a log in the same product is written as that argument, the sign moving to
    the coefficient (an unevaluated product, equal to ``e``)."""
    if not isinstance(e, sp.Mul):
        return e
    factors = list(e.args)
    logs = [f.args[0] for f in factors if isinstance(f, sp.log)]
    for index, factor in enumerate(factors):
        if isinstance(factor, sp.Add) and any(sp.expand(factor + a) == 0 for a in logs):
            others = factors[:index] + factors[index + 1:]
            coeff = -sp.Mul(*[f for f in others if f.is_Number])
            rest = [f for f in others if not f.is_Number]
            flipped = sp.Add(*[-term for term in factor.args])
            return sp.Mul(*([coeff] if coeff != 1 else []), flipped, *rest, evaluate=False)
    return e


def reads_negative(e: sp.Basic) -> bool:
    """True when ``e`` prints with a leading minus sign under :class:`TextbookPrinter`."""
    e = flip_against_logs(e)
    if e.is_Number:
        return bool(e.is_extended_negative)
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_coeff_Mul()
        negative = bool(coeff.is_extended_negative)
        for factor in sp.Mul.make_args(rest):
            if isinstance(factor, sp.Sum) and reads_negative(factor):
                negative = not negative
        return negative
    if isinstance(e, sp.Sum):
        body = e.function
        if isinstance(body, sp.Add):
            return all(reads_negative(t) for t in body.args)
        return reads_negative(body)
    return False


def negated(e: sp.Basic) -> sp.Basic:
    """``-e`` built so that it prints without the minus that ``e`` prints with."""
    e = flip_against_logs(e)
    if e.is_Number:
        return -e
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff.is_extended_negative:
            return rest if coeff == -1 else sp.Mul(-coeff, *sp.Mul.make_args(rest), evaluate=False)
        factors = list(sp.Mul.make_args(e))
        for index, factor in enumerate(factors):
            if isinstance(factor, sp.Sum) and reads_negative(factor):
                factors[index] = negated(factor)
                return sp.Mul(*factors, evaluate=False)
    if isinstance(e, sp.Sum):
        body = e.function
        if isinstance(body, sp.Add):
            body = sp.Add(*[negated(t) for t in body.args], evaluate=False)
        else:
            body = negated(body)
        return sp.Sum(body, *e.limits)
    return -e


def is_tall(e: sp.Basic) -> bool:
    """True when ``e`` prints taller than a line of symbols (fraction, root, big operator)."""
    if isinstance(e, _BIG_OPERATORS):
        return True
    if e.is_Rational and not e.is_Integer:
        return True
    if isinstance(e, sp.Pow) and e.exp.is_Rational and (e.exp.is_negative or not e.exp.is_Integer):
        return True
    if isinstance(e, sp.exp) and is_tall(e.args[0]):
        return True
    return any(is_tall(a) for a in e.args if isinstance(a, sp.Basic))


def has_parens(e: sp.Basic) -> bool:
    """True when printing ``e`` puts parentheses somewhere inside it."""
    if isinstance(e, sp.Add):
        return any(has_parens(t) for t in e.args)
    if isinstance(e, sp.Mul):
        return any(isinstance(f, sp.Add) or has_parens(f) for f in e.args)
    if isinstance(e, sp.Pow):
        return isinstance(e.base, (sp.Add, sp.Mul)) or has_parens(e.base)
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


def collect_constant_logs(expr: sp.Basic) -> sp.Basic:
    """Logs of constants with the same coefficient in a sum written as one log:
    ``1/2 log 2 + 1/2 log pi -> 1/2 log(2 pi)``.  The result is checked equal to ``expr``
    (the logs expanded back); when it is not, ``expr`` is returned unchanged."""
    if not isinstance(expr, sp.Add):
        return expr
    groups: dict[sp.Expr, list[sp.Expr]] = {}
    rest = []
    for term in expr.args:
        coeff, factor = term.as_coeff_Mul()
        if isinstance(factor, sp.log) and not factor.free_symbols and factor.args[0].is_positive:
            groups.setdefault(coeff, []).append(factor.args[0])
        else:
            rest.append(term)
    if all(len(args) < 2 for args in groups.values()):
        return expr
    merged = []
    for coeff, args in groups.items():
        log = sp.log(sp.Mul(*args), evaluate=False) if len(args) > 1 else sp.log(args[0])
        merged.append(log if coeff == 1 else sp.Mul(coeff, log, evaluate=False))
    terms = rest + merged
    tidy = terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)
    if sp.expand(sp.expand_log(tidy - expr, force=True)) != 0:
        return expr
    return tidy


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


def is_indicator(e: sp.Basic) -> bool:
    """``Piecewise((1, c), (0, True))``: the indicator 1[c]."""
    return isinstance(e, sp.Piecewise) and len(e.args) == 2 and e.args[0][0] == 1 and e.args[1] == (0, True)


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
    if isinstance(f, sp.Abs) or (isinstance(f, sp.Pow) and isinstance(f.base, sp.Abs)):
        return 3  # |y - yhat| is a bracketed value: over a denominator, not after 1/b
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
        "softplus": False,
        "class_base": 1,
        "symbols": (),
    }

    @classmethod
    def from_config(cls, config: PrinterConfig | None = None, **settings) -> TextbookPrinter:
        config = config or PrinterConfig()
        return cls({"log_notation": config.log, "log_parens": config.log_parens,
                    "exp_notation": config.exp, "fold_log_base": config.fold_log_base,
                    "softplus": config.softplus, "class_base": config.class_base, "symbols": config.symbols,
                    **settings})

    @property
    def log_command(self) -> str:
        """The control word of the natural log: ``\\log`` or ``\\ln``."""
        return r"\ln" if self._settings["log_notation"] == "ln" else r"\log"

    # ---- delimiters

    def _paren(self, expr: sp.Basic, tex: str, square: bool = False) -> str:
        left, right = ("[", "]") if square else ("(", ")")
        if is_tall(expr):
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
            return (reads_negative(t), not has_lead) if lead else (reads_negative(t),)

        terms = sorted(terms, key=key)
        if len(terms) > 1 and all(isinstance(t, sp.exp) or t.is_Number for t in terms):
            terms.sort(key=lambda t: not (t.is_Number and t.is_positive))  # 1 + e^{z}
        return terms

    def add_pieces(self, expr: sp.Add) -> list[tuple[str, str, sp.Basic]]:
        """``[(sign, tex, term), ...]`` of the terms of a sum in print order, sign ``""``/``"-"``
        for the first and ``"+"``/``"-"`` for the others, ``term`` what ``tex`` prints; logs of
        constants with the same coefficient are written as one (:func:`collect_constant_logs`)."""
        expr = collect_constant_logs(expr)
        if not isinstance(expr, sp.Add):
            return [("-", self._print(negated(expr)), negated(expr)) if reads_negative(expr)
                    else ("", self._print(expr), expr)]
        pieces = []
        for index, term in enumerate(self.ordered_terms(expr)):
            negative = reads_negative(term)
            if negative:
                term = negated(term)
            tex = self._print(term)
            if self._needs_add_brackets(term):
                tex = self._paren(term, tex)
            sign = "-" if negative else ("" if index == 0 else "+")
            pieces.append((sign, tex, term))
        return pieces

    def residual_first(self, arg: sp.Basic) -> sp.Basic:
        """``|mu - y|`` is ``|y - mu|``: inside an absolute value, the sign that puts the data
        first and the lead symbols (the model's parameters) second."""
        lead = tuple(self._settings["lead_symbols"])
        if not isinstance(arg, sp.Add) or not lead:
            return arg
        flipped = sp.Add(*[negated(t) if reads_negative(t) else -t for t in arg.args], evaluate=False)
        first, other = self.ordered_terms(arg)[0], self.ordered_terms(flipped)[0]
        if any(first.has(s) for s in lead) and not any(other.has(s) for s in lead):
            return flipped
        return arg

    def _print_Add(self, expr, order=None):
        tex = ""
        for sign, term, _ in self.add_pieces(expr):
            tex += {"": "", "+": " + ", "-": " - " if tex else "- "}[sign] + term
        return tex

    # ---- products

    def rank(self, factor: sp.Basic) -> float:
        style = self._settings["exp_notation"]
        exp_operator = isinstance(factor, sp.exp) and (
            style == "exp" or (style == "auto" and is_tall(factor.args[0])))
        return _factor_rank(factor, exp_operator)

    def _join_factors(self, factors: list[sp.Basic]) -> str:
        factors = sorted(factors, key=self.rank)
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
        factors = [collect_constant_logs(f) if isinstance(f, sp.Add) else f for f in expr.args]
        if any(not isinstance(new, sp.Add) and isinstance(old, sp.Add) for new, old in zip(factors, expr.args)):
            expr = sp.Mul(*factors, evaluate=False)  # d (log 2 + log pi) -> d log(2 pi)
        expr = flip_against_logs(expr)
        if reads_negative(expr):
            body = negated(expr)
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
        operators = [f for f in numer if self.rank(f) >= 4]
        if operators:
            simple = [f for f in numer if self.rank(f) < 4]
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
        if reads_negative(expr):
            return "- " + self._print(negated(expr))
        # Sum(f, (k, 1, K), (i, 1, n)) is sum_i sum_k f: the last limit is the outermost.
        heads = [r"\sum_{%s=%s}^{%s} " % self.sum_limits(limit) for limit in reversed(expr.limits)]
        return "".join(heads) + self._summand(expr.function)

    def sum_limits(self, limit) -> tuple[str, str, str]:
        """``(index, lower, upper)`` of a sum's or a product's limit as printed.  With ``class_base``
        0, a sum over the classes ``k = 1..K`` is written ``k = 0..K - 1``: the same sum, the
        classes renumbered (the indexed symbols carry the class, whatever its number)."""
        index, lower, upper = limit
        if self._settings["class_base"] == 0 and lower == 1 and isinstance(upper, sp.Symbol) and upper.name == "K":
            lower, upper = sp.Integer(0), sp.Add(upper, -1, evaluate=False)
        return self._print(index), self._print(lower), self._print(upper)

    def _print_Product(self, expr):
        if len(expr.limits) != 1:
            return super()._print_Product(expr)
        return r"\prod_{%s=%s}^{%s} " % self.sum_limits(expr.limits[0]) + self._summand(expr.function)

    def _needs_mul_brackets(self, expr, first=False, last=False) -> bool:
        return not is_indicator(expr) and super()._needs_mul_brackets(expr, first, last)  # 1[c] is bracketed

    def _print_Piecewise(self, expr):
        if is_indicator(expr):
            return r"\mathbb{1}[%s]" % self._print(expr.args[0][1])
        unfolded = unfold_piecewise(expr)
        if unfolded is not expr:
            return self._print(unfolded)
        return super()._print_Piecewise(expr)

    def _summand(self, body: sp.Basic) -> str:
        body = unfold_piecewise(body)
        tex = self._print(body)
        if isinstance(body, sp.Add):
            return self._paren(body, tex, square=has_parens(body))
        return tex

    # ---- functions

    def _function_argument(self, arg: sp.Basic) -> str:
        tex = self._print(arg)
        if self._settings["log_parens"] == "auto" and _simple_argument(arg):
            return " " + tex
        return self._paren(arg, tex)

    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        if self._settings["softplus"] and isinstance(arg, sp.Add) and len(arg.args) == 2 and sp.S.One in arg.args:
            (power,) = [a for a in arg.args if a != 1]
            if isinstance(power, sp.exp):  # log(1 + e^u) = softplus(u)
                name = r"\operatorname{softplus}" if exp is None else r"\operatorname{softplus}^{%s}" % exp
                return name + self._paren(power.args[0], self._print(power.args[0]))
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
        if style == "exp" or (style == "auto" and is_tall(arg)):
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
        arg = self.residual_first(expr.args[0])
        tex = self._print(arg)
        tex = r"\left|%s\right|" % tex if is_tall(arg) else r"|%s|" % tex
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    # ---- symbols

    def _print_Symbol(self, expr, style="plain"):
        head, sep, tail = expr.name.partition("_")
        if head in DISPLAY_NAMES:
            expr = sp.Symbol(DISPLAY_NAMES[head] + sep + tail)
        tex = super()._print_Symbol(expr, style=style)
        return rename_symbols(tex, dict(self._settings["symbols"])) if self._settings["symbols"] else tex

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
