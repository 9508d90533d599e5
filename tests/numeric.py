"""Evaluate derived SymPy expressions at concrete sizes and values, for oracle tests.

Values are given by symbol name; an IndexedBase name maps to a NumPy array indexed from 0
(SymPy's y[1] is array[0]).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

DIGITS = 30


def evaluate(expr: sp.Expr, values: dict[str, object], sizes: dict[str, int] | None = None) -> float:
    """expr with sizes substituted (sums expanded) and every symbol given a value."""
    sizes = sizes or {}
    size_subs = {s: sizes[s.name] for s in expr.free_symbols if s.name in sizes}
    e = expr.xreplace(size_subs).doit() if size_subs else expr.doit()
    subs = {}
    for atom in e.atoms(sp.Indexed):
        array = np.asarray(values[str(atom.base.label)])
        subs[atom] = sp.Float(float(array[tuple(int(ix) - 1 for ix in atom.indices)]), DIGITS)
    labels = {atom.base.label for atom in e.atoms(sp.Indexed)}
    for atom in e.free_symbols - labels:
        if isinstance(atom, sp.Symbol) and atom.name in values:
            subs[atom] = sp.Float(float(values[atom.name]), DIGITS)
    result = e.xreplace(subs).evalf(DIGITS)
    if result.free_symbols:
        raise AssertionError(f"unassigned symbols {result.free_symbols} in {expr}")
    return float(result)


def rel_close(a: float, b: float, rtol: float = 1e-10) -> bool:
    """|a - b| <= rtol * max(|a|, |b|, 1e-300)."""
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)
