"""The part "Regularisers are priors" of the documents: each catalogue model's derivation
(negative log-posterior -> regularised loss, lambda derived), its checks, and the conjugate
updates with their posterior means and modes.

The writers call one function each, with the output's layout:

    models_article()   LaTeX for the article (a \\section, the priors' figure, one \\subsection per model)
    models_frames()    Beamer frames: the priors' figure, one per model and one for the conjugate updates
    models_markdown()  Markdown (KaTeX), the same content
    models_catalog()   the JSON records (srepr and LaTeX of each derived quantity)

Each takes the printer settings of the build (notation, symbols, classes numbered from 0 or
1) and the figure of the priors beside their penalties (``figures/priors``, drawn by
:func:`derive.figures_parts.prior_figure`), or None for a build without figures.

The "Beyond one density" part needs no function of its own: the entries built from pieces
(zero-inflated, hurdle, censored, mixture, truncated) are catalogue entries, ordered after
the classic ones (order >= 1000), and the writers give them sections like every entry.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from derive import symbols as dsym
from derive.config import PrinterConfig
from derive.latex.emit import render_steps, text_escape
from derive.latex.layout import ARTICLE, MARKDOWN, SLIDE, log_notation
from derive.latex.printer import latex
from derive.figure_style import FigureFiles
from derive.publish.context import figure_tex
from derive.models import CONJUGATES, MODELS, check, conjugate, model
from derive.models.conjugate import Conjugate

TITLE = "Regularisers are priors"
#: the models' rows hold long sums over i and j: a narrower measure makes the splitter break them
MODELS_ARTICLE = replace(ARTICLE, width=28.0)
INTRO = ("If the loss is the negative log-likelihood, the regulariser is the negative log-prior: "
         "the MAP estimate minimises their sum.  Each weight $\\lambda$ below is derived from the "
         "prior's and the likelihood's scales, never typed, and each loss is proved equal to the "
         "textbook formula.")
FIGURE_TITLE = "Priors and the penalties they put in the loss"


def _weights_tex(name: str, config: PrinterConfig) -> list[str]:
    m = model(name)
    rows = [r"\lambda_{%s} = %s" % ("2" if fam == "normal" else "1", latex(lam, config))
            for fam, lam in m.weights.items()]
    if m.weight_decay is not None:
        rows.append(r"\mathrm{weight\_decay} = %s" % latex(m.weight_decay, config))
    return rows


def _verdicts(name: str, config: PrinterConfig) -> list[str]:
    return [f"{text_escape(target)}: ${log_notation(tex, config)}$ "
            f"({'proved' if v.holds and not v.numerical else 'not proved'})" for tex, target, v in check(name)]


def _conjugate_rows(config: PrinterConfig) -> list[tuple[str, str, str, str]]:
    """(pair, the posterior's parameters, posterior mean, MAP) of each conjugate update."""
    rows = []
    for name in CONJUGATES:
        c = conjugate(name)
        if isinstance(c, Conjugate):
            post = ", ".join(f"{latex(sp.Symbol(k), config)}' = {latex(v, config)}" for k, v in c.posterior.items())
        else:  # the Dirichlet: one parameter per class
            post = f"\\alpha'_{{k}} = {latex(c.posterior_alpha, config)}"
        rows.append((name.replace("_", "-"), post, latex(c.mean, config), latex(c.map, config)))
    return rows


def _drawn(fig: FigureFiles | None) -> bool:
    return fig is not None and fig.stem is not None


def models_article(priors: FigureFiles | None = None, config: PrinterConfig = PrinterConfig()) -> str:
    parts = [f"\\section{{{TITLE}}}", INTRO, ""]
    if _drawn(priors):
        parts += [figure_tex(priors, title=FIGURE_TITLE), ""]
    for name, entry in MODELS.items():
        m = model(name)
        parts += [f"\\subsection{{{entry.title}}}", f"Assumption: ${log_notation(entry.statement, config)}$.", "",
                  render_steps(m.steps, params=m.params, layout=MODELS_ARTICLE, config=config), "",
                  "Derived: $" + r",\quad ".join(_weights_tex(name, config)) + "$.", "",
                  "\\begin{itemize}", *[f"\\item {v}" for v in _verdicts(name, config)], "\\end{itemize}", ""]
    parts += ["\\subsection{Conjugate updates}", "{\\renewcommand{\\arraystretch}{2.2}",
              "\\begin{tabular}{llll}", r"pair & posterior & posterior mean & MAP \\ \hline"]
    parts += [f"{pair} & ${post}$ & $\\displaystyle {mean}$ & $\\displaystyle {mode}$ \\\\"
              for pair, post, mean, mode in _conjugate_rows(config)]
    parts += ["\\end{tabular}}", ""]
    return "\n".join(parts)


def models_frames(priors: FigureFiles | None = None, config: PrinterConfig = PrinterConfig()) -> list[str]:
    """The priors' figure, one frame per model: the regularised loss and the weights derived
    (the steps are in the article), and one frame for the conjugate updates."""
    frames = []
    if _drawn(priors):
        frames.append("\n".join([f"\\begin{{frame}}{{{FIGURE_TITLE}}}", r"\begin{center}",
                                  r"\includegraphics[width=0.9\linewidth,height=0.62\textheight,keepaspectratio]{%s}"
                                  % priors.stem, r"\end{center}", r"{\scriptsize %s}" % priors.caption,
                                  "\\end{frame}"]))
    for name, entry in MODELS.items():
        m = model(name)
        rows = [r"\ell(w) &= %s" % latex(m.loss, config)] + [row.replace(" = ", " &= ", 1)
                                                             for row in _weights_tex(name, config)]
        frames.append("\n".join([f"\\begin{{frame}}{{{entry.title}}}", r"\small",
                                 f"Assumption: ${log_notation(entry.statement, config)}$",
                                 "\\begin{align*}", " \\\\\n".join(rows), "\\end{align*}",
                                 r"{\footnotesize Each weight is derived from the prior's and the likelihood's scales; "
                                 r"the steps are in the article.}", "\\end{frame}"]))
    # Declarations, not a brace group: a group opening a frame takes the title's colour.
    rows = [f"{text_escape(pair)} & $\\displaystyle {mean}$ & $\\displaystyle {mode}$ \\\\"
            for pair, _, mean, mode in _conjugate_rows(config)]
    frames.append("\n".join(["\\begin{frame}{Conjugate updates: posterior mean and MAP}", r"\small",
                             r"\renewcommand{\arraystretch}{2.4}", r"\begin{center}", r"\begin{tabular}{@{}lcc@{}}",
                             r"\toprule", r"prior and likelihood & posterior mean & MAP \\", r"\midrule", *rows,
                             r"\bottomrule", r"\end{tabular}", r"\end{center}", "\\end{frame}"]))
    return frames


def models_markdown(priors: FigureFiles | None = None, config: PrinterConfig = PrinterConfig()) -> str:
    parts = [f"## {TITLE}", "", INTRO, ""]
    if _drawn(priors):
        parts += [f"![{FIGURE_TITLE}]({priors.stem}.png)", "", f"*{priors.caption}*", ""]
    for name, entry in MODELS.items():
        m = model(name)
        parts += [f"### {entry.title}", "", f"Assumption: ${log_notation(entry.statement, config)}$.", "", "$$",
                  render_steps(m.steps, params=m.params, layout=MARKDOWN, config=config).replace("align*", "aligned"),
                  "$$", "", "Derived: $" + r",\quad ".join(_weights_tex(name, config)) + "$.", "",
                  *[f"- {v}" for v in _verdicts(name, config)], ""]
    parts += ["### Conjugate updates", "", "| pair | posterior mean | MAP |", "|---|---|---|"]
    parts += [f"| {pair} | ${mean}$ | ${mode}$ |" for pair, _, mean, mode in _conjugate_rows(config)]
    return "\n".join(parts) + "\n"


def models_catalog(config: PrinterConfig = PrinterConfig()) -> list[dict]:
    records = []
    for name, entry in MODELS.items():
        m = model(name)
        records.append({
            "name": name, "title": entry.title, "likelihood": entry.likelihood, "priors": list(entry.families),
            "loss": {"srepr": dsym.srepr(m.loss), "latex": latex(m.loss, config)},
            "weights": {fam: {"srepr": dsym.srepr(v), "latex": latex(v, config)} for fam, v in m.weights.items()},
            "weight_decay": None if m.weight_decay is None else latex(m.weight_decay, config),
            "checks": [{"latex": tex, "target": target, "holds": v.holds, "numerical": v.numerical}
                       for tex, target, v in check(name)],
        })
    return records
