"""The tree -> evaluated SymPy, with derive's symbols (domains), indices and sizes."""

from __future__ import annotations

from typing import Callable, ClassVar, Mapping

import sympy as sp

from derive import symbols as dsym
from derive.errors import ParseError
from derive.latex.parse.binding import Binding
from derive.latex.parse.commands import MAX_FACTORIAL, MAX_RESULT_BITS
from derive.latex.parse.nodes import Big, Call, Const, Name, Node, Num, Op, Rel
from derive.latex.parse.relations import RELATIONS

def _index_from(name: str, lower: sp.Expr) -> sp.Symbol:
    """A summation index with the sign its lower bound gives it: positive from 1 (derive's
    index), non-negative from 0, any integer otherwise (sum_{j=0} |j - 1| is not sum (j - 1))."""
    if lower.is_integer and lower.is_positive:
        return dsym.index(name)
    if lower.is_integer and lower.is_nonnegative:
        return sp.Symbol(name, integer=True, nonnegative=True)
    return sp.Symbol(name, integer=True)


class Builder:
    """AST -> evaluated SymPy, with derive's symbols (domains), indices and sizes."""

    _FUNCTIONS: ClassVar[dict[str, Callable[..., sp.Basic]]] = {
        "abs": sp.Abs, "exp": sp.exp, "ln": sp.log, "sqrt": sp.sqrt, "root": sp.root,
        "max": sp.Max, "min": sp.Min, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asin": sp.asin, "acos": sp.acos,
        "atan": sp.atan, "logb": sp.log,
        "det": lambda x: sp.Determinant(x) if isinstance(x, sp.MatrixExpr) else x,  # det of a scalar: itself
    }

    def __init__(self, text: str, binding: Binding, overrides: Mapping[str, sp.Basic], log_base: sp.Expr | None,
                 notes: list[str]):
        self.text = text
        self.binding = binding
        self.overrides = overrides
        self.log_base = log_base
        self.notes = notes
        self.index_lower: dict[str, sp.Expr] = {}  # the lower bound of each enclosing sum's index
        self.cache: dict[object, sp.Basic] = {}

    def refuse(self, reason: str, pos: int | None = None) -> ParseError:
        return ParseError(self.text, reason, pos)

    def build(self, node: Node, scope: frozenset[str] = frozenset()) -> sp.Basic:
        if isinstance(node, Num):
            return sp.Rational(node.text) if "." in node.text else sp.Integer(node.text)
        if isinstance(node, Const):
            return {"pi": sp.pi, "E": sp.E, "oo": sp.oo}[node.name]
        if isinstance(node, Name):
            return self.name(node, scope)
        if isinstance(node, Op):
            return self.op(node, scope)
        if isinstance(node, Call):
            return sp.Function(node.head)(*(self.build(a, scope) for a in node.args))
        if isinstance(node, Big):
            return self.big(node, scope)
        if isinstance(node, Rel):
            return RELATIONS[node.kind](self.build(node.lhs, scope), self.build(node.rhs, scope))
        raise TypeError(f"unknown node {node!r}")  # pragma: no cover - parser invariant

    # -- names -------------------------------------------------------------------------------

    def symbol(self, name: str, scope: frozenset[str]) -> sp.Basic:
        """The symbol for a name: caller's override, bound index, size, or derive's symbol."""
        if name in self.overrides:
            return self.overrides[name]
        if name in scope:
            return _index_from(name, self.index_lower.get(name, sp.S.One))
        if name in self.binding.sizes:
            return dsym.size(name)
        if name not in self.cache:  # derive.symbols.symbol computes a domain: once per name
            self.cache[name] = dsym.symbol(name)
        return self.cache[name]

    def indexed_base(self, name: str) -> sp.IndexedBase:
        given = self.overrides.get(name)
        if isinstance(given, sp.IndexedBase):
            return given
        if isinstance(given, sp.Symbol):
            return sp.IndexedBase(name, **given._assumptions_orig)
        key = ("indexed", name)
        if key not in self.cache:
            self.cache[key] = dsym.indexed_base(name)
        return self.cache[key]

    def index_symbol(self, letter: str, scope: frozenset[str]) -> sp.Basic:
        if letter in self.overrides or letter in scope or letter in self.binding.plain:
            return self.symbol(letter, scope)
        if letter in self.binding.sum_indices:  # \sum_i y_i + y_i: the second y_i is outside the sum
            raise self.refuse(f"the index {letter} of a \\sum is used outside it: a sum takes only the "
                              f"product that follows it; bracket the summand, \\sum_{{{letter}}} \\left( ... \\right)")
        return dsym.index(letter)

    def index_item(self, item: Node, scope: frozenset[str]) -> sp.Basic:
        if isinstance(item, Name) and item.sub is None:
            return self.index_symbol(item.name, scope)
        return self.build(item, scope)

    def name(self, node: Name, scope: frozenset[str]) -> sp.Basic:
        if node.sub is None:
            return self.symbol(node.name, scope)
        if node.name not in self.binding.indexed:
            return self.symbol(node.full, scope)
        sub = node.sub
        if sub.items is None:
            raise self.refuse(f"cannot read the subscript '{sub.text}' of the indexed symbol {node.name}", sub.pos)
        if sub.letters:
            indices = [self.index_symbol(letter, scope) for letter in sub.letters]
        else:
            indices = [self.index_item(item, scope) for item in sub.items]
        return self.indexed_base(node.name)[tuple(indices)]

    # -- operations --------------------------------------------------------------------------

    def op(self, node: Op, scope: frozenset[str]) -> sp.Basic:
        args = [self.build(a, scope) for a in node.args]
        kind = node.op
        if kind == "add":
            return sp.Add(*args)
        if kind == "mul":
            return sp.Mul(*args)
        if kind == "neg":
            return -args[0]
        if kind == "recip":
            return self.power(args[0], sp.Integer(-1))
        if kind == "div":
            return args[0] * self.power(args[1], sp.Integer(-1))
        if kind == "pow":
            return self.power(*args)
        if kind == "transpose":
            return self.transpose(args[0])
        if kind == "logb" and args[1].is_number and not (args[1].is_positive and args[1] != 1):
            raise self.refuse(f"a log to the base {args[1]}: a base must be positive and not 1")
        if kind == "log":
            return sp.log(args[0]) if self.log_base is None else sp.log(args[0], self.log_base)
        if kind in ("factorial", "binomial", "gamma"):
            return self.combinatorial(kind, args)
        return self._FUNCTIONS[kind](*args)

    def transpose(self, value: sp.Basic) -> sp.Basic:
        """``x^T``: the transpose of a matrix (a ``MatrixSymbol`` given in ``symbols``);
        dropped, with a note, on a scalar."""
        if isinstance(value, sp.MatrixExpr):
            return value.T
        self.notes.append("dropped a transpose (^T) on a scalar")
        return value

    def power(self, base: sp.Basic, exponent: sp.Basic) -> sp.Basic:
        """``base**exponent``, refusing numbers too large to evaluate."""
        if base.is_Rational and exponent.is_Rational and base not in (0, 1, -1):
            bits = max(abs(base.p).bit_length(), base.q.bit_length())
            if bits * abs(exponent) > MAX_RESULT_BITS or exponent.q > MAX_FACTORIAL:
                raise self.refuse("a number too large to evaluate")
        return base**exponent

    def combinatorial(self, kind: str, args: list[sp.Basic]) -> sp.Basic:
        if any(a.is_Number and abs(a) > MAX_FACTORIAL for a in args):
            raise self.refuse(f"{kind} of a number larger than {MAX_FACTORIAL}")
        return {"factorial": sp.factorial, "binomial": sp.binomial, "gamma": sp.gamma}[kind](*args)

    def big(self, node: Big, scope: frozenset[str]) -> sp.Basic:
        if node.op == "int":
            var = self.symbol(node.var, scope)
            body = self.build(node.body, scope)
            if node.lo is None:
                return sp.Integral(body, var)
            return sp.Integral(body, (var, self.build(node.lo, scope), self.build(node.hi, scope)))
        inner = scope | {node.var}
        lo = self.build(node.lo, scope) if node.lo is not None else sp.Integer(1)
        hi = self.build(node.hi, scope) if node.hi is not None else self.symbol(f"N_{node.var}", scope)
        outer = self.index_lower.get(node.var)
        self.index_lower[node.var] = lo
        try:
            var = self.symbol(node.var, inner)
            body = self.build(node.body, inner)
        finally:
            if outer is None:
                del self.index_lower[node.var]
            else:
                self.index_lower[node.var] = outer
        cls = sp.Sum if node.op == "sum" else sp.Product
        if isinstance(node.body, Big) and node.body.op == node.op and isinstance(body, cls):
            return cls(body.function, *body.limits, (var, lo, hi))
        return cls(body, (var, lo, hi))
