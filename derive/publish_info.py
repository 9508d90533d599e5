"""The information-theory part of `derive build`: what each document says about entropy,
cross-entropy and KL divergence.

    worked examples   the weather in bits (H(P) = 7/4, H(P, Q) = 5/2, D_KL = 3/4, code
                      lengths 1, 2, 3, 3) and the true class of the lesson (-log 0.2)
    identities        H(P, Q) = H(P) + D_KL(P || Q) and its corollaries, step by step, with
                      whether SymPy proved them
    closed forms      entropy and KL divergence of each family, derived

Every number and formula is read from :mod:`derive.infotheory`; nothing is typed in here.
Each writer takes the printer settings and returns its document's part as a string (the
JSON part as a dict).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from derive.config import PrinterConfig
from derive.symbolic.domains import split_sums
from derive.infotheory import FAMILIES, entropy_derivation, family_catalog, identities, kl_derivation, kl_pairs
from derive.infotheory.closed_forms import HOW_TEX, ClosedForm
from derive.infotheory.examples import true_class, weather
from derive.latex.render import (ARTICLE, MARKDOWN, SLIDE, SLIDE_BUDGET, Layout, Row, TextbookPrinter,
                                 emit_align, frames_of_rows, layout_rows, log_notation, text_escape)
from derive.steps import Step
from derive.symbols import srepr

KL = r"D_{\mathrm{KL}}"

# The rows here carry long subscripted names (mu_p, sigma_q) and notes beside them, which
# the width estimate reads short: lay them out for narrower lines.
INFO_ARTICLE = replace(ARTICLE, width=33.0)
INFO_SLIDE = replace(SLIDE, width=29.0)

INTRO = (
    "The losses above are cross-entropies.  This part computes entropy, cross-entropy and "
    "KL divergence exactly for finite distributions, proves the identities that make "
    "cross-entropy the loss to minimise, and derives the entropy and the KL divergence of "
    "the common families in closed form."
)

PROVED = ("Proved by SymPy: the two sides, and every two consecutive steps that are formulas, "
          "differ by an expression that simplifies to 0.")
NOT_PROVED = "Not proved: SymPy did not reduce the difference of the two sides to 0."


# --------------------------------------------------------------------------- shared pieces


def _tex(expr: sp.Basic, config: PrinterConfig) -> str:
    return TextbookPrinter.from_config(config).doprint(expr)


def _rows(steps, layout: Layout, config: PrinterConfig) -> list[Row]:
    return layout_rows(steps, TextbookPrinter.from_config(config), layout, config=config)


def _decimal(value: sp.Expr, digits: int = 4) -> str:
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
        note = r"finite where $%s$, $\infty$ elsewhere" % _tex(condition, config)
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


def _weather_sums(config: PrinterConfig) -> list[tuple[str, str, sp.Expr]]:
    """(quantity, the sum written out term by term, its exact value) for H(P), H(P, Q), KL."""
    w = weather()
    log_ratio = [cq - cp for cp, cq in zip(w.code_p, w.code_q)]  # log2 P/Q = -log2 Q + log2 P

    def written(weights, values) -> str:
        return " + ".join(r"%s \cdot %s" % (_tex(a, config), _tex(b, config) if b >= 0 else "(%s)" % _tex(b, config))
                          for a, b in zip(weights, values))

    return [
        ("H(P)", written(w.p, w.code_p), w.entropy),
        ("H(P, Q)", written(w.p, w.code_q), w.cross_entropy),
        (rf"{KL}(P \,\|\, Q)", written(w.p, log_ratio), w.kl),
    ]


def _weather_table_rows(config: PrinterConfig) -> list[list[str]]:
    w = weather()
    return [[name, f"${_tex(p, config)}$", f"${_tex(q, config)}$", f"${_tex(cp, config)}$", f"${_tex(cq, config)}$"]
            for name, p, q, cp, cq in zip(w.outcomes, w.p, w.q, w.code_p, w.code_q)]


_WEATHER_HEAD = ["$x$", "$P(x)$", "$Q(x)$", r"$-\log_2 P(x)$", r"$-\log_2 Q(x)$"]


def _weather_words() -> str:
    w = weather()
    return (f"The true weather $P$ and a forecaster's belief $Q$ over {', '.join(w.outcomes)}.  "
            f"The code lengths $-\\log_2 P(x)$ are whole numbers of bits, so an optimal code for $P$ "
            f"uses exactly these lengths; coding with $Q$'s lengths instead costs the cross-entropy, "
            f"and the excess is the KL divergence.")


def _weather_display(config: PrinterConfig, unit_text: str) -> list[str]:
    lines = []
    for lhs, terms, value in _weather_sums(config):
        lines.append(r"%s &= %s = %s \ %s" % (lhs, terms, _tex(value, config), unit_text))
    w = weather()
    lines.append(r"H(P) + %s(P \,\|\, Q) &= %s + %s = %s = H(P, Q)" % (
        KL, _tex(w.entropy, config), _tex(w.kl, config), _tex(w.entropy + w.kl, config)))
    return lines


def _true_class_math(config: PrinterConfig) -> tuple[str, str]:
    t = true_class()
    yhat = ", ".join(_decimal(v) for v in t.yhat)
    c = t.true_class
    log = r"\ln" if config.log == "ln" else r"\log"
    given = r"\hat{y} = (%s), \quad c = %d" % (yhat, c)
    cost = (r"H(e_{%d}, \hat{y}) = -%s \hat{y}_{%d} = -%s %s = %s \approx %s \ \text{nats}" %
            (c, log, c, log, _decimal(t.picked), _tex(t.cost, config), _decimal(t.cost)))
    return given, cost


def _true_class_words() -> str:
    t = true_class()
    return (f"The lesson's example: three classes numbered from {t.first}, as PyTorch numbers its labels, "
            f"and true class {t.true_class}.  The one-hot target picks out one probability, so the "
            f"cross-entropy is the negative log of the probability given to the true class, "
            f"{_decimal(t.cost)} nats; numbering the classes from {1 - t.first} instead would "
            f"wrongly pick another probability and give {_decimal(t.confused)} nats.")


BLOCK_HEADINGS = ("Entropy", "KL divergence within a family", "KL divergence across families")


def _closed_words(code) -> str:
    """How the closed forms were found; ``code`` writes a code name in the document's style."""
    return ("Each closed form below was derived, not looked up: expand the log-densities, use "
            "linearity of expectation, and find each expectation by integration or summation over "
            "the support (through the score identity $\\mathbb{E}_P[\\nabla_\\theta \\log p] = 0$ "
            f"where SymPy's integrator fails).  The test suite checks them against "
            f"{code('torch.distributions')} and {code('scipy.stats')}.")


