"""The two sides as SymPy expressions, the params by name, and one variable per name."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols as dsym
from derive.equivalence.verdict import Mode, Verdict
from derive.errors import DeriveError, Unsupported

@dataclass(frozen=True)
class Problem:
    """One comparison, unified: ``domains`` by variable name (see :mod:`derive.equivalence.domains`)."""

    a: sp.Expr
    b: sp.Expr
    mode: Mode
    params: frozenset[str]
    domains: Mapping[str, sp.Set] = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def seed(self) -> int:
        """Deterministic seed for the probe: a hash of the inputs (not Python's salted hash)."""
        text = "|".join((sp.srepr(self.a), sp.srepr(self.b), self.mode, *sorted(self.params)))
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")

    def domain(self, atom: sp.Basic) -> sp.Set:
        """The domain of a Symbol or Indexed element (the reals when nothing is known)."""
        return self.domains.get(name_of(atom), sp.S.Reals)


def read_inputs(a: Any, b: Any, conventions: bool = False) -> tuple[sp.Basic, sp.Basic]:
    """Both sides as SymPy (an expression, or an ``Eq`` that is an equation); a LaTeX side is read
    with the other side's matrix symbols, so that ``(y - \\mu)^T \\Sigma^{-1} (y - \\mu)`` is a matrix
    product when the other side holds the MatrixSymbols ``y``, ``mu``, ``Sigma``.  Every symbol
    read from LaTeX is real (sums' indices and sizes integers) unless ``conventions``.  A symbol
    ``y_1`` on one side is the element ``y[1]`` when ``y`` is indexed on either side."""
    known: dict[str, sp.MatrixSymbol] = {}
    for side in (a, b):
        if not isinstance(side, str):
            known.update({m.name: m for m in matrix_symbols(as_expr(side, {}))})
    a, b = as_expr(a, known, conventions), as_expr(b, known, conventions)
    a, b = _elements(a, b), _elements(b, a)
    a = _shared_range(a, b)
    return a, _shared_range(b, a)


def _unbounded(expr: sp.Basic) -> set[sp.Symbol]:
    """The sizes N_k that the parser gives an unbounded sum over k."""
    return {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer and s.name.startswith("N_")}


def _shared_range(expr: sp.Basic, other: sp.Basic) -> sp.Basic:
    """An unbounded sum ranges over the index set of its role whatever its letter: when each side
    has one range (N_k here, N_j or K there) and this one is unbounded, they are one."""
    mine = _unbounded(expr)
    theirs = _unbounded(other) or {hi for s in other.atoms(sp.Sum) for _, _, hi in s.limits
                                   if isinstance(hi, sp.Symbol) and hi in other.free_symbols}
    if len(mine) == 1 and len(theirs) == 1 and mine != theirs:
        return expr.xreplace({mine.pop(): theirs.pop()})
    return expr


def matrix_symbols(expr: sp.Basic) -> set[sp.MatrixSymbol]:
    return expr.atoms(sp.MatrixSymbol)


#: Names of the quantity on the left of ``lhs = rhs`` (with any subscript): the formula is its right side.
LABELS = {"L", "J", "E", "H", "D", "R", "ell", "l", "loss", "Loss", "NLL", "nll", "MSE", "BCE", "CE", "KL"}
_LABEL_PREFIXES = ("mathcal", "mathscr", "mathrm", "text", "operatorname")


def is_label(lhs: sp.Basic, rhs: sp.Basic) -> bool:
    """A left side that names the quantity: a call (``\\ell(\\hat y)``, ``H(P, Q)``, ``-\\log p(y \\mid
    \\hat y)``) or a quantity's name (``\\mathcal{L}``, ``L``, ``J``), absent from the right side."""
    core = lhs
    if isinstance(core, sp.Mul) and len(core.args) == 2 and core.args[0] == -1:
        core = core.args[1]
    if isinstance(core, sp.log):
        core = core.args[0]
    if isinstance(core, AppliedUndef):
        return not (core.free_symbols & rhs.free_symbols) or core.func not in {f.func for f in rhs.atoms(AppliedUndef)}
    if isinstance(core, sp.Symbol) and core not in rhs.free_symbols:
        base = dsym.base_name(core.name)
        return base in LABELS or core.name.startswith(_LABEL_PREFIXES)
    return False


def as_expr(x: Any, matrices: dict[str, sp.MatrixSymbol] | None = None, conventions: bool = True) -> sp.Basic:
    """A SymPy expression from an Expr, a number, an equation or a LaTeX string (``matrices``: names
    read as these MatrixSymbols).  ``label = rhs`` is its right side; another equation is kept
    as an ``Eq``; any other relation is refused."""
    if isinstance(x, str):
        x = _parse(x, matrices or {}, conventions)
    if isinstance(x, sp.Equality):
        if is_label(x.lhs, x.rhs):
            x = x.rhs
        else:
            return sp.Eq(*(standard_functions(side) for side in (x.lhs, x.rhs)), evaluate=False)
    if isinstance(x, sp.core.relational.Relational):
        raise DeriveError(f"cannot compare the relation {x}: only expressions and equations are compared")
    try:
        x = sp.sympify(x, strict=True)
    except sp.SympifyError:
        raise DeriveError(f"cannot compare {type(x).__name__} {x!r}: need a SymPy expression or LaTeX") from None
    if not isinstance(x, sp.Expr):
        raise DeriveError(f"cannot compare {type(x).__name__} {x}: need a SymPy expression or LaTeX")
    if isinstance(x, sp.MatrixExpr) and x.shape != (1, 1):
        raise DeriveError(f"cannot compare {x}: a loss is a scalar, this is a {x.shape[0]} x {x.shape[1]} matrix")
    return standard_functions(x)


def _parse(text: str, matrices: dict[str, sp.MatrixSymbol], conventions: bool) -> sp.Basic:
    """LaTeX read twice unless ``conventions``: the second time every name that the parser would
    give a domain by its name (sigma > 0, p in (0, 1)) is a plain real symbol."""
    try:
        from derive.latex.parse import parse_latex
    except ImportError as exc:
        raise Unsupported(f"LaTeX input needs derive.latex.parse, which is unavailable: {exc}") from None
    first = parse_latex(text, symbols=matrices or None)
    if conventions or not isinstance(first, sp.Basic):
        return first
    names = {str(b.label) for b in first.atoms(sp.IndexedBase) if not b.label.is_integer}
    names |= {s.name for s in first.atoms(sp.Symbol) if not s.is_integer and not isinstance(s, sp.Dummy)}
    integer = {s.name for s in first.atoms(sp.Symbol) if s.is_integer}
    plain = {name: sp.Symbol(name, real=True) for name in names - integer - set(matrices)}
    if all(s.assumptions0 == v.assumptions0 for v in plain.values() for s in first.atoms(sp.Symbol) if s.name == v.name):
        return first  # nothing to change: read once
    return parse_latex(text, symbols={**plain, **matrices})


_ELEMENT = re.compile(r"^(?P<base>.+?)_\{?(?P<index>[0-9]+)\}?$")


def _elements(expr: sp.Basic, other: sp.Basic) -> sp.Basic:
    """``y_1`` as the element ``y[1]`` when ``y`` is indexed in ``expr`` or ``other`` (a letter
    subscript stays a name: ``w_j`` beside a sum over j is not that sum's element)."""
    bases = {str(b.label): b for side in (other, expr) for b in side.atoms(sp.IndexedBase)}
    if not bases:
        return expr
    swap = {}
    for s in expr.atoms(sp.Symbol):
        match = _ELEMENT.match(s.name)
        if match and match["base"] in bases:
            swap[s] = bases[match["base"]][sp.Integer(match["index"])]
    return expr.xreplace(swap) if swap else expr


#: One-argument functions that ML texts use by name, read by their definitions:
#: sigma(z) = sigmoid(z) = 1/(1 + e^{-z}), softplus(z) = log(1 + e^z), relu(z) = max(0, z).
STANDARD_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sigma": lambda z: 1 / (1 + sp.exp(-z)),
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "softplus": lambda z: sp.log(1 + sp.exp(z)),
    "relu": lambda z: sp.Max(0, z),
    "ReLU": lambda z: sp.Max(0, z),
}


