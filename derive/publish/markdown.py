"""Markdown for GitHub and KaTeX: ``aligned`` inside ``$$``, only macros KaTeX knows."""

from __future__ import annotations

import dataclasses

from derive.config import PrinterConfig
from derive.engine import Derivation
from derive.infotheory import identities
from derive.infotheory.examples import weather
from derive.latex.emit import emit_align
from derive.latex.layout import MARKDOWN, layout_rows, log_notation
from derive.publish.models_part import models_markdown
from derive.publish.training import INTRO as TRAINING_INTRO
from derive.publish.training import training_of, training_rows
from derive.publish.context import (INTRO, STATED, Context, checks_of, dataset_loss_tex, loss_tex,
                                    reference_math, reference_words, verify_directive)
from derive.publish.information import (BLOCK_HEADINGS, INFO_INTRO, NOT_PROVED, PROVED, closed_form_blocks,
                                        closed_words, infinite_words, info_rows, true_class_math, true_class_words,
                                        weather_display, weather_table_rows, weather_words, WEATHER_HEAD)

# --------------------------------------------------------------------------- Markdown


def _markdown_text(text: str) -> str:
    return text.replace("\\,", " ")


def markdown(derivations: list[Derivation], ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    # KaTeX shows a control space (\\ ) inside \\text literally: a plain space after "const."
    ctx = dataclasses.replace(ctx, config=ctx.config.replace(const_label="const. in "))
    title = ctx.project.title + (f": {ctx.project.subtitle}" if ctx.project.subtitle else "")
    byline = ", ".join(x for x in (ctx.project.author, ctx.project.date) if x)
    parts = [f"# {title}", "", *([f"*{byline}*", ""] if byline else []), _markdown_text(INTRO), ""]
    writers = {"catalogue": lambda: _catalogue_markdown(derivations, ctx),
               "information": lambda: ["<!-- derive: reset -->", information_markdown(ctx.config)],
               "models": lambda: ["<!-- derive: reset -->", models_markdown(ctx.priors, ctx.config)]}
    for part in ctx.parts:
        parts += writers[part]()
    return "\n".join(parts)


def _catalogue_markdown(derivations: list[Derivation], ctx: Context) -> list[str]:
    """The overview figure and one section per derivation."""
    parts = []
    if ctx.overview is not None and ctx.overview.stem is not None:
        parts += [f"![Losses compared]({ctx.overview.stem}.png)", "", f"*{ctx.overview.caption}*", ""]
    for d in derivations:
        a = d.assumption
        rows = layout_rows(d.steps, ctx.printer(d), MARKDOWN, params=d.params, config=ctx.config,
                       silent=STATED)
        parts += [f"## {a.title}", "",
                  f"{ctx.words(a.words)} In symbols, ${ctx.fragment(a.statement)}$. "
                  f"The loss this gives is the {a.loss_name}.", "",
                  f"<!-- derive: {verify_directive(ctx, d)} -->",
                  "$$", emit_align(rows, MARKDOWN, environment="aligned"), "$$", "",
                  "The loss per example, and its mean over the $n$ examples:", "",
                  "$$", r"\boxed{%s} \qquad %s" % (loss_tex(ctx, d), dataset_loss_tex(ctx, d)), "$$", "",
                  *_training_markdown(ctx, d)]
        checks, error = checks_of(d)
        if error:
            parts += [f"*The hand-written formulas could not be checked: {error}.*", ""]
        if checks:
            parts += ["The hand-written formulas it was checked against:", ""]
            for c in checks:
                label = f"{c.reference.label}: " if c.reference.label else ""
                words = reference_words(ctx, d, c).replace("\\_", "_")
                parts.append(f"- {label}${reference_math(ctx, d, c)}$ — {words}.")
            parts.append("")
        fig = ctx.figures.get(a.name)
        if fig is not None and fig.stem is not None:
            parts += [f"![{a.title}]({fig.stem}.png)", "", f"*{fig.caption}*", ""]
        elif fig is not None and fig.note:
            parts += [f"*No figure: {fig.note}.*", ""]
    return parts


# --------------------------------------------------------------------------- Markdown


def _training_markdown(ctx: Context, d: Derivation) -> list[str]:
    """The gradient and stable-form rows (:mod:`derive.publish.training`) as a display."""
    rows = training_rows(ctx, d, MARKDOWN)
    why = training_of(d).why
    if not rows:
        return [f"*No gradient is derived here: {why}.*", ""] if why else []
    return [TRAINING_INTRO, "", "$$", emit_align(rows, MARKDOWN, environment="aligned"), "$$", ""]


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(r) + " |" for r in rows)]


def _md_align(steps, config: PrinterConfig) -> list[str]:
    return ["$$", emit_align(info_rows(steps, MARKDOWN, config), MARKDOWN, environment="aligned"), "$$"]


def information_markdown(config: PrinterConfig) -> str:
    w_unit = r"\text{%s}" % weather().unit
    given, cost = true_class_math(config)
    parts = ["## Entropy, cross-entropy and KL divergence", "", INFO_INTRO, "",
             "### A worked example in bits", "", weather_words(), "",
             *_md_table(WEATHER_HEAD, weather_table_rows(config)), "",
             "$$", "\\begin{aligned}\n%s\n\\end{aligned}" % " \\\\\n".join(weather_display(config, w_unit)), "$$", "",
             "### The cost of the true class", "", true_class_words(config), "",
             "$$", given, "$$", "", "$$", cost, "$$", ""]
    for identity in identities():
        parts += [f"### {identity.title}", "", "$$", log_notation(identity.statement, config), "$$", ""]
        if identity.hypotheses:
            parts += [f"Provided ${identity.hypotheses}$.", ""]
        parts += [*_md_align(identity.steps, config), "", PROVED if identity.proved else NOT_PROVED, ""]
    *blocks, infinite = closed_form_blocks(config)
    parts += ["### Closed forms for families", "", closed_words(lambda c: f"`{c}`"), ""]
    for heading, block in zip(BLOCK_HEADINGS, blocks):
        parts += [f"**{heading}.**", "", *_md_align(block.steps, config), "",
                  block.methods_sentence().replace("\\_", "_"), ""]
    parts += [infinite_words(infinite), ""]
    return "\n".join(parts)
