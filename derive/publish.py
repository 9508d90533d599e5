"""`derive build`: the derivations as a LaTeX article, a Beamer deck, Markdown and JSON, with
figures; `derive build --pdf` compiles the two LaTeX documents.

Everything here is deterministic: the same catalogue gives byte-identical files.

    derivations.tex   article: per assumption a paragraph in words, the steps with their
                      justifications, the boxed loss, the formulas it was proved equal to
                      (with the mode), and the figure
    slides.tex        Beamer: title, overview, per assumption its steps revealed row by row
                      (split over frames when long) and a result frame; a summary table
    derivations.md    GitHub/KaTeX: ``aligned`` inside ``$$``, only macros KaTeX knows
    catalog.json      every derived quantity as srepr and LaTeX, with the verdicts

and, for the whole catalogue, a last part on entropy, cross-entropy and KL divergence in
each of the four (:mod:`derive.publish_info`).
    figures/          <name>.pdf/.png per assumption, overview.pdf/.png
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from derive.assumptions import names as assumption_names
from derive.checks import Check, check
from derive.config import ConfigError, PrinterConfig
from derive.errors import DeriveError
from derive.engine import Derivation, derive
from derive.equivalence import MATRICES_WRITTEN_OUT, MATRIX_SIZES
from derive.figures import FigureFiles, write_figures
from derive.steps import Step
from derive.symbols import srepr
from derive import publish_info
from derive.latex.render import (ARTICLE, MARKDOWN, SLIDE, SLIDE_BUDGET, Layout, TextbookPrinter,
                                 display_math, emit_align, frames_of_rows, layout_rows, log_notation,
                                 tex_width, text_escape)

INFORMATION = "information"  # the name of the information part among --only's names
FORMATS = {"tex": "derivations.tex", "slides": "slides.tex", "md": "derivations.md", "json": "catalog.json"}
OUTPUT_FILES = tuple(FORMATS.values())
TEX_PACKAGES = ("amsmath.sty", "mathtools.sty", "beamer.cls", "graphicx.sty", "booktabs.sty",
                "geometry.sty", "placeins.sty", "adjustbox.sty")
TEX_INSTALL_HINT = ("apt-get install --no-install-recommends texlive-latex-extra latexmk "
                    "(Debian/Ubuntu), or TeX Live with latexmk, amsmath, mathtools and beamer")

STATED = ("assumption",)
PEERS_ARTICLE = dataclasses.replace(ARTICLE, width=36.0)  # code names in the notes run wide  # steps whose note the documents say in their own words

_MODE_WORDS = {
    "exact": "exactly",
    "constant": "up to an additive constant",
    "affine": "up to a positive affine map",
}

_INTRO = (
    "Every standard loss is a cross-entropy, a negative log-likelihood, under a distributional "
    "assumption.  Each section states an assumption, takes the negative log of its likelihood, "
    "drops the terms that do not depend on the model's parameters (shown under braces), and "
    "arrives at the loss practitioners write by hand.  Each result was proved equal to the "
    "hand-written formulas shown with it.  Minimising the cross-entropy $H(P, Q)$ is minimising "
    "$D_{\\mathrm{KL}}(P \\,\\|\\, Q)$, since $H(P, Q) = H(P) + D_{\\mathrm{KL}}(P \\,\\|\\, Q)$."
)


# --------------------------------------------------------------------------- one derivation


@dataclass(frozen=True)
class Context:
    """What every writer needs: the printer settings and the figures."""

    config: PrinterConfig
    figures: dict[str, FigureFiles]
    overview: FigureFiles | None
    info: bool = False  # the part on entropy, cross-entropy and KL divergence

    def printer(self, d: Derivation) -> TextbookPrinter:
        return TextbookPrinter.from_config(self.config, lead_symbols=tuple(d.params))

    def latex(self, expr: sp.Basic, d: Derivation | None = None) -> str:
        lead = tuple(d.params) if d is not None else ()
        return TextbookPrinter.from_config(self.config, lead_symbols=lead).doprint(expr)

    def fragment(self, tex: str) -> str:
        """A hand-written LaTeX fragment in the configured log notation."""
        return log_notation(tex, self.config)


def _params_tex(ctx: Context, d: Derivation) -> str:
    return ", ".join(ctx.latex(p) for p in d.params)


def _data_tex(ctx: Context, d: Derivation) -> str:
    return ", ".join(ctx.latex(y) for y in d.data)


def loss_tex(ctx: Context, d: Derivation) -> str:
    return r"\ell(%s) = %s" % (_params_tex(ctx, d), ctx.latex(d.loss, d))


def dataset_loss_tex(ctx: Context, d: Derivation) -> str:
    return r"\bar{\ell} = %s" % ctx.latex(d.dataset_loss, d)


def _target_tex(ctx: Context, d: Derivation, target: str) -> str:
    if target == "loss":
        return r"\ell(%s)" % _params_tex(ctx, d)
    if target == "dataset_loss":
        return r"\bar{\ell}"
    log = r"\ln" if ctx.config.log == "ln" else r"\log"
    return r"-%s p(%s \mid %s)" % (log, _data_tex(ctx, d), _params_tex(ctx, d))


def reference_math(ctx: Context, d: Derivation, c: Check) -> str:
    """The claim that was checked, as math: ``X = R``, ``X = R + const.``, ``X = a(R) + b``,
    with ``\\neq`` for a documented non-equality."""
    ref = c.reference
    lhs = _target_tex(ctx, d, ref.target)
    rhs = ctx.fragment(ref.latex)
    relation = "=" if ref.expected else r"\neq"
    if ref.mode == "constant":
        rhs = r"%s + \text{const.}" % rhs
    elif ref.mode == "affine":
        rhs = r"a \left[%s\right] + b" % rhs
    return "%s %s %s" % (lhs, relation, rhs)


def reference_words(ctx: Context, d: Derivation, c: Check) -> str:
    """How the claim stands: the mode in words and how it was established."""
    ref, verdict = c.reference, c.verdict
    mode = _MODE_WORDS[ref.mode]
    extra = ""
    if ref.mode == "affine":
        extra = r", with $a > 0$ and $a, b$ free of $%s$" % _params_tex(ctx, d)
    if ref.mode == "constant":
        extra = r", the constant free of $%s$" % _params_tex(ctx, d)
    how = (f"checked numerically at {verdict.evidence}, not proved" if verdict.numerical
           else f"proved symbolically ({verdict.method})")
    if verdict.method.startswith(MATRICES_WRITTEN_OUT):
        sizes = ", ".join(str(n) for n in MATRIX_SIZES)
        how = f"proved symbolically with the matrices written out at d = {sizes}"
    if verdict.holds is None and not verdict.numerical:
        return text_escape(f"{mode}{extra}: undecided ({verdict.method})")
    if c.ok and ref.expected:
        return f"{mode}{extra}; {text_escape(how)}"
    if c.ok:
        return f"not equal {mode}, as expected; {text_escape('refuted (' + verdict.method + ')')}"
    return text_escape(f"{mode}: UNEXPECTED verdict {verdict.holds} ({verdict.method})")


def _label(ref) -> str:
    return text_escape(ref.label) if ref.label else ""


def checks_of(d: Derivation) -> tuple[tuple[Check, ...], str]:
    """The checks of ``d`` and, when they cannot be run (a reference that does not parse),
    the reason, shown in the documents instead of the verdicts."""
    try:
        return check(d.assumption.name), ""
    except DeriveError as error:
        return (), str(error).splitlines()[0]


# --------------------------------------------------------------------------- LaTeX article


def _figure_tex(fig: FigureFiles | None, width: str = r"\linewidth", title: str = "") -> str:
    if fig is None or fig.stem is None:
        return ""
    caption = (text_escape(title) + ": " if title else "") + fig.caption
    return "\n".join([
        r"\begin{figure}[htbp]",
        r"\centering",
        r"\includegraphics[width=%s]{%s}" % (width, fig.stem),
        r"\caption{%s}" % caption,
        r"\end{figure}",
    ])


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
        label = _label(c.reference)
        head = f"{label}: " if label else ""
        if tex_width(head + words, "text") + tex_width(math) <= 0.8 * layout.width:
            items.append(r"  \item %s$\displaystyle %s$ \quad %s." % (head, math, words))
        else:
            lead = f"{label}, {words}" if label else words[:1].upper() + words[1:]
            items.append("  \\item %s:\n\\[ %s \\]" % (lead, math))
    return "\n".join(["The hand-written formulas it was checked against:", r"\begin{itemize}",
                      *items, r"\end{itemize}"])


def _peers_tex(ctx: Context, d: Derivation) -> str:
    """The framework functions that compute this loss, each with the derived relation
    ``-log p = a * f + b`` laid out like the steps (long offsets break over lines)."""
    if not d.peers:
        return ""
    f = sp.Symbol("f")
    nll = _target_tex(ctx, d, "nll")
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
    return (f"{text_escape(ctx.fragment(a.words))}  The loss this gives is the "
            f"{text_escape(a.loss_name)}.  In symbols, the assumption is\n"
            f"\\[ {ctx.fragment(a.statement)} \\]")


def article_section(d: Derivation, ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    a = d.assumption
    rows = layout_rows(d.steps, ctx.printer(d), ARTICLE, params=d.params, config=ctx.config,
                       silent=STATED)
    result = display_math([r"\boxed{%s}" % loss_tex(ctx, d), dataset_loss_tex(ctx, d)], ARTICLE)
    parts = [
        r"\section{%s}\label{sec:%s}" % (text_escape(a.title), a.name),
        _assumption_paragraph(ctx, d),
        emit_align(rows, ARTICLE),
        "The loss per example (boxed), and its mean over the $n$ examples:",
        result,
        _references_tex(ctx, d, ARTICLE),
        _peers_tex(ctx, d),
    ]
    fig = ctx.figures.get(a.name)
    if fig is not None and fig.stem is not None:
        parts.append(_figure_tex(fig, title=a.title))
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
\title{Every loss is a cross-entropy: derivations}
\author{Generated by \texttt{derive build}}
\date{}
"""