def _infinite_words(infinite: list[tuple[str, str]]) -> str:
    pairs = ", ".join(f"{p} to {q}" for p, q in infinite)
    return f"Infinite, because $P$ puts mass where $q = 0$, from P to Q: {text_escape(pairs)}."


# --------------------------------------------------------------------------- article


def _tabular(head: list[str], rows: list[list[str]]) -> str:
    spec = "@{}l" + "c" * (len(head) - 1) + "@{}"
    body = [" & ".join(r) + r" \\" for r in rows]
    return "\n".join([r"\begin{tabular}{%s}" % spec, r"\toprule", " & ".join(head) + r" \\",
                      r"\midrule", *body, r"\bottomrule", r"\end{tabular}"])


def article_part(config: PrinterConfig) -> str:
    """``\\section{Entropy, cross-entropy and KL divergence}`` with its subsections."""
    w_unit = r"\text{%s}" % weather().unit
    given, cost = _true_class_math(config)
    parts = [
        r"\section{Entropy, cross-entropy and KL divergence}\label{sec:information}",
        INTRO,
        r"\subsection{A worked example in bits}",
        _weather_words(),
        "\\begin{center}\n%s\n\\end{center}" % _tabular(_WEATHER_HEAD, _weather_table_rows(config)),
        "\\begin{align*}\n%s\n\\end{align*}" % " \\\\\n".join(_weather_display(config, w_unit)),
        r"\subsection{The cost of the true class}",
        _true_class_words(),
        "\\[ %s \\]\n\\[ %s \\]" % (given, cost),
    ]
    for identity in identities():
        parts += [
            r"\subsection{%s}\label{sec:%s}" % (text_escape(identity.title), identity.name),
            "\\[ %s \\]" % log_notation(identity.statement, config),
        ]
        if identity.hypotheses:
            parts.append(r"Provided $%s$." % identity.hypotheses)
        parts += [emit_align(_rows(identity.steps, INFO_ARTICLE, config), INFO_ARTICLE),
                  PROVED if identity.proved else NOT_PROVED]
    *blocks, infinite = closed_form_blocks(config)
    parts += [r"\subsection{Closed forms for families}", _closed_words(lambda c: r"\texttt{%s}" % c)]
    for heading, block in zip(BLOCK_HEADINGS, blocks):
        parts += [r"\paragraph{%s.}" % heading, emit_align(_rows(block.steps, INFO_ARTICLE, config), INFO_ARTICLE),
                  block.methods_sentence()]
    parts.append(_infinite_words(infinite))
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- Beamer


