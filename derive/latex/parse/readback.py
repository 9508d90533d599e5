"""Reading back what derive prints.

The reader is neutral: ``v`` reads as the symbol ``v``, ``\\lambda`` as ``lambda``.  The
printer shows a few API names as math letters (``var`` as ``v``, ``lam`` as ``\\lambda``,
``eps`` as ``\\epsilon``: ``derive.latex.render.DISPLAY_NAMES``), and every symbol of a
catalogue entry carries its declared domain.  :func:`readback_symbols` gives the ``symbols=``
mapping under which the printed LaTeX of expressions reads back as exactly those
expressions::

    parse_latex(latex(expr), symbols=readback_symbols(expr)) == expr
"""

from __future__ import annotations

from typing import Callable

import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = ["printed_name", "readback_functions", "readback_symbols"]


def printed_name(name: str) -> str:
    """The name the reader gives to what the printer shows for the API name ``name``:
    ``var`` -> ``v``, ``lam_1`` -> ``lambda_1``, ``yhat`` -> ``yhat``."""
    from derive.latex.render import DISPLAY_NAMES  # the printer owns the display names

    head, sep, tail = name.partition("_")
    return DISPLAY_NAMES.get(head, head) + sep + tail


def readback_symbols(*exprs: sp.Basic) -> dict[str, sp.Basic]:
    """``{name as the reader spells it: the symbol}`` for every symbol, indexed base and
    matrix symbol of ``exprs`` (bound indices and sizes included), to pass as
    ``parse_latex(..., symbols=...)``.  An indexed base whose name a plain symbol of the same
    expressions also has is given as ``'x[]'`` (the reader looks there first for ``x_i``).  Two objects that read back under one name (``lam``
    and ``lambda`` in the same expressions) are refused with a ValueError: the printed
    LaTeX cannot tell them apart."""
    found: dict[str, sp.Basic] = {}
    for expr in exprs:
        expr = sp.sympify(expr)
        atoms = expr.atoms(sp.Symbol, sp.IndexedBase, sp.MatrixSymbol)
        for atom in sorted(atoms, key=sp.default_sort_key):
            name = str(atom.label) if isinstance(atom, sp.IndexedBase) else atom.name
            if isinstance(atom, sp.Symbol) and any(isinstance(b, sp.IndexedBase) and b.label == atom for b in atoms):
                continue  # the label of an indexed base: the base stands for it
            key = printed_name(name)
            if isinstance(atom, sp.IndexedBase) and any(
                    isinstance(a, sp.Symbol) and printed_name(a.name) == key and a != atom.label for a in atoms):
                key += "[]"  # the plain symbol x and the indexed base x_i of one formula
            if key in found and found[key] != atom:
                raise ValueError(f"{found[key]} and {atom} both print as {key}: they cannot be read back apart")
            found[key] = atom
        if expr.has(sp.EulerGamma) and "gamma" not in found:
            found["gamma"] = sp.EulerGamma  # printed as \\gamma
    return found


#: SymPy functions with no function-table spelling, and the name the printer gives them.
_PRINTED_FUNCTIONS: dict[type, str] = {sp.DiracDelta: "delta"}


def readback_functions(*exprs: sp.Basic) -> dict[str, Callable[..., sp.Basic]]:
    """``{name: function}`` for the opaque functions (``Function('q')``) and the printed-only
    functions (``DiracDelta`` prints as ``\\delta(x)``) of ``exprs``, to pass as
    ``parse_latex(..., functions=...)``."""
    found: dict[str, Callable[..., sp.Basic]] = {}
    for expr in exprs:
        expr = sp.sympify(expr)
        for call in expr.atoms(AppliedUndef):
            found[printed_name(call.func.__name__)] = call.func
        for cls, name in _PRINTED_FUNCTIONS.items():
            if expr.has(cls):
                found[name] = cls
    return found
