"""A :class:`~derive.engine.Derivation` as a plain dict (JSON-ready), without running anything.

Every derived quantity is given twice: ``srepr`` (exact, read back with ``sympy.sympify``)
and ``latex`` (the textbook printer, the derivation's parameters leading each sum).  No
reference check runs here: ``derive show --format json`` is this dict; catalog.json adds
the checks' verdicts and the figures to it.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.config import PrinterConfig
from derive.engine import Derivation
from derive.latex.printer import TextbookPrinter
from derive.symbols import srepr


def expression_dict(expr: sp.Basic, printer: TextbookPrinter) -> dict[str, str]:
    """``{"srepr": ..., "latex": ...}`` of one expression."""
    return {"srepr": srepr(expr), "latex": printer.doprint(expr)}


def derivation_dict(d: Derivation, config: PrinterConfig | None = None) -> dict[str, Any]:
    """name, title, statement, loss name, the symbols by role, nll, loss, dataset loss, the
    dropped constants, the scale, the deviance (or None) and the framework peers with their
    relation ``-log p = scale * f + offset``."""
    printer = TextbookPrinter.from_config(config or PrinterConfig(), lead_symbols=tuple(d.params))
    a = d.assumption

    def both(expr: sp.Basic) -> dict[str, str]:
        return expression_dict(expr, printer)

    return {
        "name": a.name,
        "title": a.title,
        "statement": a.statement,
        "loss_name": a.loss_name,
        "symbols": {role: [str(s) for s in syms] for role, syms in
                    (("data", d.data), ("params", d.params), ("fixed", d.fixed))},
        "nll": both(d.nll),
        "loss": both(d.loss),
        "dataset_loss": both(d.dataset_loss),
        "dropped": [both(t) for t in d.dropped],
        "scale": both(d.scale),
        "deviance": None if d.deviance is None else both(d.deviance),
        "peers": [{"function": p.function, "call": p.call, "value": both(p.value),
                   "scale": both(p.scale), "offset": both(p.offset),
                   "condition": p.condition or None} for p in d.peers],
    }
