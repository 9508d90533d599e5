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
    expressions also has (``mu`` in a loss, ``mu_i`` in its dataset loss) is given as
    ``'mu[]'`` (the reader looks there first for ``mu_i``).  Two different objects that read
    back under one name (``lam`` and ``lambda``) are refused with a ValueError: the printed
    LaTeX cannot tell them apart."""
    plain: set[sp.Symbol] = set()
    bases: set[sp.IndexedBase] = set()
    matrices: set[sp.MatrixSymbol] = set()
    for expr in exprs:
        expr = sp.sympify(expr)
        plain |= _plain_symbols(expr)
        bases |= expr.atoms(sp.IndexedBase)
        matrices |= expr.atoms(sp.MatrixSymbol)
    found: dict[str, sp.Basic] = {}

    def add(key: str, atom: sp.Basic) -> None:
        if key in found and found[key] != atom:
            raise ValueError(f"{found[key]} and {atom} both print as {key}: they cannot be read back apart")
        found[key] = atom

    for atom in sorted(plain | matrices, key=sp.default_sort_key):
        add(printed_name(atom.name), atom)
    plain_keys = {printed_name(s.name) for s in plain}
    for base in sorted(bases, key=sp.default_sort_key):
        key = printed_name(str(base.label))
        add(key + "[]" if key in plain_keys else key, base)
    if any(sp.sympify(e).has(sp.EulerGamma) for e in exprs) and "gamma" not in found:
        found["gamma"] = sp.EulerGamma  # printed as \\gamma
    return found


def _plain_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    """The symbols of ``expr`` used as themselves (not only as the label of an indexed base)."""
    found: set[sp.Symbol] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, sp.IndexedBase):
            continue
        if isinstance(node, sp.Symbol):
            found.add(node)
        elif isinstance(node, sp.Basic):
            stack.extend(node.args)
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