def _frames(title: str, steps, config: PrinterConfig, closing: str = "", reveal: bool = True) -> list[str]:
    """The steps over as many frames as they need (revealed row by row when ``reveal``), with
    ``closing`` (a line of text) at the end of the last."""
    rows = _rows(steps, INFO_SLIDE, config)
    room = SLIDE_BUDGET - (2.0 if closing else 0.0)
    groups = frames_of_rows(rows, room, room)
    frames = []
    for index, group in enumerate(groups):
        suffix = f" ({index + 1}/{len(groups)})" if len(groups) > 1 else ""
        overlays = list(range(1, len(group) + 1)) if reveal else None
        body = [r"\begin{frame}{%s%s}" % (title, suffix), r"\small", emit_align(group, INFO_SLIDE, overlays=overlays)]
        if closing and index == len(groups) - 1:
            body.append(closing)
        frames.append("\n".join(body + [r"\end{frame}"]))
    return frames


def slide_frames(config: PrinterConfig) -> list[str]:
    """The worked examples, each identity revealed row by row, the closed forms."""
    w_unit = r"\text{%s}" % weather().unit
    given, cost = _true_class_math(config)
    frames = [
        "\n".join([r"\begin{frame}{Entropy in bits: the weather}", r"\small", r"\begin{center}",
                   _tabular(_WEATHER_HEAD, _weather_table_rows(config)), r"\end{center}",
                   "\\begin{align*}\n%s\n\\end{align*}" % " \\\\\n".join(_weather_display(config, w_unit)),
                   r"\end{frame}"]),
        "\n".join([r"\begin{frame}{The cost of the true class}", r"\small",
                   "\\[ %s \\]" % given, r"\pause", "\\[ %s \\]" % cost,
                   r"{\footnotesize Numbered from %d, as PyTorch numbers its labels.}" % true_class().first,
                   r"\end{frame}"]),
    ]
    for identity in identities():
        mark = r"{\footnotesize %s}" % ("Proved by SymPy." if identity.proved else NOT_PROVED)
        frames += _frames(text_escape(identity.title), identity.steps, config, closing=mark)
    entropies, within, _, _ = closed_form_blocks(config)
    for title, block in (("Entropy in closed form", entropies), ("KL divergence in closed form", within)):
        frames += _frames(title, block.steps, config, reveal=False)
    return frames


# --------------------------------------------------------------------------- Markdown


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(r) + " |" for r in rows)]


def _md_align(steps, config: PrinterConfig) -> list[str]:
    return ["$$", emit_align(_rows(steps, MARKDOWN, config), MARKDOWN, environment="aligned"), "$$"]


def markdown_part(config: PrinterConfig) -> str:
    w_unit = r"\text{%s}" % weather().unit
    given, cost = _true_class_math(config)
    parts = ["## Entropy, cross-entropy and KL divergence", "", INTRO, "",
             "### A worked example in bits", "", _weather_words(), "",
             *_md_table(_WEATHER_HEAD, _weather_table_rows(config)), "",
             "$$", "\\begin{aligned}\n%s\n\\end{aligned}" % " \\\\\n".join(_weather_display(config, w_unit)), "$$", "",
             "### The cost of the true class", "", _true_class_words(), "",
             "$$", given, "$$", "", "$$", cost, "$$", ""]
    for identity in identities():
        parts += [f"### {identity.title}", "", "$$", log_notation(identity.statement, config), "$$", ""]
        if identity.hypotheses:
            parts += [f"Provided ${identity.hypotheses}$.", ""]
        parts += [*_md_align(identity.steps, config), "", PROVED if identity.proved else NOT_PROVED, ""]
    *blocks, infinite = closed_form_blocks(config)
    parts += ["### Closed forms for families", "", _closed_words(lambda c: f"`{c}`"), ""]
    for heading, block in zip(BLOCK_HEADINGS, blocks):
        parts += [f"**{heading}.**", "", *_md_align(block.steps, config), "",
                  block.methods_sentence().replace("\\_", "_"), ""]
    parts += [_infinite_words(infinite), ""]
    return "\n".join(parts)


# --------------------------------------------------------------------------- JSON


def _exact(value: sp.Expr) -> dict:
    return {"srepr": srepr(value), "latex": sp.latex(value), "value": float(value)}


def catalog_part(config: PrinterConfig) -> dict:
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
             "steps": [{"label": s.label, "lhs": s.lhs, "latex": _tex(s.expr, config), "note": s.note}
                       for s in i.steps]}
            for i in identities()
        ],
        "families": family_catalog(),
    }
