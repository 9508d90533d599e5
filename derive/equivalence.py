"""equivalent(): are two formulas the same loss, exactly, up to a constant, or up to a positive
affine map?

Mathematical details.  Write theta for the ``params`` (the model's outputs) and x for every other
variable; ``a`` and ``b`` are real functions on the domain D of (x, theta).

    exact:     a(x, theta) = b(x, theta)              for all (x, theta) in D
    constant:  a(x, theta) - b(x, theta) = g(x)       (same gradients in theta)
    affine:    a(x, theta) = c(x) b(x, theta) + g(x),  c(x) > 0   (same minimisers in theta)

The variables are unified by name first (a parsed real ``yhat`` and the engine's positive
``yhat`` are one variable, with the stronger domain), and every variable is real: its domain is
:func:`derive.symbols.domain_of` (probabilities in (0, 1), scales positive, sizes and indices
positive integers, everything else real).  Then, in stages, each bounded in time:

1. ``canonical``: cheap normal forms valid on the domain (finite Sums done, logs expanded where
   every factor is positive, Sums split and their dummies renamed, ``expand``, ``cancel``), then
   a - b == 0 / a - b free of theta / c = a_theta / b_theta free of theta and positive with
   a - c b free of theta.
2. ``simplify``: the same tests with ``sympy.simplify``.
3. ``numeric``: seeded random points of D, sizes n, K set to 1..4 (5..12 a quarter of the time) with Sums done, both sides
   evaluated with mpmath at 60 digits; points where a side is not real and finite are skipped.

Stages 1 and 2 only ever prove True; a False verdict always comes from stage 3 with a
counterexample; when no stage decides the verdict is undecided (``holds=None``), never a guess.

SymPy cannot be interrupted in a thread, so each stage runs in a forked child process that is
killed when its share of ``timeout`` runs out (inline, unbounded, where ``fork`` is unavailable).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import random
import time
from dataclasses import dataclass
from functools import reduce
from typing import Any, Callable, Iterable, Iterator, Literal

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols as S
from derive.bounded import bounded
from derive.symbolic.domains import expand_logs, is_positive_on, split_sums
from derive.errors import DeriveError, Unsupported

Mode = Literal["exact", "constant", "affine"]
MODES: tuple[str, ...] = ("exact", "constant", "affine")

DIGITS = 60  #: working precision of the numeric probe
TOL = mpmath.mpf("1e-45")  #: |a - b| <= TOL * (1 + magnitudes) counts as equal at 60 digits
TRIES = 100  #: evaluation attempts per probe
MIN_VALID = 8  #: fewer valid points than this: undecided
MOVES = 5  #: constant/affine: param points per setting of the non-params
SIZES = range(1, 5)  #: concrete values of symbolic sizes (n, K) and free indices
LARGE_SIZES = range(5, 13)  #: drawn a quarter of the time: a difference that vanishes for n <= 4 shows
SHARES = (0.3, 0.6)  #: fraction of ``timeout`` by which stages 1 and 2 must have finished


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`equivalent`.

    ``holds``: True, False, or None (undecided).  ``method``: the stage that decided
    (``"canonical"``, ``"simplify"``, ``"numeric"``) or ``"undecided: <why>"``.
    ``counterexample`` (False only): the point ``{name: value}`` (an Indexed element is named
    like ``"yhat[2]"``, a size like ``"n"``) with the values ``"a"`` and ``"b"`` there; in the
    constant and affine modes also ``"others"``, more points (params moved, the rest held) in
    the same form, and ``"reason"``.  ``numerical``: True was established by probing only.
    ``scale``, ``offset``: c and g of ``a == c*b + g`` (affine mode, proved symbolically).
    """

    holds: bool | None
    method: str
    mode: Mode = "exact"
    counterexample: dict[str, Any] | None = None
    numerical: bool = False
    scale: sp.Expr | None = None
    offset: sp.Expr | None = None

    def __bool__(self) -> bool:
        return self.holds is True

    def __str__(self) -> str:
        if self.holds is None:
            return f"{self.mode} equivalence {self.method}"
        how = "numerically (probing, not a proof)" if self.numerical else f"({self.method})"
        if self.method.startswith(MATRICES_WRITTEN_OUT):
            how = f"({self.method}; not a proof for every size)"
        text = f"{self.mode} equivalence {'holds' if self.holds else 'does not hold'} {how}"
        if self.scale is not None:
            text += f": a = ({self.scale})*b + ({self.offset})"
        if self.counterexample:
            text += "; counterexample " + _format_point(self.counterexample)
        return text


