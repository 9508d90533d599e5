"""catalog.json: every derived quantity as srepr and LaTeX (:mod:`derive.serialize`), with the
verdicts of its checks and its figure; then the information part's values."""

from __future__ import annotations

import json

import sympy as sp

from derive.config import PrinterConfig
from derive.engine import Derivation
from derive.infotheory import family_catalog, identities
from derive.infotheory.examples import true_class, weather
from derive.publish.models_part import models_catalog
from derive.publish.context import Context, checks_of
from derive.publish.information import info_tex
from derive.serialize import derivation_dict
from derive.symbols import srepr

# --------------------------------------------------------------------------- JSON


_SERIALIZED_HEAD = ("name", "title", "statement", "loss_name", "symbols", "nll", "loss", "dataset_loss",
                    "dropped", "scale")


def catalog_entry(d: Derivation, ctx: Context | None = None) -> dict:
    """:func:`derive.serialize.derivation_dict`, with the verdicts of the reference checks
    (after ``scale``) and the figure (at the end)."""
    ctx = ctx or Context(PrinterConfig(), {}, None)
    base = derivation_dict(d, ctx.config)
    fig = ctx.figures.get(d.assumption.name)
    checks, error = checks_of(d)
    entry = {key: base[key] for key in _SERIALIZED_HEAD}
    entry["statement"] = ctx.fragment(base["statement"])  # in the configured notation, as the documents
    entry["references"] = [
        {"latex": ctx.fragment(c.reference.latex), "target": c.reference.target, "mode": c.reference.mode,
         "expected": c.reference.expected, "holds": c.verdict.holds, "method": c.verdict.method,
         "numerical": c.verdict.numerical}
        for c in checks
    ]
    entry["references_error"] = error or None
    entry.update({key: value for key, value in base.items() if key not in entry})
    entry["figure"] = None if fig is None or fig.stem is None else {"pdf": f"{fig.stem}.pdf", "png": f"{fig.stem}.png"}
    entry["figure_note"] = None if fig is None else (fig.note or None)
    return entry


def catalog(derivations: list[Derivation], ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    """The parts in ``ctx.parts``'s order: "assumptions" (always there, first when the catalogue
    is left out), "information", "models"."""
    writers = {"catalogue": ("assumptions", lambda: [catalog_entry(d, ctx) for d in derivations]),
               "information": ("information", lambda: information_catalog(ctx.config)),
               "models": ("models", lambda: models_catalog(ctx.config))}
    document = {} if "catalogue" in ctx.parts else {"assumptions": []}
    for part in ctx.parts:
        key, write = writers[part]
        document[key] = write()
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


# --------------------------------------------------------------------------- JSON


def _exact(value: sp.Expr) -> dict:
    return {"srepr": srepr(value), "latex": sp.latex(value), "value": float(value)}


def information_catalog(config: PrinterConfig) -> dict:
    """The examples' exact values, the identities with their steps, and the families."""
    w, t = weather(), true_class()
    return {
        "weather": {
            "outcomes": list(w.outcomes), "base": int(w.base), "unit": w.unit,
            "p": [str(v) for v in w.p], "q": [str(v) for v in w.q],
            "code_lengths_p": [str(v) for v in w.code_p],
            "entropy": _exact(w.entropy), "cross_entropy": _exact(w.cross_entropy), "kl": _exact(w.kl),
        },
        "true_class": {"yhat": [str(v) for v in t.yhat], "class": t.true_class, "first": t.first,
                       "unit": "nats", "cost": _exact(t.cost)},
        "identities": [
            {"name": i.name, "title": i.title, "statement": i.statement, "hypotheses": i.hypotheses or None,
             "proved": i.proved, "lhs": srepr(i.lhs), "rhs": srepr(i.rhs),
             "steps": [{"label": s.label, "lhs": s.lhs, "latex": info_tex(s.expr, config), "note": s.note}
                       for s in i.steps]}
            for i in identities()
        ],
        "families": family_catalog(),
    }
