"""The Beamer deck: title, overview, per assumption its steps revealed row by row (split over
frames when long) and a result frame; a summary table; the part on entropy, cross-entropy
and KL divergence."""

from __future__ import annotations

from derive.config import PrinterConfig
from derive.engine import Derivation
from derive.infotheory import identities
from derive.infotheory.examples import weather
from derive.latex.emit import display_math, emit_align, text_escape
from derive.latex.layout import SLIDE, SLIDE_BUDGET, STEPS_BUDGET, formula_lines, frames_of_rows, layout_rows
from derive.latex.measure import tex_width
from derive.publish.models_part import TITLE as MODELS_TITLE, models_frames
from derive.publish.training import CLASSIC, training_rows
from derive.steps import Step
from derive.publish.context import (MODE_WORDS, RESET, STATED, Context, checks_of, results_tex,
                                    reference_math, title_block, verify_directive)
from derive.publish.information import (INFO_SLIDE, NOT_PROVED, class_numbering_words, closed_form_blocks,
                                        info_rows, tabular,
                                        true_class_math, weather_display, weather_table_rows, WEATHER_HEAD)

# --------------------------------------------------------------------------- Beamer

def slide_frames(d: Derivation, ctx: Context | None = None) -> list[str]:
    """The frames of one derivation: the steps (rows revealed one by one, per cell, since
    ``\\pause`` does not work inside ``align``), then the result with the figure."""
    ctx = ctx or Context(PrinterConfig(), {}, None)
    a = d.assumption
    title = text_escape(a.title)
    rows = layout_rows(d.steps, ctx.printer(d), SLIDE, params=d.params, config=ctx.config,
                       silent=STATED)
    groups = frames_of_rows(rows, STEPS_BUDGET, STEPS_BUDGET, SLIDE)
    frames = []
    for index, group in enumerate(groups):
        suffix = f" ({index + 1}/{len(groups)})" if len(groups) > 1 else ""
        # \small as a declaration: a brace group opening a frame takes the title's colour.
        frames.append("\n".join([
            *([f"% derive: {verify_directive(ctx, d)}"] if index == 0 else []),
            r"\begin{frame}{%s%s}" % (title, suffix), r"\small",
            emit_align(group, SLIDE, overlays=list(range(1, len(group) + 1))), r"\end{frame}"]))

    items = results_tex(ctx, d, SLIDE)
    fig = ctx.figures.get(a.name)
    drawn = fig is not None and fig.stem is not None
    # side by side above a figure (when they fit); without one, one per line: not a single line
    display = display_math(items, SLIDE) if drawn else "\\begin{gather*}\n%s\n\\end{gather*}" % " \\\\\n".join(items)
    result = [r"\begin{frame}{%s: the loss}" % title, r"\small", display]
    if drawn:
        # a second display line takes 0.08 of the text height from the figure, a continuation line 0.05
        lines = 1 if display.startswith("\\[") else len(items)
        height = "%.2f" % max(0.42 - 0.08 * (lines - 1) - 0.05 * sum(item.count("\\\\\n") for item in items), 0.18)
        result += [r"\begin{center}", r"\includegraphics[width=\linewidth,height=%s\textheight,"
                   r"keepaspectratio]{%s}" % (height, fig.stem), r"\end{center}"]
    proved = [c for c in checks_of(d)[0] if c.ok and c.reference.expected and c.verdict.holds]
    if proved:
        c = proved[0]
        math = reference_math(ctx, d, c)
        if tex_width(math) <= 0.8 * SLIDE.width / 0.82:
            result.append(r"{\footnotesize Proved: $%s$, %s.}" % (math, MODE_WORDS[c.reference.mode]))
    result.append(r"\end{frame}")
    frames.append("\n".join(result))
    if a.name in CLASSIC and training_rows(ctx, d, SLIDE):
        frames.append(gradient_frame(d, ctx, title))
    return frames


def gradient_frame(d: Derivation, ctx: Context, title: str) -> str:
    """The loss, its gradient in each param (proved), and the stable form the generated code
    evaluates when it differs from the loss as written."""
    rows = training_rows(ctx, d, SLIDE)
    params = ", ".join(ctx.latex(p, d) for p in d.params)
    loss = layout_rows([Step("loss", d.loss, "", lhs=rf"\ell({params})")], ctx.printer(d), SLIDE,
                       params=d.params, config=ctx.config)
    stable = any(r.label == "stable" for r in rows)
    words = ("The loss and its gradient in the model's output, proved equal to SymPy's derivative"
             + ("; last, the loss as the generated code evaluates it." if stable else "."))
    return "\n".join([r"\begin{frame}{%s: the gradient}" % title, r"\small", words,
                      emit_align(loss + rows, SLIDE), r"\end{frame}"])


def slide(d: Derivation, ctx: Context | None = None) -> str:
    return "\n\n".join(slide_frames(d, ctx))