def equivalent(a: sp.Expr | str, b: sp.Expr | str, params: Iterable | None = None,
               mode: Mode = "exact", *, timeout: float = 5.0) -> Verdict:
    """Decide whether ``a`` and ``b`` are equivalent in ``mode`` w.r.t. ``params``.

    ``a``, ``b``: SymPy expressions or LaTeX strings (read by :func:`derive.latex.parse.parse_latex`);
    an ``Eq`` stands for its right side.  ``params``: Symbols, IndexedBases or names, matched by
    name (``"yhat"`` covers ``yhat[i]``); None means every free symbol (irrelevant for ``exact``).
    ``timeout``: seconds for the whole decision, shared by the stages.

    Calls of the functions ML texts use by name (``\\sigma(z)``, ``\\operatorname{softplus}(z)``,
    ``\\operatorname{ReLU}(z)``: :data:`STANDARD_FUNCTIONS`) are read by their definitions.
    Other opaque calls (``Function('f')(z)``, ``norm(w)``) stand for arbitrary real functions.  The
    symbolic stages treat them as SymPy does.  The probe gives each distinct call a variable of
    its own (a param when its arguments contain one), except that calls of one function whose
    arguments coincide at the point share a value.  Agreement for such values is agreement for
    every function (True is sound); a difference is realised by some function (False: a formula
    that holds only for a particular f, e.g. a norm, should say so by writing f out).  A
    difference through nested calls f(g(x)) or a Derivative gives undecided.

    Only points where both sides are real and finite are compared: log(y**2) and 2*log(y) agree
    numerically for real y (no symbolic stage claims it).

    Raises DeriveError for an unknown mode, bad params, or a param found in neither expression.
    """
    if mode not in MODES:
        raise DeriveError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
    a, b = _inputs(a, b)
    if _matrix_symbols(a) or _matrix_symbols(b):
        return _matrix_verdict(a, b, params, mode, timeout)
    a, b, back = _unify(a, b)
    problem = _Problem(a, b, mode, _param_names(params, a, b, mode))
    deadline = time.monotonic() + timeout
    notes = []

    status, result = bounded(_stage_canonical, (problem,), timeout * SHARES[0])
    if status == "ok" and result[0] is not None:
        return _restore(result[0], back)
    if status == "ok":
        a, b = result[1], result[2]
    else:
        notes.append(f"canonical {status} {result}")

    remaining = deadline - time.monotonic()
    status, result = bounded(_stage_simplify, (problem, a, b), remaining - timeout * (1 - SHARES[1]))
    if status == "ok" and result is not None:
        return _restore(result, back)
    if status != "ok":
        notes.append(f"simplify {status} {result}")

    status, result = bounded(_stage_numeric, (problem,), deadline - time.monotonic())
    if status == "ok" and result.holds is not None:
        return result
    notes.append(result.method.removeprefix("undecided: ") if status == "ok" else f"numeric probe {status} {result}")
    return Verdict(None, "undecided: " + "; ".join(notes), mode)


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class _Problem:
    a: sp.Expr
    b: sp.Expr
    mode: Mode
    params: frozenset[str]

    @property
    def seed(self) -> int:
        """Deterministic seed for the probe: a hash of the inputs (not Python's salted hash)."""
        text = "|".join((sp.srepr(self.a), sp.srepr(self.b), self.mode, *sorted(self.params)))
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _inputs(a: Any, b: Any) -> tuple[sp.Expr, sp.Expr]:
    """Both sides as SymPy; a LaTeX side is read with the other side's matrix symbols, so
    that ``(y - \\mu)^T \\Sigma^{-1} (y - \\mu)`` is a matrix product when the other side
    holds the MatrixSymbols ``y``, ``mu``, ``Sigma`` (and scalars otherwise)."""
    known: dict[str, sp.MatrixSymbol] = {}
    for side in (a, b):
        if not isinstance(side, str):
            known.update({m.name: m for m in _matrix_symbols(_as_expr(side, {}))})
    return _as_expr(a, known), _as_expr(b, known)


def _matrix_symbols(expr: sp.Basic) -> set[sp.MatrixSymbol]:
    return expr.atoms(sp.MatrixSymbol)


def _as_expr(x: Any, matrices: dict[str, sp.MatrixSymbol] | None = None) -> sp.Expr:
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
    return _standard_functions(x)


# --------------------------------------------------------------------------- matrices

