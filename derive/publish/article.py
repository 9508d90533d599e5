"""The LaTeX article: per assumption a paragraph in words, the steps with their
justifications, the boxed loss, the formulas it was proved equal to (with the mode), the
framework functions and the figure; then the part on entropy, cross-entropy and KL."""

from __future__ import annotations

import sympy as sp

from derive.config import PrinterConfig
from derive.engine import Derivation
from derive.infotheory import identities
from derive.latex.emit import display_math, emit_align, text_escape
from derive.latex.layout import ARTICLE, Layout, layout_rows, log_notation
from derive.latex.measure import tex_width
from derive.publish.models_part import models_article
from derive.publish.training import INTRO as TRAINING_INTRO
from derive.publish.training import training_tex
from derive.publish.context import (INTRO, PEERS_ARTICLE, RESET, STATED, Context, checks_of, figure_tex,
                                    reference_display, reference_label, reference_math, reference_words, results_tex,
                                    target_tex, verify_directive)
from derive.publish.information import (BLOCK_HEADINGS, INFO_ARTICLE, INFO_INTRO, NOT_PROVED, PROVED,
                                        closed_form_blocks, closed_words, infinite_words, info_rows, tabular,
                                        true_class_math, true_class_words, weather_display, weather_table_rows,
                                        weather_words, WEATHER_HEAD)
from derive.infotheory.examples import weather
from derive.steps import Step

# --------------------------------------------------------------------------- LaTeX article


def _references_tex(ctx: Context, d: Derivation, layout: Layout) -> str:
    checks, error = checks_of(d)
    if error:
        return r"\emph{The hand-written formulas could not be checked: %s.}" % text_escape(error)
    if not checks:
        return ""
    items = []
    for c in checks:
        math = reference_math(ctx, d, c)
        words = reference_words(ctx, d, c)
        label = reference_label(c.reference)
        head = f"{label}: " if label else ""
        if tex_width(head + words, "text") + tex_width(math) <= 0.8 * layout.width:
            items.append(r"  \item %s$\displaystyle %s$ \quad %s." % (head, math, words))
        else:
            lead = f"{label}, {words}" if label else words[:1].upper() + words[1:]
            items.append("  \\item %s:\n\\[ %s \\]" % (lead, reference_display(ctx, d, c.reference, layout)))
    return "\n".join(["The hand-written formulas it was checked against:", r"\begin{itemize}",
                      *items, r"\end{itemize}"])


def _peers_tex(ctx: Context, d: Derivation) -> str:
    """The framework functions that compute this loss, each with the derived relation
    ``-log p = a * f + b`` laid out like the steps (long offsets break over lines)."""
    if not d.peers:
        return ""
    f = sp.Symbol("f")
    nll = target_tex(ctx, d, "nll")
    steps = []
    for p in d.peers:
        note = r"$f$ = \texttt{%s}" % text_escape(p.call)
        if p.condition:
            note += f" ({text_escape(p.condition)})"
        steps.append(Step("peer", sp.Add(sp.Mul(p.scale, f, evaluate=False), p.offset, evaluate=False)
                          if p.offset != 0 else sp.Mul(p.scale, f, evaluate=False), note, lhs=nll))
    rows = layout_rows(steps, ctx.printer(d), PEERS_ARTICLE, params=d.params, config=ctx.config)
    return "\n".join(["The framework functions that compute it, and the exact relation, derived:",
                       emit_align(rows, PEERS_ARTICLE)])


def _assumption_paragraph(ctx: Context, d: Derivation) -> str:
    a = d.assumption
    return (f"{text_escape(ctx.words(a.words))}  The loss this gives is the "
            f"{text_escape(a.loss_name)}.  In symbols, the assumption is\n"
            f"\\[ {ctx.fragment(a.statement)} \\]")


