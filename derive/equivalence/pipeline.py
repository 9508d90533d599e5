"""The stages of :func:`equivalent` in order, each bounded in time."""

from __future__ import annotations

import time
from typing import Iterable

import sympy as sp

from derive.bounded import bounded
from derive.equivalence.inputs import Problem, matrix_symbols, param_names, read_inputs, restore, unify
from derive.equivalence.matrices import matrix_verdict
from derive.equivalence.probe import stage_numeric
from derive.equivalence.symbolic import stage_canonical, stage_simplify
from derive.equivalence.verdict import MODES, Mode, Verdict
from derive.errors import DeriveError

SHARES = (0.3, 0.6)  #: fraction of ``timeout`` by which stages 1 and 2 must have finished


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
    a, b = read_inputs(a, b)
    if matrix_symbols(a) or matrix_symbols(b):
        return matrix_verdict(a, b, params, mode, timeout, equivalent)
    a, b, back = unify(a, b)
    problem = Problem(a, b, mode, param_names(params, a, b, mode))
    deadline = time.monotonic() + timeout
    notes = []

    status, result = bounded(stage_canonical, (problem,), timeout * SHARES[0])
    if status == "ok" and result[0] is not None:
        return restore(result[0], back)
    if status == "ok":
        a, b = result[1], result[2]
    else:
        notes.append(f"canonical {status} {result}")

    remaining = deadline - time.monotonic()
    status, result = bounded(stage_simplify, (problem, a, b), remaining - timeout * (1 - SHARES[1]))
    if status == "ok" and result is not None:
        return restore(result, back)
    if status != "ok":
        notes.append(f"simplify {status} {result}")

    status, result = bounded(stage_numeric, (problem,), deadline - time.monotonic())
    if status == "ok" and result.holds is not None:
        return result
    notes.append(result.method.removeprefix("undecided: ") if status == "ok" else f"numeric probe {status} {result}")
    return Verdict(None, "undecided: " + "; ".join(notes), mode)