#: The sizes at which formulas with matrices of symbolic size are compared, explicitly.
MATRIX_SIZES = (1, 2)
MATRICES_WRITTEN_OUT = "matrices written out"


def _cholesky(name: str, size: int) -> sp.ImmutableMatrix:
    """L L^T for a lower-triangular L with a positive diagonal: every symmetric positive
    definite matrix, and only those (entries named ``Sigma_L21``)."""
    def entry(i: int, j: int) -> sp.Expr:
        if j > i:
            return sp.S.Zero
        return sp.Symbol(f"{name}_L{i + 1}{j + 1}", positive=True) if i == j else sp.Symbol(
            f"{name}_L{i + 1}{j + 1}", real=True)
    factor = sp.ImmutableMatrix(size, size, entry)
    return sp.ImmutableMatrix(factor * factor.T)


def _explicit_at(expr: sp.Expr, size: int) -> sp.Expr:
    """``expr`` with every symbolic matrix size set to ``size`` and every MatrixSymbol written
    out: a column ``y`` as (y[1], ..., y[size]), a square ``Sigma`` as L L^T (a covariance:
    symmetric positive definite, see :func:`_cholesky`), any other as M[i, j]; the 1 x 1
    result as a scalar."""
    matrices = _matrix_symbols(expr)
    names = {s.name for m in matrices for dim in m.shape for s in sp.sympify(dim).free_symbols}
    # by name: a parsed d (real) is the size d (a positive integer) of the matrices
    sizes = {s: sp.Integer(size) for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in names}
    sizes.update({s: sp.Integer(size) for m in matrices for dim in m.shape for s in sp.sympify(dim).free_symbols})
    explicit = {}
    for m in matrices:
        rows, cols = (int(sp.sympify(dim).xreplace(sizes)) for dim in m.shape)
        base = S.indexed_base(m.name)
        if m.shape[0] == m.shape[1] and m.shape[1] != 1:
            explicit[m] = _cholesky(m.name, rows)
            continue
        if cols == 1:
            entry = lambda i, j, base=base: base[i + 1]  # noqa: E731
        else:
            entry = lambda i, j, base=base: base[i + 1, j + 1]  # noqa: E731
        explicit[m] = sp.ImmutableMatrix(rows, cols, entry)
    value = expr.xreplace(explicit).xreplace(sizes).doit()
    # a 1 x 1 product inside a scalar expression (log det Sigma + v^T A v) is its entry
    value = value.replace(lambda e: isinstance(e, sp.ImmutableMatrix) and e.shape == (1, 1) and e is not value,
                          lambda e: e[0, 0])
    if isinstance(value, (sp.MatrixBase, sp.MatrixExpr)):
        value = sp.ImmutableMatrix(value.as_explicit() if isinstance(value, sp.MatrixExpr) else value)
        if value.shape != (1, 1):
            raise DeriveError(f"cannot compare {expr}: at size {size} it is a {value.shape} matrix, not a scalar")
        value = value[0, 0]
    return value


def _matrix_verdict(a: sp.Expr, b: sp.Expr, params, mode: Mode, timeout: float) -> Verdict:
    """Formulas with matrices of symbolic size d, compared written out at each d in
    :data:`MATRIX_SIZES`.  False at one size is a counterexample; True at every size is
    reported as ``numerical`` (established at those sizes, not proved for every d)."""
    if params is not None:
        params = [p.name if isinstance(p, sp.MatrixSymbol) else p for p in
                  ([params] if isinstance(params, (str, sp.Basic)) else params)]
    methods = []
    for size in MATRIX_SIZES:
        verdict = equivalent(_explicit_at(a, size), _explicit_at(b, size), params, mode,
                             timeout=timeout / len(MATRIX_SIZES))
        if verdict.holds is not True:
            where = f"with the matrices written out at size {size}"
            if verdict.holds is None:
                return dataclasses.replace(verdict, method=f"{verdict.method} ({where})")
            point = dict(verdict.counterexample or {}, size=size)
            return dataclasses.replace(verdict, method=f"{verdict.method} ({where})", counterexample=point)
        methods.append(f"d = {size}: {verdict.method}")
    return Verdict(True, f"{MATRICES_WRITTEN_OUT} at " + ", ".join(methods), mode, numerical=True)


