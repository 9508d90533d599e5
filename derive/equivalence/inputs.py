"""The two sides as SymPy expressions, the params by name, and one variable per name."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from functools import reduce
from typing import Any, Callable, Iterable

import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols as S
from derive.equivalence.verdict import Mode, Verdict
from derive.errors import DeriveError, Unsupported

# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class Problem:
    a: sp.Expr
    b: sp.Expr
    mode: Mode
    params: frozenset[str]

    @property
    def seed(self) -> int:
        """Deterministic seed for the probe: a hash of the inputs (not Python's salted hash)."""
        text = "|".join((sp.srepr(self.a), sp.srepr(self.b), self.mode, *sorted(self.params)))
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def read_inputs(a: Any, b: Any) -> tuple[sp.Expr, sp.Expr]:
    """Both sides as SymPy; a LaTeX side is read with the other side's matrix symbols, so
    that ``(y - \\mu)^T \\Sigma^{-1} (y - \\mu)`` is a matrix product when the other side
    holds the MatrixSymbols ``y``, ``mu``, ``Sigma`` (and scalars otherwise)."""
    known: dict[str, sp.MatrixSymbol] = {}
    for side in (a, b):
        if not isinstance(side, str):
            known.update({m.name: m for m in matrix_symbols(as_expr(side, {}))})
    return as_expr(a, known), as_expr(b, known)


def matrix_symbols(expr: sp.Basic) -> set[sp.MatrixSymbol]:
    return expr.atoms(sp.MatrixSymbol)


def as_expr(x: Any, matrices: dict[str, sp.MatrixSymbol] | None = None) -> sp.Expr:
    """A SymPy expression from an Expr, a number, an Eq (its right side) or a LaTeX string
    (``matrices``: names read as these MatrixSymbols)."""
    if isinstance(x, str):
        try:
            from derive.latex.parse import parse_latex
        except ImportError as exc:
            raise Unsupported(f"LaTeX input needs derive.latex.parse, which is unavailable: {exc}") from None
        x = parse_latex(x, symbols=matrices or None)
    if isinstance(x, sp.Equality):
        x = x.rhs
    try:
        x = sp.sympify(x, strict=True)
    except sp.SympifyError:
        raise DeriveError(f"cannot compare {type(x).__name__} {x!r}: need a SymPy expression or LaTeX") from None
    if not isinstance(x, sp.Expr):
        raise DeriveError(f"cannot compare {type(x).__name__} {x}: need a SymPy expression or LaTeX")
    if isinstance(x, sp.MatrixExpr) and x.shape != (1, 1):
        raise DeriveError(f"cannot compare {x}: a loss is a scalar, this is a {x.shape[0]} x {x.shape[1]} matrix")
    return standard_functions(x)





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


# --------------------------------------------------------------------------- unification


def _named_atoms(expr: sp.Basic) -> list[sp.Basic]:
    """Every Symbol (bound ones too) and IndexedBase of ``expr``, in a stable order; the label of
    an IndexedBase is not a Symbol of its own, and Dummies are nobody's namesake."""
    found: dict[sp.Basic, None] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.IndexedBase) or (isinstance(node, sp.Symbol) and not isinstance(node, sp.Dummy)):
            found[node] = None
    labels = {node.label for node in found if isinstance(node, sp.IndexedBase)}
    return sorted((n for n in found if n not in labels or isinstance(n, sp.IndexedBase)), key=sp.default_sort_key)


def _domain(atom: sp.Basic) -> sp.Set:
    """The domain of a Symbol, or of the elements of an IndexedBase."""
    return S.domain_of(atom[1] if isinstance(atom, sp.IndexedBase) else atom)


def _with_domain(atom: sp.Basic) -> sp.Basic:
    """``atom`` itself when its SymPy assumptions already say what its domain says; else a namesake
    that does (a plain ``x`` becomes real, a real ``p`` positive), so that the symbolic stages and
    the probe see the same variable."""
    domain = _domain(atom)
    needed = S.assumptions_for(domain)
    probe = atom[1] if isinstance(atom, sp.IndexedBase) else atom
    if all(getattr(probe, f"is_{key}") is value for key, value in needed.items()):
        return atom
    if isinstance(atom, sp.IndexedBase):
        return sp.IndexedBase(name_of(atom), shape=atom.shape, **needed)
    return sp.Symbol(atom.name, **needed)


def unify(a: sp.Expr, b: sp.Expr) -> tuple[sp.Expr, sp.Expr, dict]:
    """One variable per name (and kind): the namesake with the narrowest domain wins.  Returns
    the unified a and b, and the map back to the caller's symbols (a's first)."""
    groups: dict[tuple[bool, str], list[sp.Basic]] = {}
    for atom in _named_atoms(a) + _named_atoms(b):
        group = groups.setdefault((isinstance(atom, sp.IndexedBase), name_of(atom)), [])
        if atom not in group:
            group.append(atom)
    forward, back = {}, {}
    for group in groups.values():
        best = reduce(lambda x, y: y if _domain(y).is_subset(_domain(x)) and not _domain(x).is_subset(_domain(y))
                      else x, group)
        chosen = _with_domain(best)
        forward.update({atom: chosen for atom in group if atom != chosen})
        if chosen != group[0]:
            back[chosen] = group[0]
    return a.xreplace(forward), b.xreplace(forward), back


def restore(verdict: Verdict, back: dict) -> Verdict:
    """Scale and offset in the caller's symbols."""
    if verdict.scale is None:
        return verdict
    return dataclasses.replace(verdict, scale=verdict.scale.xreplace(back), offset=verdict.offset.xreplace(back))