SUMMARY_LINES = 8  #: lines of the table "assumption -> loss" on one frame
SUMMARY_CELL = 20.0  #: em (of the slide's measure) a loss takes in the table before it is broken
SUMMARY_GAP = "9pt"


def _summary_loss(ctx: Context, d: Derivation) -> list[str]:
    """The loss's lines in its cell: broken by the layout's split rules (a sum after a top-level
    + or -, continuation lines a quad in) when wider than the cell, so that the table is never
    shrunk to fit a long one."""
    return formula_lines("", d.loss, ctx.printer(d), SUMMARY_CELL, SLIDE.indent)


def summary_frames(derivations: list[Derivation], ctx: Context) -> list[str]:
    """The table "assumption -> loss", each frame filled with up to :data:`SUMMARY_LINES`
    lines (a broken loss takes its lines) before the next starts."""
    losses = {d.assumption.name: _summary_loss(ctx, d) for d in derivations}
    chunks, chunk, used = [], [], 0
    for d in derivations:
        lines = len(losses[d.assumption.name])
        if chunk and used + lines > SUMMARY_LINES:
            chunks.append(chunk)
            chunk, used = [], 0
        chunk.append(d)
        used += lines
    if chunk:
        chunks.append(chunk)
    if len(chunks) > 1 and len(chunks[-1]) == 1 and len(chunks[-2]) > 2:
        chunks[-1].insert(0, chunks[-2].pop())  # no last frame of one row: the frame before gives one
    frames = []
    for index, chunk in enumerate(chunks):
        suffix = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        rows = []
        for d in chunk:
            lines = losses[d.assumption.name]
            loss = lines[0] if len(lines) == 1 else "\\begin{aligned}[t] &" + " \\\\ &\\quad ".join(lines) + "\\end{aligned}"
            rows.append(r"$%s$ & %s & $%s$ \\" % (ctx.fragment(d.assumption.statement),
                                                  text_escape(d.assumption.loss_name), loss))
            rows.append(r"\addlinespace[%s]" % SUMMARY_GAP)  # sums and fractions do not touch the next row
        frames.append("\n".join([
            r"\begin{frame}{Assumption $\to$ loss%s}" % suffix,
            r"\centering\footnotesize",
            r"\begin{adjustbox}{max width=\linewidth}",
            r"\begin{tabular}{@{}lll@{}}",
            r"\toprule",
            r"assumption & loss & $\ell$ \\",
            r"\midrule",
            *rows[:-1],
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{adjustbox}",
            r"\end{frame}",
        ]))
    return frames


SLIDES_PREAMBLE = r"""\documentclass[11pt,aspectratio=169]{beamer}
\usefonttheme[onlymath]{serif}
\setbeamertemplate{navigation symbols}{}
\usepackage{amsmath,amssymb,mathtools}
\usepackage{booktabs}
\usepackage{adjustbox}
"""


def divider(title: str, words: str = "") -> str:
    """A section divider: the part's title, and a sentence on what comes."""
    lines = [r"\section{%s}" % title, r"\begin{frame}", r"\centering", r"\vfill",
             r"{\usebeamerfont{title}\usebeamercolor[fg]{title}%s\par}" % title]
    if words:
        lines += [r"\bigskip", r"\begin{minipage}{0.75\linewidth}\centering\small %s\end{minipage}" % words]
    return "\n".join(lines + [r"\vfill", r"\end{frame}"])


def closing_frame(derivations: list[Derivation], ctx: Context) -> str:
    """What the lecture showed, a point per part in the parts' order, the counts read from the checks."""
    items = []
    for part in ctx.parts:
        if part == "catalogue" and derivations:
            checks = [c for d in derivations for c in checks_of(d)[0] if c.reference.expected]
            proved = [c for c in checks if c.ok and c.verdict.holds and not c.verdict.numerical]
            items += [r"Each loss is $-\log p$ of an assumption, with the terms free of the parameters "
                      r"dropped and a positive factor divided out: the same minimisers.",
                      f"{len(derivations)} assumptions, {len(derivations)} losses: {len(proved)} of the "
                      f"{len(checks)} hand-written formulas checked against them were proved equal symbolically."]
        elif part == "information":
            items.append(r"Minimising the cross-entropy $H(P, Q) = H(P) + D_{\mathrm{KL}}(P \,\|\, Q)$ over $Q$ "
                         r"minimises the KL divergence: the entropy $H(P)$ does not depend on the model.")
        elif part == "models":
            items.append(r"A regulariser is the negative log-prior: the regularised loss is minimised by the MAP "
                         r"estimate, each weight $\lambda$ derived from the scales.")
    body = "\n".join(r"  \item %s" % item for item in items)
    return "\n".join([r"\section*{Summary}", r"\begin{frame}{Summary}", r"\begin{itemize}", body,
                      r"\end{itemize}", r"\end{frame}"])