#: One-argument functions that ML texts use by name, read by their definitions:
#: sigma(z) = sigmoid(z) = 1/(1 + e^{-z}), softplus(z) = log(1 + e^z), relu(z) = max(0, z).
STANDARD_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sigma": lambda z: 1 / (1 + sp.exp(-z)),
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "softplus": lambda z: sp.log(1 + sp.exp(z)),
    "relu": lambda z: sp.Max(0, z),
    "ReLU": lambda z: sp.Max(0, z),
}


def _standard_functions(expr: sp.Expr) -> sp.Expr:
    """Calls of :data:`STANDARD_FUNCTIONS` (one argument) replaced by their definitions."""
    return expr.replace(
        lambda e: isinstance(e, AppliedUndef) and e.func.__name__ in STANDARD_FUNCTIONS and len(e.args) == 1,
        lambda e: STANDARD_FUNCTIONS[e.func.__name__](e.args[0]))


def _name(atom: sp.Basic) -> str:
    """The name params are matched by: a Symbol's, or the base name of an Indexed/IndexedBase."""
    if isinstance(atom, sp.Indexed):
        atom = atom.base
    if isinstance(atom, sp.IndexedBase):
        return str(atom.label)
    return atom.name


def _names(expr: sp.Expr) -> set[str]:
    """Names of the free variables of ``expr`` (an IndexedBase's name once)."""
    return {_name(s) for s in expr.free_symbols if isinstance(s, (sp.Symbol, sp.Indexed))}


def _free_of(expr: sp.Expr, params: frozenset[str]) -> bool:
    return not (_names(expr) & params)


def _param_names(params: Iterable | None, a: sp.Expr, b: sp.Expr, mode: str) -> frozenset[str]:
    """The names in ``params`` (every free name when None), each present in a or b."""
    present = _names(a) | _names(b)
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
            names.add(_name(p))
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
        return sp.IndexedBase(_name(atom), shape=atom.shape, **needed)
    return sp.Symbol(atom.name, **needed)


def _unify(a: sp.Expr, b: sp.Expr) -> tuple[sp.Expr, sp.Expr, dict]:
    """One variable per name (and kind): the namesake with the narrowest domain wins.  Returns
    the unified a and b, and the map back to the caller's symbols (a's first)."""
    groups: dict[tuple[bool, str], list[sp.Basic]] = {}
    for atom in _named_atoms(a) + _named_atoms(b):
        group = groups.setdefault((isinstance(atom, sp.IndexedBase), _name(atom)), [])
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


def _restore(verdict: Verdict, back: dict) -> Verdict:
    """Scale and offset in the caller's symbols."""
    if verdict.scale is None:
        return verdict
    return dataclasses.replace(verdict, scale=verdict.scale.xreplace(back), offset=verdict.offset.xreplace(back))


# --------------------------------------------------------------------------- stage 1: canonical


def _doit_finite(expr: sp.Expr) -> sp.Expr:
    """Sums and Products with concrete integer bounds written out."""
    return expr.replace(
        lambda e: isinstance(e, (sp.Sum, sp.Product)) and all(lo.is_Integer and hi.is_Integer for _, lo, hi in e.limits),
        lambda e: e.doit())


def _expand_summands(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: sp.Sum(sp.expand(e.function), *e.limits))


def _reorder(expr: sp.Expr) -> sp.Expr:
    """sum_i sum_k f = sum_k sum_i f when no range depends on an index of the Sum: the limits of
    such a Sum are put in one order (by their ranges; equal ranges keep their order)."""

    def independent(e: sp.Basic) -> bool:
        indices = {var for var, _, _ in e.limits}
        return not any((lo.free_symbols | hi.free_symbols) & indices for _, lo, hi in e.limits)

    return expr.replace(
        lambda e: isinstance(e, sp.Sum) and len(e.limits) > 1 and independent(e),
        lambda e: sp.Sum(e.function, *sorted(e.limits, key=lambda limit: sp.default_sort_key(sp.Tuple(*limit[1:])))))