def article_section(d: Derivation, ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    a = d.assumption
    rows = layout_rows(d.steps, ctx.printer(d), ARTICLE, params=d.params, config=ctx.config,
                       silent=STATED)
    result = display_math(results_tex(ctx, d, ARTICLE), ARTICLE)
    parts = [
        r"\section{%s}\label{sec:%s}" % (text_escape(a.title), a.name),
        _assumption_paragraph(ctx, d),
        "% derive: " + verify_directive(ctx, d),
        emit_align(rows, ARTICLE),
        "The loss per example (boxed), and its mean over the $n$ examples:",
        result,
        TRAINING_INTRO,
        training_tex(ctx, d, ARTICLE),
        _references_tex(ctx, d, ARTICLE),
        _peers_tex(ctx, d),
    ]
    fig = ctx.figures.get(a.name)
    if fig is not None and fig.stem is not None:
        parts.append(figure_tex(fig, title=a.title))
    elif fig is not None and fig.note:
        parts.append(r"\noindent\emph{No figure: %s.}" % text_escape(fig.note))
    return "\n\n".join(p for p in parts if p)


ARTICLE_PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,mathtools}
\usepackage{graphicx}
\usepackage{booktabs}
\usepackage[section]{placeins}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5\baselineskip}
\setlength{\emergencystretch}{2em}
"""


def _title_block(ctx: Context) -> str:
    """The project's title (the subtitle on a line below it), author and date."""
    p = ctx.project
    title = text_escape(p.title) + (r"\\[0.4em]\large %s" % text_escape(p.subtitle) if p.subtitle else "")
    return "\n".join([r"\title{%s}" % title, r"\author{%s}" % text_escape(p.author),
                      r"\date{%s}" % text_escape(p.date)]) + "\n"


def article(derivations: list[Derivation], ctx: Context | None = None) -> str:
    """The article: the introduction, then the parts in ``ctx.parts``'s order."""
    ctx = ctx or Context(PrinterConfig(), {}, None)

    def catalogue() -> str:
        overview = figure_tex(ctx.overview, title="Losses compared")
        return "\n\n".join(([overview] if overview else []) + [article_section(d, ctx) for d in derivations])

    writers = {"catalogue": catalogue,
               "information": lambda: f"{RESET}\n{information_section(ctx.config)}",
               "models": lambda: f"{RESET}\n{models_article(ctx.priors, ctx.config)}"}
    body = "".join(f"{writers[part]()}\n\n" for part in ctx.parts)
    return (ARTICLE_PREAMBLE + _title_block(ctx) + "\\begin{document}\n\\maketitle\n\n" + f"{INTRO}\n\n"
            + body + "\\end{document}\n")


# --------------------------------------------------------------------------- article


def information_section(config: PrinterConfig) -> str:
    """``\\section{Entropy, cross-entropy and KL divergence}`` with its subsections."""
    w_unit = r"\text{%s}" % weather().unit
    given, cost = true_class_math(config)
    parts = [
        r"\section{Entropy, cross-entropy and KL divergence}\label{sec:information}",
        INFO_INTRO,
        r"\subsection{A worked example in bits}",
        weather_words(),
        "\\begin{center}\n%s\n\\end{center}" % tabular(WEATHER_HEAD, weather_table_rows(config)),
        "\\begin{align*}\n%s\n\\end{align*}" % " \\\\\n".join(weather_display(config, w_unit)),
        r"\subsection{The cost of the true class}",
        true_class_words(config),
        "\\[ %s \\]\n\\[ %s \\]" % (given, cost),
    ]
    for identity in identities():
        parts += [
            r"\subsection{%s}\label{sec:%s}" % (text_escape(identity.title), identity.name),
            "\\[ %s \\]" % log_notation(identity.statement, config),
        ]
        if identity.hypotheses:
            parts.append(r"Provided $%s$." % identity.hypotheses)
        parts += [emit_align(info_rows(identity.steps, INFO_ARTICLE, config), INFO_ARTICLE),
                  PROVED if identity.proved else NOT_PROVED]
    *blocks, infinite = closed_form_blocks(config)
    parts += [r"\subsection{Closed forms for families}", closed_words(lambda c: r"\texttt{%s}" % c)]
    for heading, block in zip(BLOCK_HEADINGS, blocks):
        parts += [r"\paragraph{%s.}" % heading, emit_align(info_rows(block.steps, INFO_ARTICLE, config), INFO_ARTICLE),
                  block.methods_sentence()]
    parts.append(infinite_words(infinite))
    return "\n\n".join(parts)
