"""The part on entropy, cross-entropy and KL divergence: its content, shared by the writers.

    worked examples   the weather in bits (H(P) = 7/4, H(P, Q) = 5/2, D_KL = 3/4, code
                      lengths 1, 2, 3, 3) and the true class of the lesson (-log 0.2)
    identities        H(P, Q) = H(P) + D_KL(P || Q) and its corollaries, step by step, with
                      whether SymPy proved them
    closed forms      entropy and KL divergence of each family, derived

Every number and formula is read from :mod:`derive.infotheory`; nothing is typed in here.
Each format's writer (article, slides, markdown, catalog_json) lays this content out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from derive.config import PrinterConfig
from derive.symbolic.domains import split_sums
from derive.infotheory import FAMILIES, entropy_derivation, kl_derivation, kl_pairs
from derive.infotheory.closed_forms import HOW_TEX, ClosedForm
from derive.infotheory.examples import true_class, weather
from derive.latex.emit import text_escape
from derive.latex.layout import ARTICLE, SLIDE, Layout, Row, layout_rows
from derive.latex.printer import TextbookPrinter
from derive.steps import Step

KL = r"D_{\mathrm{KL}}"

# The rows here carry long subscripted names (mu_p, sigma_q) and notes beside them, which
# the width estimate reads short: lay them out for narrower lines.
INFO_ARTICLE = replace(ARTICLE, width=33.0)
INFO_SLIDE = replace(SLIDE, width=29.0)

INFO_INTRO = (
    "The losses above are cross-entropies.  This part computes entropy, cross-entropy and "
    "KL divergence exactly for finite distributions, proves the identities that make "
    "cross-entropy the loss to minimise, and derives the entropy and the KL divergence of "
    "the common families in closed form."
)

PROVED = ("Proved by SymPy: the two sides, and every two consecutive steps that are formulas, "
          "differ by an expression that simplifies to 0.")
NOT_PROVED = "Not proved: SymPy did not reduce the difference of the two sides to 0."


# --------------------------------------------------------------------------- shared pieces


def info_tex(expr: sp.Basic, config: PrinterConfig) -> str:
    return TextbookPrinter.from_config(config).doprint(expr)


def info_rows(steps, layout: Layout, config: PrinterConfig) -> list[Row]:
    return layout_rows(steps, TextbookPrinter.from_config(config), layout, config=config)


def decimal(value: sp.Expr, digits: int = 4) -> str:
    """A probability or a cost as a reader writes it: ``0.1``, ``1.609``."""
    return format(float(value), f".{digits}g")


@dataclass(frozen=True)
class Block:
    """A list of closed forms: one row each, and per method of finding the expectations
    (integration, summation, ...) the names of those found that way."""

    steps: tuple[Step, ...]
    methods: tuple[tuple[str, tuple[str, ...]], ...]

    def methods_sentence(self) -> str:
        return "Expectations found " + "; ".join(
            f"by {HOW_TEX[how]}: {text_escape(', '.join(names))}" for how, names in self.methods) + "."


def _row(cf: ClosedForm, label: str, config: PrinterConfig) -> Step:
    """``lhs = closed form``: a support guard ``Piecewise((e, c), (oo, True))`` is shown as
    ``e`` with the condition in the note, and a sum over coordinates is split term by term
    so that the row can be broken across lines."""
    expr, note = cf.expr, ""
    if isinstance(expr, sp.Piecewise) and len(expr.args) == 2 and expr.args[1] == (sp.oo, sp.true):
        (expr, condition), _ = expr.args
        note = r"finite where $%s$, $\infty$ elsewhere" % info_tex(condition, config)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), lambda e: sp.Sum(sp.expand(e.function), *e.limits))
    return Step(label, split_sums(expr), note, lhs=cf.lhs)


def _block(named: list[tuple[str, ClosedForm]], label: str, config: PrinterConfig) -> Block:
    methods: dict[str, list[str]] = {}
    for name, cf in named:
        for how in dict.fromkeys(how for _, how in cf.methods):
            methods.setdefault(how, []).append(name)
    return Block(tuple(_row(cf, label, config) for _, cf in named),
                 tuple((how, tuple(names)) for how, names in methods.items()))


def closed_form_blocks(config: PrinterConfig) -> tuple[Block, Block, Block, list[tuple[str, str]]]:
    """Entropies, KL divergences within a family, finite KL divergences across families,
    and the (P, Q) family pairs whose KL divergence is infinite (supp P not within supp Q)."""
    entropies = _block([(name, entropy_derivation(name)) for name in FAMILIES], "entropy", config)
    within, across, infinite = [], [], []
    for p, q in kl_pairs():
        cf = kl_derivation(p, q)
        if p == q:
            within.append((p, cf))
        elif cf.expr == sp.oo:
            infinite.append((p, q))
        else:
            across.append((f"{p} to {q}", cf))
    return entropies, _block(within, "kl", config), _block(across, "kl", config), infinite


def weather_sums(config: PrinterConfig) -> list[tuple[str, str, sp.Expr]]:
    """(quantity, the sum written out term by term, its exact value) for H(P), H(P, Q), KL."""
    w = weather()
    log_ratio = [cq - cp for cp, cq in zip(w.code_p, w.code_q)]  # log2 P/Q = -log2 Q + log2 P

    def written(weights, values) -> str:
        return " + ".join(r"%s \cdot %s" % (info_tex(a, config), info_tex(b, config) if b >= 0 else "(%s)" % info_tex(b, config))
                          for a, b in zip(weights, values))

    return [
        ("H(P)", written(w.p, w.code_p), w.entropy),
        ("H(P, Q)", written(w.p, w.code_q), w.cross_entropy),
        (rf"{KL}(P \,\|\, Q)", written(w.p, log_ratio), w.kl),
    ]


def weather_table_rows(config: PrinterConfig) -> list[list[str]]:
    w = weather()
    return [[name, f"${info_tex(p, config)}$", f"${info_tex(q, config)}$", f"${info_tex(cp, config)}$", f"${info_tex(cq, config)}$"]
            for name, p, q, cp, cq in zip(w.outcomes, w.p, w.q, w.code_p, w.code_q)]


WEATHER_HEAD = ["$x$", "$P(x)$", "$Q(x)$", r"$-\log_2 P(x)$", r"$-\log_2 Q(x)$"]


def weather_words() -> str:
    w = weather()
    return (f"The true weather $P$ and a forecaster's belief $Q$ over {', '.join(w.outcomes)}.  "
            f"The code lengths $-\\log_2 P(x)$ are whole numbers of bits, so an optimal code for $P$ "
            f"uses exactly these lengths; coding with $Q$'s lengths instead costs the cross-entropy, "
            f"and the excess is the KL divergence.")


def weather_display(config: PrinterConfig, unit_text: str) -> list[str]:
    lines = []
    for lhs, terms, value in weather_sums(config):
        lines.append(r"%s &= %s = %s \ %s" % (lhs, terms, info_tex(value, config), unit_text))
    w = weather()
    lines.append(r"H(P) + %s(P \,\|\, Q) &= %s + %s = %s = H(P, Q)" % (
        KL, info_tex(w.entropy, config), info_tex(w.kl, config), info_tex(w.entropy + w.kl, config)))
    return lines


def _shown_class(config: PrinterConfig) -> int:
    """The example's true class in the document's numbering (``class_base``)."""
    t = true_class()
    return t.true_class - t.first + config.class_base


def true_class_math(config: PrinterConfig) -> tuple[str, str]:
    t = true_class()
    yhat = ", ".join(decimal(v) for v in t.yhat)
    c = _shown_class(config)
    log = r"\ln" if config.log == "ln" else r"\log"
    given = r"\hat{y} = (%s), \quad c = %d" % (yhat, c)
    cost = (r"H(e_{%d}, \hat{y}) = -%s \hat{y}_{%d} = -%s %s = %s \approx %s \ \text{nats}" %
            (c, log, c, log, decimal(t.picked), info_tex(t.cost, config), decimal(t.cost)))
    return given, cost


def class_numbering_words(config: PrinterConfig) -> str:
    """How the classes are numbered here, and what PyTorch calls the same class."""
    t = true_class()
    if config.class_base == 0:
        return "Classes numbered from 0, as PyTorch numbers its labels, and as everywhere in this document."
    return (f"Classes numbered from 1, as everywhere in this document; PyTorch numbers its labels from 0 "
            f"and calls this class {t.true_class - t.first}.")


def true_class_words(config: PrinterConfig) -> str:
    t = true_class()
    c, base = _shown_class(config), config.class_base
    label = t.true_class - t.first  # PyTorch's label of the class
    wrong = (f"reading PyTorch's label {label} as class {label} of {base}, ..., {base + len(t.yhat) - 1}"
             if base == 1 else f"numbering the classes from 1 instead")
    return (f"The lesson's example: three classes numbered {base}, {base + 1}, {base + 2}, and true class {c}.  "
            f"The one-hot target picks out one probability, so the cross-entropy is the negative log of the "
            f"probability given to the true class, {decimal(t.cost)} nats; {wrong} would wrongly pick "
            f"another probability and give {decimal(t.confused)} nats.")


BLOCK_HEADINGS = ("Entropy", "KL divergence within a family", "KL divergence across families")


def closed_words(code) -> str:
    """How the closed forms were found; ``code`` writes a code name in the document's style."""
    return ("Each closed form below was derived, not looked up: expand the log-densities, use "
            "linearity of expectation, and find each expectation by integration or summation over "
            "the support (through the score identity $\\mathbb{E}_P[\\nabla_\\theta \\log p] = 0$ "
            f"where SymPy's integrator fails).  The test suite checks them against "
            f"{code('torch.distributions')} and {code('scipy.stats')}.")


def infinite_words(infinite: list[tuple[str, str]]) -> str:
    pairs = ", ".join(f"{p} to {q}" for p, q in infinite)
    return f"Infinite, because $P$ puts mass where $q = 0$, from P to Q: {text_escape(pairs)}."


def tabular(head: list[str], rows: list[list[str]]) -> str:
    spec = "@{}l" + "c" * (len(head) - 1) + "@{}"
    body = [" & ".join(r) + r" \\" for r in rows]
    return "\n".join([r"\begin{tabular}{%s}" % spec, r"\toprule", " & ".join(head) + r" \\",
                      r"\midrule", *body, r"\bottomrule", r"\end{tabular}"])