def article(derivations: list[Derivation], ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    body = "\n\n".join(article_section(d, ctx) for d in derivations)
    overview = _figure_tex(ctx.overview, title="Losses compared")
    return (
        ARTICLE_PREAMBLE
        + "\\begin{document}\n\\maketitle\n\n"
        + f"{_INTRO}\n\n"
        + (f"{overview}\n\n" if overview else "")
        + f"{body}\n\n"
        + (f"{publish_info.article_part(ctx.config)}\n\n" if ctx.info else "")
        + "\\end{document}\n"
    )


# --------------------------------------------------------------------------- Beamer

def slide_frames(d: Derivation, ctx: Context | None = None) -> list[str]:
    """The frames of one derivation: the steps (rows revealed one by one, per cell, since
    ``\\pause`` does not work inside ``align``), then the result with the figure."""
    ctx = ctx or Context(PrinterConfig(), {}, None)
    a = d.assumption
    title = text_escape(a.title)
    rows = layout_rows(d.steps, ctx.printer(d), SLIDE, params=d.params, config=ctx.config,
                       silent=STATED)
    groups = frames_of_rows(rows, SLIDE_BUDGET, SLIDE_BUDGET)
    frames = []
    for index, group in enumerate(groups):
        suffix = f" ({index + 1}/{len(groups)})" if len(groups) > 1 else ""
        # \small as a declaration: a brace group opening a frame takes the title's colour.
        frames.append("\n".join([
            r"\begin{frame}{%s%s}" % (title, suffix), r"\small",
            emit_align(group, SLIDE, overlays=list(range(1, len(group) + 1))), r"\end{frame}"]))

    display = display_math([r"\boxed{%s}" % loss_tex(ctx, d), dataset_loss_tex(ctx, d)], SLIDE)
    result = [r"\begin{frame}{%s: the loss}" % title, r"\small", display]
    fig = ctx.figures.get(a.name)
    if fig is not None and fig.stem is not None:
        height = "0.34" if "gather" in display else "0.42"
        result += [r"\begin{center}", r"\includegraphics[width=\linewidth,height=%s\textheight,"
                   r"keepaspectratio]{%s}" % (height, fig.stem), r"\end{center}"]
    proved = [c for c in checks_of(d)[0] if c.ok and c.reference.expected and c.verdict.holds]
    if proved:
        c = proved[0]
        math = reference_math(ctx, d, c)
        if tex_width(math) <= 0.8 * SLIDE.width / 0.82:
            result.append(r"{\footnotesize Proved: $%s$, %s.}" % (math, _MODE_WORDS[c.reference.mode]))
    result.append(r"\end{frame}")
    frames.append("\n".join(result))
    return frames


def slide(d: Derivation, ctx: Context | None = None) -> str:
    return "\n\n".join(slide_frames(d, ctx))


SUMMARY_ROWS = 8


def summary_frames(derivations: list[Derivation], ctx: Context) -> list[str]:
    """The table "assumption -> loss", split over frames of a few rows."""
    chunks = [derivations[i:i + SUMMARY_ROWS] for i in range(0, len(derivations), SUMMARY_ROWS)]
    frames = []
    for index, chunk in enumerate(chunks):
        suffix = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        rows = []
        for d in chunk:
            rows.append(r"$%s$ & %s & $%s$ \\" % (ctx.fragment(d.assumption.statement),
                                                  text_escape(d.assumption.loss_name), ctx.latex(d.loss, d)))
        frames.append("\n".join([
            r"\begin{frame}{Assumption $\to$ loss%s}" % suffix,
            r"\centering\footnotesize",
            r"\begin{adjustbox}{max width=\linewidth}",
            r"\begin{tabular}{@{}lll@{}}",
            r"\toprule",
            r"assumption & loss & $\ell$ \\",
            r"\midrule",
            *rows,
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
\title{Every loss is a cross-entropy}
\subtitle{Training losses derived from distributional assumptions}
\author{Generated by \texttt{derive build}}
\date{}
"""


def slides(derivations: list[Derivation], ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    frames = [r"\begin{frame}" "\n" r"\titlepage" "\n" r"\end{frame}"]
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
    frames += summary_frames(derivations, ctx)
    if ctx.info:
        frames += publish_info.slide_frames(ctx.config)
    return SLIDES_PREAMBLE + "\\begin{document}\n\n" + "\n\n".join(frames) + "\n\n\\end{document}\n"


# --------------------------------------------------------------------------- Markdown


def _markdown_text(text: str) -> str:
    return text.replace("\\,", " ")


def markdown(derivations: list[Derivation], ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    parts = ["# Every loss is a cross-entropy", "", _markdown_text(_INTRO), ""]
    if ctx.overview is not None and ctx.overview.stem is not None:
        parts += [f"![Losses compared]({ctx.overview.stem}.png)", "", f"*{ctx.overview.caption}*", ""]
    for d in derivations:
        a = d.assumption
        rows = layout_rows(d.steps, ctx.printer(d), MARKDOWN, params=d.params, config=ctx.config,
                       silent=STATED)
        parts += [f"## {a.title}", "",
                  f"{ctx.fragment(a.words)} In symbols, ${ctx.fragment(a.statement)}$. "
                  f"The loss this gives is the {a.loss_name}.", "",
                  "$$", emit_align(rows, MARKDOWN, environment="aligned"), "$$", "",
                  "The loss per example, and its mean over the $n$ examples:", "",
                  "$$", r"\boxed{%s} \qquad %s" % (loss_tex(ctx, d), dataset_loss_tex(ctx, d)), "$$", ""]
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
    if ctx.info:
        parts += [publish_info.markdown_part(ctx.config)]
    return "\n".join(parts)


# --------------------------------------------------------------------------- JSON


def _both(expr: sp.Basic, ctx: Context, d: Derivation | None = None) -> dict:
    return {"srepr": srepr(expr), "latex": ctx.latex(expr, d)}


def catalog_entry(d: Derivation, ctx: Context | None = None) -> dict:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    a = d.assumption
    fig = ctx.figures.get(a.name)
    return {
        "name": a.name,
        "title": a.title,
        "statement": a.statement,
        "loss_name": a.loss_name,
        "symbols": {role: [str(s) for s in syms] for role, syms in
                    (("data", d.data), ("params", d.params), ("fixed", d.fixed))},
        "nll": _both(d.nll, ctx, d),
        "loss": _both(d.loss, ctx, d),
        "dataset_loss": _both(d.dataset_loss, ctx, d),
        "dropped": [_both(t, ctx, d) for t in d.dropped],
        "scale": _both(d.scale, ctx, d),
        "references": [
            {"latex": c.reference.latex, "target": c.reference.target, "mode": c.reference.mode,
             "expected": c.reference.expected, "holds": c.verdict.holds, "method": c.verdict.method,
             "numerical": c.verdict.numerical}
            for c in checks_of(d)[0]
        ],
        "references_error": checks_of(d)[1] or None,
        "deviance": None if d.deviance is None else _both(d.deviance, ctx, d),
        "peers": [{"function": p.function, "call": p.call, "value": _both(p.value, ctx, d),
                   "scale": _both(p.scale, ctx, d), "offset": _both(p.offset, ctx, d),
                   "condition": p.condition or None} for p in d.peers],
        "figure": None if fig is None or fig.stem is None else {"pdf": f"{fig.stem}.pdf", "png": f"{fig.stem}.png"},
        "figure_note": None if fig is None else (fig.note or None),
    }


def catalog(derivations: list[Derivation], ctx: Context | None = None) -> str:
    ctx = ctx or Context(PrinterConfig(), {}, None)
    document = {"assumptions": [catalog_entry(d, ctx) for d in derivations]}
    if ctx.info:
        document["information"] = publish_info.catalog_part(ctx.config)
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


# --------------------------------------------------------------------------- build


def parse_formats(text: str | None) -> tuple[str, ...]:
    """``"tex,md"`` -> ``("tex", "md")``; an unknown format is a ConfigError."""
    if not text:
        return tuple(FORMATS)
    chosen = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ConfigError(f"unknown format(s) {', '.join(unknown) or '(none)'}; known: {', '.join(FORMATS)}")
    return chosen


def build(out: Path | str = "outputs", only: list[str] | None = None, formats=None,
          config: PrinterConfig | None = None, figures: bool = True, info: bool | None = None) -> list[Path]:
    """Write the chosen formats (default: all four) into ``out``, and the figures into
    ``out/figures`` when a document needs them; returns the paths written.  ``info`` adds
    the part on entropy, cross-entropy and KL divergence (default: when ``only`` is not
    given, that is, for the whole catalogue; ``"information"`` among ``only`` asks for it)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    formats = tuple(formats) if formats else tuple(FORMATS)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    config = config or PrinterConfig()
    if only is not None and INFORMATION in only:
        only = [name for name in only if name != INFORMATION]
        info = True
    derivations = [derive(name) for name in (assumption_names() if only is None else only)]
    written: list[Path] = []
    overview, each = None, {}
    if figures and derivations and set(formats) & {"tex", "slides", "md", "json"}:
        overview, each = write_figures(derivations, out)
        for fig in [overview, *each.values()]:
            written += fig.paths(out)
    ctx = Context(config, each, overview, info=only is None if info is None else info)
    writers = {"tex": article, "slides": slides, "md": markdown, "json": catalog}
    for fmt in formats:
        path = out / FORMATS[fmt]
        path.write_text(writers[fmt](derivations, ctx), encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------- PDF


def tex_missing() -> list[str]:
    """What of TeX Live is missing for ``--pdf`` and the compile tests (empty: all there)."""
    missing = [tool for tool in ("latexmk", "pdflatex", "kpsewhich") if shutil.which(tool) is None]
    if "kpsewhich" not in missing:
        for package in TEX_PACKAGES:
            found = subprocess.run(["kpsewhich", package], capture_output=True, text=True)
            if found.returncode != 0 or not found.stdout.strip():
                missing.append(package)
    return missing


@dataclass(frozen=True)
class Compiled:
    """A compiled document: the PDF (None on failure), the TeX log, the exit code, seconds."""

    source: Path
    pdf: Path | None
    log: str
    returncode: int
    seconds: float


def compile_pdf(tex: Path, workdir: Path, timeout: float = 300.0) -> Compiled:
    """``latexmk -pdf -interaction=nonstopmode -halt-on-error`` on ``tex`` in ``workdir``
    (a copy of the source and its figures goes there, so that the auxiliary files stay out
    of the output folder), with ``SOURCE_DATE_EPOCH`` fixed so that the PDF is reproducible."""
    tex = Path(tex).resolve()
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    if work.resolve() != tex.parent:
        shutil.copy2(tex, work / tex.name)
        figures = tex.parent / "figures"
        if figures.is_dir():
            shutil.copytree(figures, work / "figures", dirs_exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    start = time.perf_counter()
    run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                         cwd=work, capture_output=True, text=True, env=env, timeout=timeout)
    seconds = time.perf_counter() - start
    log_path = work / (tex.stem + ".log")
    log = log_path.read_text(encoding="latin-1") if log_path.is_file() else run.stdout + run.stderr
    pdf = work / (tex.stem + ".pdf")
    return Compiled(tex, pdf if run.returncode == 0 and pdf.is_file() else None, log, run.returncode, seconds)


def build_pdfs(out: Path | str, sources=("derivations.tex", "slides.tex")) -> list[Compiled]:
    """Compile the LaTeX documents in ``out`` and copy the PDFs next to them."""
    out = Path(out)
    results = []
    for name in sources:
        if not (out / name).is_file():
            continue
        with tempfile.TemporaryDirectory(prefix="derive-tex-") as work:
            result = compile_pdf(out / name, Path(work))
            pdf = None
            if result.pdf is not None:
                pdf = out / result.pdf.name
                shutil.copy2(result.pdf, pdf)
            else:
                (out / (Path(name).stem + ".log")).write_text(result.log, encoding="latin-1")
        results.append(Compiled(result.source, pdf, result.log, result.returncode, result.seconds))
    return results