def standard_functions(expr: sp.Expr) -> sp.Expr:
    """Calls of :data:`STANDARD_FUNCTIONS` (one argument) replaced by their definitions."""
    return expr.replace(
        lambda e: isinstance(e, AppliedUndef) and e.func.__name__ in STANDARD_FUNCTIONS and len(e.args) == 1,
        lambda e: STANDARD_FUNCTIONS[e.func.__name__](e.args[0]))


def name_of(atom: sp.Basic) -> str:
    """The name params are matched by: a Symbol's, or the base name of an Indexed/IndexedBase."""
    if isinstance(atom, sp.Indexed):
        atom = atom.base
    if isinstance(atom, sp.IndexedBase):
        return str(atom.label)
    return atom.name


def names_of(expr: sp.Expr) -> set[str]:
    """Names of the free variables of ``expr`` (an IndexedBase's name once)."""
    return {name_of(s) for s in expr.free_symbols if isinstance(s, (sp.Symbol, sp.Indexed))}


def free_of(expr: sp.Expr, params: frozenset[str]) -> bool:
    return not (names_of(expr) & params)


def param_names(params: Iterable | None, a: sp.Expr, b: sp.Expr, mode: str) -> frozenset[str]:
    """The names in ``params`` (every free name when None), each present in a or b."""
    present = names_of(a) | names_of(b)
    if params is None:
        return frozenset(present)
    if isinstance(params, str):
        params = [p.strip() for p in params.split(",") if p.strip()]  # "yhat, sigma" as on the CLI
    elif isinstance(params, sp.Basic):
        params = [params]
    names = set()
    for p in params:
        if isinstance(p, str):
            names.add(p)
        elif isinstance(p, (sp.Symbol, sp.IndexedBase, sp.Indexed)):
            names.add(name_of(p))
        else:
            raise DeriveError(f"params: {p!r} is not a Symbol, IndexedBase or name")
    if missing := names - present:
        raise DeriveError(f"params not found in either expression: {', '.join(sorted(missing))} "
                          f"(free: {', '.join(sorted(present)) or 'none'})")
    if not names and mode != "exact":
        raise DeriveError(f"params is empty: {mode} equivalence needs at least one param")
    return frozenset(names)


def restore(verdict: Verdict, back: dict) -> Verdict:
    """Scale and offset in the caller's symbols."""
    if verdict.scale is None:
        return verdict
    return dataclasses.replace(verdict, scale=verdict.scale.xreplace(back), offset=verdict.offset.xreplace(back))

