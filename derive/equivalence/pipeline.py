"""The stages of :func:`equivalent` in order: refute first (a cheap probe, confirmed exactly),
then prove (``canonical``, ``simplify``, each bounded in time), then probe thoroughly."""

from __future__ import annotations

import dataclasses
import sys
import time
from typing import Any, Iterable

import sympy as sp

from derive.bounded import bounded
from derive.equivalence.domains import read_assume, unify
from derive.equivalence.equations import compare_equations
from derive.equivalence.inputs import Problem, matrix_symbols, names_of, param_names, read_inputs, restore
from derive.equivalence.matrices import matrix_verdict
from derive.equivalence.probe import search
from derive.equivalence.symbolic import stage_canonical, stage_simplify, symbolic_blocked
from derive.equivalence.verdict import MODES, Mode, Verdict
from derive.errors import DeriveError

SHARES = (0.3, 0.6)  #: fraction of ``timeout`` by which stages 1 and 2 must have finished


def equivalent(a: sp.Expr | str, b: sp.Expr | str, params: Iterable | None = None,
               mode: Mode = "exact", *, assume: Any = None, timeout: float = 5.0) -> Verdict:
    """Decide whether ``a`` and ``b`` are equivalent in ``mode`` w.r.t. ``params``.

    ``a``, ``b``: SymPy expressions or LaTeX strings (read by :func:`derive.latex.parse.parse_latex`).
    ``label = rhs`` (a left side naming the quantity: ``\\mathcal{L}``, ``\\ell(\\hat y)``,
    ``-\\log p(y \\mid \\hat y)``) stands for its right side; any other equation is compared
    with another equation as one (the same solutions), never with a bare expression.
    ``params``: Symbols, IndexedBases or names, matched by name (``"yhat"`` covers ``yhat[i]``);
    None means every free symbol (irrelevant for ``exact``).  ``assume``: the domains of the
    variables (:func:`derive.equivalence.domains.read_assume`); without it every variable is real
    (sums' indices and sizes integers, SymPy symbols as their assumptions say).
    ``timeout``: seconds for the whole decision, shared by the stages.

    Calls of the functions ML texts use by name (``\\sigma(z)``, ``\\operatorname{softplus}(z)``,
    ``\\operatorname{ReLU}(z)``: :data:`STANDARD_FUNCTIONS`) are read by their definitions.
    Other opaque calls stand for arbitrary real functions: the probe gives each distinct call a
    variable of its own, except that calls of one function whose arguments coincide at the
    point share a value; a difference through nested calls or a Derivative gives undecided.

    Returns a :class:`Verdict` (True: proved; False: a confirmed counterexample; None: neither,
    with ``evidence`` when the probe saw only agreement).  Raises DeriveError for an unknown
    mode, bad params or assume, a param found in neither expression, or an equation compared
    with an expression.
    """
    if mode not in MODES:
        raise DeriveError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # 2^{20000} is a number like any other
    try:
        return _equivalent(a, b, params, mode, assume, timeout)
    finally:
        sys.set_int_max_str_digits(limit)


def _equivalent(a: Any, b: Any, params: Iterable | None, mode: Mode, assume: Any, timeout: float) -> Verdict:
    given = read_assume(assume)
    a, b = read_inputs(a, b, given.conventions)
    equations = [isinstance(side, sp.Equality) for side in (a, b)]
    if any(equations) and not all(equations):
        equation, other = (a, b) if equations[0] else (b, a)
        raise DeriveError(f"cannot compare the equation {equation} with the expression {other}: an equation "
                          "is compared only with an equation (write the other side as one, or label the "
                          "quantity, e.g. \\mathcal{L} = ...)")
    if matrix_symbols(a) or matrix_symbols(b):
        return matrix_verdict(a, b, params, mode, timeout,
                              lambda x, y, p, m, timeout: equivalent(x, y, p, m, assume=given, timeout=timeout))
    free = names_of(a) | names_of(b)
    unified = unify(a, b, given, free)
    note = unified.assumptions

    def done(verdict: Verdict) -> Verdict:
        return dataclasses.replace(restore(verdict, unified.back), assumptions=note)

    if all(equations):
        return done(dataclasses.replace(compare_equations(unified.a, unified.b, unified.domains), mode=mode))
    problem = Problem(unified.a, unified.b, mode, param_names(params, unified.a, unified.b, mode), unified.domains)
    quick = search(problem, quick=True)  # refute first: a handful of points, a difference confirmed exactly
    if quick.holds is False:
        return done(quick)
    deadline = time.monotonic() + timeout  # the proof stages keep their budgets

    notes, difference = [], None
    if blocked := symbolic_blocked(problem):
        notes.append(blocked)
    else:
        status, result = bounded(stage_canonical, (problem,), timeout * SHARES[0])
        if status == "ok" and result[0] is not None:
            return done(result[0])
        if status == "ok":
            ca, cb = result[1], result[2]
            difference = sp.expand(ca - cb)
            remaining = deadline - time.monotonic()
            status, result = bounded(stage_simplify, (problem, ca, cb), remaining - timeout * (1 - SHARES[1]))
            if status == "ok" and result is not None:
                return done(result)
            if status != "ok":
                notes.append(f"simplify {status} {result}")
        else:
            notes.append(f"canonical {status} {result}")

    status, result = bounded(search, (problem, False, difference), deadline - time.monotonic())
    if status == "ok" and (result.holds is not None or result.evidence is not None):
        return done(result)
    notes.append(result.method.removeprefix("undecided: ") if status == "ok" else f"numeric probe {status} {result}")
    return done(Verdict(None, "undecided: " + "; ".join(notes), mode))
