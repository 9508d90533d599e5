"""Formulas with matrices of symbolic size, compared with the matrices written out."""

from __future__ import annotations

import dataclasses
from typing import Callable

import sympy as sp

from derive.equivalence.inputs import matrix_symbols
from derive.equivalence.verdict import MATRICES_WRITTEN_OUT, Mode, Verdict
from derive.errors import DeriveError

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


def _per_example(expr: sp.Expr, sizes: dict) -> dict[sp.MatrixSymbol, sp.ImmutableMatrix]:
    """A column ``y_i`` inside a Sum over i is example i's vector: (y[i, 1], ..., y[i, d])."""
    found = {}
    for node in expr.atoms(sp.Sum):
        for var, _, _ in node.limits:
            for m in node.function.atoms(sp.MatrixSymbol):
                prefix, _, index = m.name.rpartition("_")
                if prefix and index.strip("{}") == var.name and m.shape[1] == 1:
                    rows = int(sp.sympify(m.shape[0]).xreplace(sizes))
                    base = sp.IndexedBase(prefix, real=True)
                    found[m] = sp.ImmutableMatrix(rows, 1, lambda r, c, base=base, var=var: base[var, r + 1])
    return found


def explicit_at(expr: sp.Expr, size: int) -> sp.Expr:
    """``expr`` with every symbolic matrix size set to ``size`` and every MatrixSymbol written
    out: a column ``y`` as (y[1], ..., y[size]), a square ``Sigma`` as L L^T (a covariance:
    symmetric positive definite, see :func:`_cholesky`), any other as M[i, j]; the 1 x 1
    result as a scalar."""
    matrices = matrix_symbols(expr)
    names = {s.name for m in matrices for dim in m.shape for s in sp.sympify(dim).free_symbols}
    # by name: a parsed d (real) is the size d (a positive integer) of the matrices
    sizes = {s: sp.Integer(size) for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in names}
    sizes.update({s: sp.Integer(size) for m in matrices for dim in m.shape for s in sp.sympify(dim).free_symbols})
    explicit = _per_example(expr, sizes)
    for m in matrices - set(explicit):
        rows, cols = (int(sp.sympify(dim).xreplace(sizes)) for dim in m.shape)
        base = sp.IndexedBase(m.name, real=True)
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


def matrix_verdict(a: sp.Expr, b: sp.Expr, params, mode: Mode, timeout: float,
                   decide: Callable[..., Verdict]) -> Verdict:
    """Formulas with matrices of symbolic size d, compared written out at each d in
    :data:`MATRIX_SIZES`.  False at one size is a counterexample; True at every size is
    True at every size is a proof
    under the assumption that d is one of them (listed), not for every d.  ``decide``:
    the scalar comparison (:func:`derive.equivalent`)."""
    if params is not None:
        params = [p.name if isinstance(p, sp.MatrixSymbol) else p for p in
                  ([params] if isinstance(params, (str, sp.Basic)) else params)]
    methods, notes = [], []
    for size in MATRIX_SIZES:
        verdict = decide(explicit_at(a, size), explicit_at(b, size), params, mode, timeout=timeout / len(MATRIX_SIZES))
        where = f"with the matrices written out at size {size}"
        if verdict.holds is False:
            point = dict(verdict.counterexample or {}, size=size)
            return dataclasses.replace(verdict, method=f"{verdict.method} ({where})", counterexample=point)
        if verdict.holds is None:
            return dataclasses.replace(verdict, method=f"{verdict.method} ({where})")
        methods.append(f"d = {size}: {verdict.method}")
        notes += [n for n in verdict.assumptions if n not in notes]
    sizes = ", ".join(map(str, MATRIX_SIZES))
    return Verdict(True, f"{MATRICES_WRITTEN_OUT} at " + ", ".join(methods), mode,
                   assumptions=(f"d in {{{sizes}}} (matrices written out; not proved for every size)", *notes))