def catalogue_frames(derivations: list[Derivation], ctx: Context) -> list[str]:
    """The catalogue's divider, the overview figure, each derivation's frames and the summary table."""
    if not derivations:
        return []
    frames = [divider("Every loss from its assumption",
                      f"{len(derivations)} distributional assumptions, each taken step by step to "
                      f"the loss practitioners write by hand.")]
    if ctx.overview is not None and ctx.overview.stem is not None:
        frames.append("\n".join([
            r"\begin{frame}{Losses compared}",
            r"\begin{center}",
            r"\includegraphics[width=0.85\linewidth,height=0.7\textheight,keepaspectratio]{%s}"
            % ctx.overview.stem,
            r"\end{center}",
            r"{\scriptsize %s}" % ctx.overview.caption,
            r"\end{frame}",
        ]))
    for d in derivations:
        frames += slide_frames(d, ctx)
    return frames + summary_frames(derivations, ctx)


def slides(derivations: list[Derivation], ctx: Context | None = None) -> str:
    """The deck: the title, then each part in ``ctx.parts``'s order (a divider first), then the summary."""
    ctx = ctx or Context(PrinterConfig(), {}, None)
    writers = {
        "catalogue": lambda: catalogue_frames(derivations, ctx),
        "information": lambda: [RESET + "\n" + divider(
            "Entropy, cross-entropy and KL divergence",
            "Worked examples in bits and nats, the identities that make the cross-entropy "
            "the loss to minimise (each proved by SymPy, step by step), and closed forms."),
            *information_frames(ctx.config)],
        "models": lambda: [RESET + "\n" + divider(
            MODELS_TITLE, "The regulariser is the negative log-prior: ridge, lasso and the elastic "
            "net are MAP estimates, with each weight derived from the scales."),
            *models_frames(ctx.priors, ctx.config)],
    }
    frames = [r"\begin{frame}" "\n" r"\titlepage" "\n" r"\end{frame}"]
    for part in ctx.parts:
        frames += writers[part]()
    frames.append(closing_frame(derivations, ctx))
    return (SLIDES_PREAMBLE + title_block(ctx) + "\\begin{document}\n\n" + "\n\n".join(frames)
            + "\n\n\\end{document}\n")


# --------------------------------------------------------------------------- Beamer


def _frames(title: str, steps, config: PrinterConfig, closing: str = "", reveal: bool = True,
            closing_lines: float = 2.0) -> list[str]:
    """The steps over as many frames as they need (revealed row by row when ``reveal``), with
    ``closing`` (LaTeX about ``closing_lines`` lines high) at the end of the last."""
    rows = info_rows(steps, INFO_SLIDE, config)
    room = SLIDE_BUDGET - (closing_lines if closing else 0.0)
    groups = frames_of_rows(rows, room, room, INFO_SLIDE)
    frames = []
    for index, group in enumerate(groups):
        suffix = f" ({index + 1}/{len(groups)})" if len(groups) > 1 else ""
        overlays = list(range(1, len(group) + 1)) if reveal else None
        body = [r"\begin{frame}{%s%s}" % (title, suffix), r"\small", emit_align(group, INFO_SLIDE, overlays=overlays)]
        if closing and index == len(groups) - 1:
            body.append(closing if not reveal else  # shown after the last row
                        "\\begin{uncoverenv}<%d->\n%s\n\\end{uncoverenv}" % (len(group) + 1, closing))
        frames.append("\n".join(body + [r"\end{frame}"]))
    return frames


#: The identity whose frame ends with the lesson's worked example (the cost of the true class).
EXAMPLE_AFTER = "one_hot_cross_entropy_is_nll"


def information_frames(config: PrinterConfig) -> list[str]:
    """The weather worked in bits, each identity revealed row by row (the one-hot one with
    the lesson's example of the cost of the true class), the closed forms."""
    w_unit = r"\text{%s}" % weather().unit
    given, cost = true_class_math(config)
    example = "\n".join([r"{\footnotesize The lesson's example:}", "\\[ %s \\]" % given, "\\[ %s \\]" % cost,
                         r"{\footnotesize %s}" % class_numbering_words(config)])
    frames = [
        "\n".join([r"\begin{frame}{Entropy in bits: the weather}", r"\small", r"\begin{center}",
                   tabular(WEATHER_HEAD, weather_table_rows(config)), r"\end{center}",
                   "\\begin{align*}\n%s\n\\end{align*}" % " \\\\\n".join(weather_display(config, w_unit)),
                   r"\end{frame}"]),
    ]
    for identity in identities():
        mark = "" if identity.proved else r"{\footnotesize %s}" % NOT_PROVED  # "proved" is said once, above
        if identity.name == EXAMPLE_AFTER:
            frames += _frames(text_escape(identity.title), identity.steps, config,
                              closing="\n".join(p for p in (example, mark) if p), closing_lines=7.0)
        else:
            frames += _frames(text_escape(identity.title), identity.steps, config, closing=mark)
    entropies, within, _, _ = closed_form_blocks(config)
    for title, block in (("Entropy in closed form", entropies), ("KL divergence in closed form", within)):
        frames += _frames(title, block.steps, config, reveal=False)
    return frames