def _reindex(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename the dummies of each Sum/Product to ``_i<depth>``, depth counted from the outermost
    limit, so that sum_i f(i) and sum_j f(j) become the same expression."""
    if isinstance(expr, (sp.Sum, sp.Product)):
        outward = [limit[0] for limit in reversed(expr.limits)]
        new = {var: sp.Symbol(f"_i{depth + pos}", integer=True) for pos, var in enumerate(outward)}
        limits = [tuple(part.xreplace(new) for part in limit) for limit in expr.limits]
        return expr.func(_reindex(expr.function.xreplace(new), depth + len(limits)), *limits)
    args = [_reindex(arg, depth) for arg in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _canonical(expr: sp.Expr) -> sp.Expr:
    """A cheap normal form, equal to ``expr`` on the domain: finite Sums done, logs expanded where
    every factor of the argument is positive, Sum(f + g) = Sum(f) + Sum(g) with constant factors
    out, nests of independent Sums ordered, dummies renamed by depth, then ``expand``."""
    expr = expand_logs(_doit_finite(expr), {})
    return sp.expand(_reindex(_reorder(split_sums(_expand_summands(expr)))))


def _normal(expr: sp.Expr) -> sp.Expr:
    """``expand``, then ``cancel`` over a common denominator (the stage-1 simplifier)."""
    expr = sp.expand(expr)
    return expr if expr == 0 else sp.cancel(sp.together(expr))


def _stage_canonical(problem: _Problem) -> tuple[Verdict | None, sp.Expr, sp.Expr]:
    a, b = _canonical(problem.a), _canonical(problem.b)
    return _decide(problem, a, b, _normal, "canonical"), a, b


def _param_atoms(expr: sp.Expr, params: frozenset[str]) -> list[sp.Basic]:
    """The params in ``expr``: scalar Symbols and Indexed elements (not an IndexedBase's label)."""
    labels = {base.label for base in expr.atoms(sp.IndexedBase)}
    return sorted((s for s in expr.free_symbols - labels
                   if isinstance(s, (sp.Symbol, sp.Indexed)) and _name(s) in params), key=sp.default_sort_key)


def _dependent(expr: sp.Expr, params: frozenset[str]) -> sp.Expr:
    """The terms of ``expr`` that contain a param."""
    atoms = _param_atoms(expr, params)
    return expr.as_independent(*atoms, as_Add=True)[1] if atoms else sp.S.Zero


def _scale_candidates(a: sp.Expr, b: sp.Expr, params: frozenset[str]) -> Iterable[sp.Expr]:
    """Candidates for c in a = c b + g: 1 (a - b may be free of the params already), the ratio
    of the param-dependent terms of a and b, and (da/dtheta) / (db/dtheta) per scalar param."""
    yield sp.S.One
    if (b_dependent := _dependent(b, params)) == 0:
        return
    yield _dependent(a, params) / b_dependent
    for theta in _param_atoms(b, params):
        if isinstance(theta, sp.Symbol) and (db := sp.diff(b, theta)) != 0:
            yield sp.diff(a, theta) / db


def _affine_fit(a: sp.Expr, b: sp.Expr, params: frozenset[str],
                simp: Callable[[sp.Expr], sp.Expr]) -> tuple[sp.Expr, sp.Expr] | None:
    """(c, g) with a = c b + g, c > 0 on the domain, c and g free of the params; or None."""
    for candidate in _scale_candidates(a, b, params):
        c = simp(candidate)
        if not _free_of(c, params) or not is_positive_on(c, {}):
            continue
        g = simp(a - c * b)
        if _free_of(g, params):
            return c, g
    return None


def _decide(problem: _Problem, a: sp.Expr, b: sp.Expr, simp: Callable[[sp.Expr], sp.Expr],
            method: str) -> Verdict | None:
    """True (proved with ``simp``) or None: the symbolic test of each mode."""
    mode, params = problem.mode, problem.params
    if mode == "exact":
        return Verdict(True, method, mode) if simp(a - b) == 0 else None
    if mode == "constant":
        return Verdict(True, method, mode) if _free_of(simp(a - b), params) else None
    fit = _affine_fit(a, b, params, simp)
    return Verdict(True, method, mode, scale=fit[0], offset=fit[1]) if fit else None


# --------------------------------------------------------------------------- stage 2: simplify


def _stage_simplify(problem: _Problem, a: sp.Expr, b: sp.Expr) -> Verdict | None:
    return _decide(problem, a, b, sp.simplify, "simplify")


# --------------------------------------------------------------------------- stage 3: numeric


@dataclass(frozen=True)
class _Var:
    """One probed variable: a Symbol, or the Indexed element or opaque call it stands for.
    ``call``: for an opaque call f(args), f's name and args as an mpmath function of the point."""

    name: str
    domain: sp.Set
    is_param: bool
    call: tuple[str, Callable] | None = None


@dataclass(frozen=True)
class _Compiled:
    """a and b at concrete sizes, as mpmath functions of ``variables`` (or why not).
    ``refutable``: a difference is a counterexample (no opaque call that cannot be realised)."""

    variables: tuple[_Var, ...]
    fa: Callable | None
    fb: Callable | None
    error: str = ""
    refutable: bool = True


def _opaque_calls(expr: sp.Expr) -> set[sp.Basic]:
    return expr.atoms(AppliedUndef, sp.Derivative)


def _sizes(expr: sp.Expr) -> set[sp.Symbol]:
    """Integer-valued free symbols: integer ones, Sum/Product bounds and Indexed indices."""
    found = {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    for node in expr.atoms(sp.Sum, sp.Product):
        found |= {s for _, lo, hi in node.limits for s in (lo.free_symbols | hi.free_symbols)}
    for node in expr.atoms(sp.Indexed):
        found |= {s for ix in node.indices for s in ix.free_symbols}
    return found & expr.free_symbols


def _size_var(size: sp.Symbol, params: frozenset[str]) -> _Var:
    domain = S.domain_of(size)
    if not domain.is_subset(sp.S.Integers):
        domain = sp.Range(SIZES.start, LARGE_SIZES.stop)
    return _Var(size.name, domain, size.name in params)


def _stand_in(atom: sp.Basic, params: frozenset[str], call: tuple[str, Callable] | None) -> _Var:
    """The variable for an Indexed element (its base's domain) or an opaque call (any real; a
    param when its arguments contain one)."""
    if isinstance(atom, sp.Indexed):
        return _Var(str(atom), S.domain_of(atom), _name(atom) in params)
    return _Var(str(atom), S.REALS, not _free_of(atom, params), call)


def _compile(problem: _Problem, sizes: dict[sp.Symbol, int]) -> _Compiled:
    """Sizes substituted, Sums done, each Indexed element and opaque call made a variable."""
    exprs = [_doit_finite(e.xreplace(sizes)) for e in (problem.a, problem.b)]
    if any(e.has(sp.Sum, sp.Product) for e in exprs):
        return _Compiled((), None, None, "a Sum or Product is left after setting the sizes")
    atoms = sorted(set().union(*(_opaque_calls(e) | e.atoms(sp.Indexed) for e in exprs)), key=sp.default_sort_key)
    dummies = {atom: sp.Dummy(str(atom), real=True) for atom in atoms}
    calls = [atom for atom in atoms if not isinstance(atom, sp.Indexed)]
    refutable = all(isinstance(c, AppliedUndef) and not _opaque_calls(sp.Tuple(*c.args)) for c in calls)
    arguments = {dummies[c]: (str(c.func), sp.Tuple(*c.args).xreplace(dummies)) for c in calls} if refutable else {}
    exprs = [e.xreplace(dummies) for e in exprs]
    symbols = sorted(set().union(*(e.free_symbols for e in exprs), *(t.free_symbols for _, t in arguments.values())),
                     key=sp.default_sort_key)
    by_dummy = {dummies[atom]: atom for atom in atoms}

    def variable(s: sp.Symbol) -> _Var:
        if s not in by_dummy:
            return _Var(s.name, S.domain_of(s), s.name in problem.params)
        call = arguments.get(s)
        call = call and (call[0], sp.lambdify(symbols, list(call[1]), modules="mpmath"))
        return _stand_in(by_dummy[s], problem.params, call)

    try:
        fa, fb = (sp.lambdify(symbols, e, modules="mpmath") for e in exprs)
        variables = tuple(variable(s) for s in symbols)
    except Exception as exc:  # a function with no mpmath counterpart
        return _Compiled((), None, None, f"cannot evaluate: {exc}")
    return _Compiled(variables, fa, fb, refutable=refutable)


def _draw(domain: sp.Set, rng: random.Random) -> int | float:
    """A value well inside ``domain``: a small integer for integer domains; for an interval a
    point away from its ends (positive half-lines sampled log-uniformly in (0.05, 7.4)); on
    the whole line, a third of the draws in (0, 1), where a real variable written as a
    probability (log y, log(1 - y)) gives real values."""
    if domain.is_subset(sp.S.Integers):
        large = [v for v in LARGE_SIZES if domain.contains(v) is sp.true]
        if large and rng.random() < 1 / 4:
            return rng.choice(large)
        choices = [v for v in range(-3, SIZES.stop) if domain.contains(v) is sp.true]
        return rng.choice(choices) if choices else int(domain.inf)
    if isinstance(domain, sp.Interval):
        lo, hi = domain.inf, domain.sup
        if lo.is_finite and hi.is_finite:
            return round(float(lo + (hi - lo) * rng.uniform(0.02, 0.98)), 6)
        if lo.is_finite or hi.is_finite:
            step = round(float(mpmath.exp(rng.uniform(-3, 2))), 6)
            return float(lo) + step if lo.is_finite else float(hi) - step
    if rng.random() < 1 / 3:
        return round(rng.uniform(0.02, 0.98), 6)
    return round(rng.uniform(-4, 4), 6)


def _as_real(value: Any) -> mpmath.mpf | None:
    """``value`` as a real finite mpf, or None (complex, infinite, not a number)."""
    try:
        value = mpmath.mpmathify(value)
    except (TypeError, ValueError):
        return None
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            return None
        value = value.real
    return value if mpmath.isfinite(value) else None


def _real(f: Callable, args: list) -> mpmath.mpf | list | None:
    """f(*args) when it is real and finite (every entry, for a list), else None."""
    try:
        value = f(*args)
    except Exception:  # outside the domain of some function: a point to skip
        return None
    if isinstance(value, list):
        entries = [_as_real(v) for v in value]
        return None if None in entries else entries
    return _as_real(value)


def _close(x: mpmath.mpf, y: mpmath.mpf, *magnitudes: mpmath.mpf) -> bool:
    return abs(x - y) <= TOL * (1 + sum(abs(m) for m in magnitudes))


def _share_calls(variables: tuple[_Var, ...], values: list, args: list) -> bool:
    """An arbitrary function takes one value per argument: each opaque call whose arguments
    coincide with an earlier call of the same function at this point takes its value (in
    ``values`` and ``args``, in place).  False when some argument is not real and finite."""
    seen: list[tuple[str, list, int]] = []
    for index, var in enumerate(variables):
        if var.call is None:
            continue
        function, arguments = var.call
        at = _real(arguments, args)
        if at is None:
            return False
        for other, other_at, other_index in seen:
            if other == function and len(at) == len(other_at) and all(_close(u, v, u, v) for u, v in zip(at, other_at)):
                values[index], args[index] = values[other_index], args[other_index]
                break
        else:
            seen.append((function, at, index))
    return True


Point = tuple[dict, mpmath.mpf, mpmath.mpf]


class _Prober:
    """Evaluates a and b at points drawn from the domain; compiled forms cached per sizes."""

    def __init__(self, problem: _Problem):
        self.problem = problem
        self.rng = random.Random(problem.seed)
        self.sizes = sorted(_sizes(problem.a) | _sizes(problem.b), key=sp.default_sort_key)
        self.cache: dict[tuple[int, ...], _Compiled] = {}
        self.errors: set[str] = set()
        self.tries = 0
        self.refutable = True

    def value(self, var: _Var, setting: dict, point: dict) -> int | float:
        """The value of ``var``: from ``point`` if it is a param, else from ``setting`` (drawn
        on first use, so that the non-params stay put while the params move)."""
        store = point if var.is_param else setting
        if var.name not in store:
            store[var.name] = _draw(var.domain, self.rng)
        return store[var.name]

    def evaluate(self, setting: dict, point: dict) -> Point | None:
        """(assignment, a, b) at a new point, or None when a side is not real and finite there."""
        self.tries += 1
        sizes = {s: self.value(_size_var(s, self.problem.params), setting, point) for s in self.sizes}
        key = tuple(sizes.values())
        if key not in self.cache:
            self.cache[key] = _compile(self.problem, sizes)
        compiled = self.cache[key]
        if compiled.fa is None:
            self.errors.add(compiled.error)
            return None
        self.refutable &= compiled.refutable
        values = [self.value(var, setting, point) for var in compiled.variables]
        args = [mpmath.mpf(v) for v in values]
        if not _share_calls(compiled.variables, values, args):
            return None
        results = [_real(f, args) for f in (compiled.fa, compiled.fb)]
        if None in results:
            return None
        assignment = {s.name: v for s, v in sizes.items()} | {var.name: v for var, v in zip(compiled.variables, values)}
        return assignment, results[0], results[1]

    def settings(self) -> Iterator[list[Point]]:
        """Valid points sharing one setting of the non-params (up to MOVES of them, params
        moved), setting after setting while tries remain; a setting whose first MOVES // 2 + 1
        tries all fail (e.g. y outside where log(y) is real) is dropped early."""
        while self.tries < TRIES:
            setting: dict = {}
            points: list[Point] = []
            for attempt in range(2 * MOVES):
                if len(points) == MOVES or self.tries >= TRIES or (attempt > MOVES // 2 and not points):
                    break
                if (found := self.evaluate(setting, {})) is not None:
                    points.append(found)
            yield points


def _witness(points: list[Point], reason: str = "") -> dict[str, Any]:
    """The counterexample dict: the first point, then ``others`` and ``reason`` if given."""
    (first, va, vb), *others = [(p, sp.Float(va, DIGITS), sp.Float(vb, DIGITS)) for p, va, vb in points]
    found: dict[str, Any] = {**first, "a": va, "b": vb}
    if others:
        found["others"] = [{**p, "a": oa, "b": ob} for p, oa, ob in others]
    if reason:
        found["reason"] = reason
    return found


def _check_exact(points: list[Point]) -> dict | None:
    """a == b at every point, else a witness."""
    for point in points:
        if not _close(point[1], point[2], point[1], point[2]):
            return _witness([point])
    return None


def _check_constant(points: list[Point]) -> dict | None:
    """a - b is the same at every point (params moved, the rest held), else a witness."""
    first, a0, b0 = points[0]
    for point in points[1:]:
        _, a1, b1 = point
        if not _close(a1 - b1, a0 - b0, a0, b0, a1, b1):
            return _witness([points[0], point], "a - b changes when the params move")
    return None


def _check_affine(points: list[Point]) -> dict | None:
    """One c > 0 and g with a = c b + g at every point (params moved, the rest held), else a witness."""
    j, k = max(itertools.combinations(range(len(points)), 2), key=lambda jk: abs(points[jk[0]][2] - points[jk[1]][2]))
    (_, aj, bj), (_, ak, bk) = points[j], points[k]
    if _close(bj, bk, bj, bk):  # b does not move with the params: neither may a
        moved = [p for p in points if not _close(p[1], aj, p[1], aj)]
        return _witness([points[j], moved[0]], "b does not change with the params but a does") if moved else None
    c = (aj - ak) / (bj - bk)
    if _close(aj, ak, aj, ak) or c < 0:
        return _witness([points[j], points[k]], f"the scale c = {mpmath.nstr(c, 8)} is not positive")
    g = aj - c * bj
    for point in points:
        if not _close(point[1], c * point[2] + g, point[1], c * point[2], g):
            return _witness([points[j], points[k], point], "no single c, g fits a = c*b + g")
    return None


#: mode -> (check of the points of one setting, fewest points a check needs)
_CHECKS: dict[str, tuple[Callable[[list[Point]], dict | None], int]] = {
    "exact": (_check_exact, 1), "constant": (_check_constant, 2), "affine": (_check_affine, 3)}


def _stage_numeric(problem: _Problem) -> Verdict:
    """Probe with seeded random points; False with a counterexample, True (numerical) or None."""
    with mpmath.workdps(DIGITS):  # every evaluation, difference and fit at DIGITS digits
        return _probe(problem)


def _probe(problem: _Problem) -> Verdict:
    prober, mode = _Prober(problem), problem.mode
    check, need = _CHECKS[mode]
    found, valid = None, 0
    if mode == "exact":  # every variable moves: a setting is one point
        groups: Iterable[list[Point]] = ([p] for _ in range(TRIES) if (p := prober.evaluate({}, {})) is not None)
    else:
        groups = prober.settings()
    for points in groups:
        if len(points) >= need:
            valid += len(points)
            if (found := check(points)) is not None:
                break
    if found is not None and prober.refutable:
        return Verdict(False, "numeric", mode, counterexample=found)
    if found is not None:
        return Verdict(None, "undecided: a difference where an opaque call is nested or a Derivative is no "
                             "counterexample", mode)
    if valid < MIN_VALID:
        why = "; ".join(sorted(prober.errors)) or "a or b is rarely real and finite on the domain"
        return Verdict(None, f"undecided: too few valid points ({valid} of {prober.tries} tries): {why}", mode)
    return Verdict(True, "numeric", mode, numerical=True)


# --------------------------------------------------------------------------- time bound


def _format_point(found: dict[str, Any]) -> str:
    def show(v: Any) -> str:
        return str(sp.Float(v, 8)) if isinstance(v, sp.Float) else str(v)

    where = ", ".join(f"{k}={show(v)}" for k, v in found.items() if k not in ("a", "b", "others", "reason"))
    text = (f"at {where}: " if where else "") + f"a={show(found['a'])}, b={show(found['b'])}"
    return text + (f" ({found['reason']})" if "reason" in found else "")
