"""The tree -> evaluated SymPy, with derive's symbols (domains), indices and sizes."""

from __future__ import annotations

import re
from typing import Callable, ClassVar, Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols as dsym
from derive.errors import ParseError
from derive.latex.parse.binding import Binding, walk
from derive.latex.parse.commands import MAX_FACTORIAL, MAX_RESULT_BITS
from derive.latex.parse.functions import ShapeError, apply_function
from derive.latex.parse.nodes import Big, Call, Cases, Cmp, Const, Deriv, Fn, Logic, Name, Node, Num, Op, Rel
from derive.latex.parse.relations import RELATIONS

#: Condition operators -> SymPy relationals.
COMPARISONS = {"=": sp.Eq, "!=": sp.Ne, "<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}
#: Letters tried, in order, for an index the reader introduces (softmax, logsumexp of a vector).
FRESH_INDICES = "jklmtsuvi"


def _is_matrix(x: sp.Basic) -> bool:
    return isinstance(x, (sp.MatrixExpr, sp.MatrixBase))


def _shape(m: sp.Basic) -> str:
    return f"{m.shape[0]} x {m.shape[1]}"


def _kronecker_pair(node: Name) -> tuple[Node, Node] | None:
    """The two indices of ``\\delta_{ij}``, ``\\delta_{i,j}``, ``\\delta_{k k^*}`` (a Kronecker
    delta), or None."""
    if node.name != "delta" or node.sub is None or node.sub.items is None:
        return None
    if len(node.sub.letters) == 2 and not any(c.isdigit() for c in node.sub.letters):
        return Name(node.sub.letters[0]), Name(node.sub.letters[1])
    items = node.sub.items
    if len(items) == 1 and isinstance(items[0], Op) and items[0].op == "mul":
        items = items[0].args
    if len(items) == 2 and all(isinstance(i, Name) and i.sub is None for i in items):
        return items[0], items[1]
    return None


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
        "atan": sp.atan, "logb": sp.log, "csc": sp.csc, "sec": sp.sec, "cot": sp.cot,
    }

    def __init__(self, text: str, binding: Binding, overrides: Mapping[str, sp.Basic], log_base: sp.Expr | None,
                 notes: list[str], functions: Mapping[str, Callable[..., sp.Basic]] | None = None):
        self.text = text
        self.binding = binding
        self.overrides = overrides
        self.log_base = log_base
        self.notes = notes
        self.functions = dict(functions or {})  # declared functions with a meaning (name -> callable)
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
            return self.functions.get(node.head, sp.Function(node.head))(*(self.build(a, scope) for a in node.args))
        if isinstance(node, Fn):
            return self.known(node, scope)
        if isinstance(node, Cmp):
            return self.condition(node, scope)
        if isinstance(node, Logic):
            return (sp.And if node.op == "and" else sp.Or)(*(self.build(part, scope) for part in node.parts))
        if isinstance(node, Cases):
            return sp.Piecewise(*((self.build(value, scope), sp.true if cond is None else self.build(cond, scope))
                                  for value, cond in node.rows))
        if isinstance(node, Deriv):
            return self.derivative(node, scope)
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
        given = self.overrides.get(name + "[]", self.overrides.get(name))
        if isinstance(given, sp.IndexedBase):
            return given
        if isinstance(given, sp.Symbol):
            return sp.IndexedBase(name, **given._assumptions_orig)
        key = ("indexed", name)
        if key not in self.cache:
            self.cache[key] = dsym.indexed_base(name)
        return self.cache[key]

    def index_symbol(self, letter: str, scope: frozenset[str]) -> sp.Basic:
        if letter not in scope and letter not in self.binding.plain and letter in self.binding.sum_indices:
            # \sum_i y_i + y_i: the second y_i is outside the sum (even when the caller names i)
            raise self.refuse(f"the index {letter} of a \\sum is used outside it: a sum takes only the "
                              f"product that follows it; bracket the summand, \\sum_{{{letter}}} \\left( ... \\right)")
        if letter in self.overrides or letter in scope or letter in self.binding.plain:
            return self.symbol(letter, scope)
        return dsym.index(letter)

    def index_item(self, item: Node, scope: frozenset[str]) -> sp.Basic:
        if isinstance(item, Name) and item.sub is None:
            return self.index_symbol(item.name, scope)
        return self.build(item, scope)

    def name(self, node: Name, scope: frozenset[str]) -> sp.Basic:
        if node.sub is not None and node.full in self.overrides:  # a caller's y_i (say a vector)
            return self.overrides[node.full]
        if node.sub is None:
            return self.symbol(node.name, scope)
        pair = _kronecker_pair(node)
        if pair is not None and node.name not in self.binding.plain and node.name not in self.overrides:
            return sp.KroneckerDelta(*(self.index_item(item, scope) for item in pair))
        given = self.overrides.get(node.name + "[]", self.overrides.get(node.name))
        if node.name not in self.binding.indexed and not isinstance(given, sp.IndexedBase):
            return self.symbol(node.full, scope)
        if len(node.sub.letters) >= 3 and not all(c in scope for c in node.sub.letters):
            return self.symbol(node.full, scope)  # x_{max}, x_{min}, \theta_{MLE}: a word, not three indices
        sub = node.sub
        if sub.items is None:
            raise self.refuse(f"cannot read the subscript '{sub.text}' of the indexed symbol {node.name}", sub.pos)
        if sub.letters:
            indices = [sp.Integer(letter) if letter.isdigit() else self.index_symbol(letter, scope)
                       for letter in sub.letters]
        else:
            indices = [self.index_item(item, scope) for item in sub.items]
        return self.indexed_base(node.name)[tuple(indices)]

    # -- operations --------------------------------------------------------------------------

    def op(self, node: Op, scope: frozenset[str]) -> sp.Basic:
        args = [self.build(a, scope) for a in node.args]
        kind = node.op
        if kind == "add":
            self.check_sum_shapes(args)
            return sp.Add(*args)
        if kind == "mul":
            self.check_product_shapes(args)
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
        if kind == "det":
            return self.apply("det", args)
        if kind == "abs" and _is_matrix(args[0]):
            return self.apply("det", args)  # |A| of a matrix: its determinant
        if kind == "kron":
            if _is_matrix(args[0]) and _is_matrix(args[1]):
                return sp.KroneckerProduct(*args)
            return sp.Mul(*args)  # of numbers: their product
        if any(_is_matrix(a) for a in args):
            raise self.refuse(f"{kind} of a matrix is not supported: it applies to numbers")
        return self._FUNCTIONS[kind](*args)

    def check_product_shapes(self, factors: list[sp.Basic]) -> None:
        """Adjacent matrices of a product must fit as written (SymPy accepts a d x 1 times a
        1 x d times ... whenever d might be 1; a formula means its sizes in general)."""
        matrices = [f for f in factors if _is_matrix(f)]
        for left, right in zip(matrices, matrices[1:]):
            if left.shape[1] != right.shape[0]:
                raise self.refuse(f"the shapes of the matrices do not fit: {left} is {_shape(left)} and "
                                  f"{right} is {_shape(right)} (columns {left.shape[1]} against rows {right.shape[0]})")

    def check_sum_shapes(self, terms: list[sp.Basic]) -> None:
        """Matrices added must have one shape; a number may be added only to a 1 x 1 matrix."""
        shapes = {m.shape for m in terms if _is_matrix(m)}
        if len(shapes) > 1:
            raise self.refuse("the shapes of the matrices do not fit: a sum of a "
                              + " and a ".join(f"{r} x {c}" for r, c in sorted(shapes, key=str)) + " matrix")
        if shapes and shapes != {(1, 1)} and any(not _is_matrix(t) for t in terms):
            (rows, cols), = shapes
            number = sp.Add(*(t for t in terms if not _is_matrix(t)))
            raise self.refuse(f"the shapes of the matrices do not fit: a {rows} x {cols} matrix plus the number "
                              f"{number} (if it is a matrix too, give it in symbols=, e.g. a MatrixSymbol)")

    # -- known functions, conditions, derivatives ---------------------------------------------

    def apply(self, key: str, args: list[sp.Basic]) -> sp.Basic:
        try:
            return apply_function(key, args)
        except ShapeError as exc:
            raise self.refuse(str(exc)) from None

    def known(self, node: Fn, scope: frozenset[str]) -> sp.Basic:
        """A function of the table; ``softmax(z)_k`` and ``logsumexp(z)`` of a vector z sum over its entries."""
        vector = (node.key == "softmax" or node.key == "logsumexp" and len(node.args) == 1) and isinstance(
            node.args[0], Name) and node.args[0].sub is None and not _is_matrix(self.build(node.args[0], scope))
        if not vector:
            return self.apply(node.key, [self.build(a, scope) for a in node.args])
        z = self.indexed_base(node.args[0].name)
        j = dsym.index(self.fresh_index())
        total = sp.Sum(sp.exp(z[j]), (j, 1, dsym.size(f"N_{{{node.args[0].name}}}")))  # as \\sum_j e^{z_j}
        if node.key == "logsumexp":
            return sp.log(total)
        component = node.args[1]
        if isinstance(component, Name) and component.sub is None and component.name not in scope | set(self.overrides):
            return sp.exp(z[dsym.index(component.name)]) / total  # a component k is an index
        return sp.exp(z[self.index_item(component, scope)]) / total

    def fresh_index(self) -> str:
        """A letter the formula does not use, for an index the reader introduces."""
        for letter in FRESH_INDICES:
            if not re.search(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])", self.text):
                return letter
        raise self.refuse("no free letter for the index of a vector's entries: write the sum out")

    def condition(self, node: Cmp, scope: frozenset[str]) -> sp.Basic:
        items = [self.build(item, scope) for item in node.items]
        if any(_is_matrix(item) for item in items):
            raise self.refuse("a condition compares numbers, not matrices")
        parts = [COMPARISONS[op](a, b) for op, a, b in zip(node.ops, items, items[1:])]
        return sp.And(*parts)

    def derivative(self, node: Deriv, scope: frozenset[str]) -> sp.Basic:
        """Evaluated; of a bare name (a quantity written as the numerator, \\partial L / \\partial w),
        the derivative of an opaque function of the variables."""
        wrt = []
        for var_node, order in node.wrt:
            var = self.build(var_node, scope)
            if not isinstance(var, (sp.Symbol, sp.Indexed)):
                raise self.refuse(f"cannot differentiate with respect to {var}: it is not a variable")
            wrt.append((var, order))
        variables = tuple(dict.fromkeys(v for v, _ in wrt))
        if node.label and not any(isinstance(v, sp.Symbol) and v.name == node.body.full for v in variables):
            return sp.Derivative(sp.Function(node.body.full)(*variables), *wrt)
        body = self.build(node.body, scope)
        if _is_matrix(body):
            raise self.refuse("derivatives of matrices are not supported")
        result = sp.diff(body, *wrt)
        hidden = body.atoms(AppliedUndef) or any(
            isinstance(n, Name) and n.sub is not None and any(v.name in n.sub.text.split() or v.name == n.sub.text
                                                              for v in variables if isinstance(v, sp.Symbol))
            for n, _ in walk(node.body, frozenset()))
        if result == 0 and body != 0 and hidden and not body.is_number:
            raise self.refuse(
                f"the derivative in {', '.join(str(v) for v in variables)} is 0 as written: the variable appears "
                "in neither the expression nor the arguments of its functions; write the dependence as an "
                "argument (Q(\\theta), not Q_\\theta; \\ell(\\hat{y}(\\theta)))")
        return result

    def transpose(self, value: sp.Basic) -> sp.Basic:
        """``x^T``: the transpose of a matrix (a ``MatrixSymbol`` given in ``symbols``);
        dropped, with a note, on a scalar."""
        if _is_matrix(value):
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
        hi = self.build(node.hi, scope) if node.hi is not None else self.symbol(self.binding.bounds[node], scope)
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
