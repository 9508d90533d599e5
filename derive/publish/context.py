"""What every writer of `derive build` shares: the printer settings and figures of one build
(:class:`Context`), the loss in symbols, and the hand-written formulas each derivation was
checked against, as a claim in math and its standing in words."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sympy as sp

from derive.checks import Check, check
from derive.config import ConfigError, PrinterConfig, ProjectConfig
from derive.engine import Derivation
from derive.entries import Reference
from derive.equivalence import MATRICES_WRITTEN_OUT, MATRIX_SIZES
from derive.errors import DeriveError
from derive.figures import FigureFiles
from derive.latex.layout import ARTICLE, Layout, formula_lines, log_notation, written_lines
from derive.latex.emit import formula_tex, text_escape
from derive.latex.measure import tex_width
from derive.latex.printer import TextbookPrinter

STATED = ("assumption",)  # steps whose note the documents say in their own words
#: Before a part with its own notation (information, priors): no derivation's assumptions in force.
RESET = "% derive: reset"
PEERS_ARTICLE = dataclasses.replace(ARTICLE, width=36.0)  # code names in the notes run wide

MODE_WORDS = {
    "exact": "exactly",
    "constant": "up to an additive constant",
    "affine": "up to a positive affine map",
}

INTRO = (
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
    #: the documents' parts in their order: "catalogue" (the derivations), "information" (entropy,
    #: cross-entropy and KL divergence), "models" ("Regularisers are priors", derive.models)
    parts: tuple[str, ...] = ("catalogue",)
    project: ProjectConfig = ProjectConfig()  # title, author, ... of the documents
    priors: FigureFiles | None = None  # the models part's figure: the priors beside their penalties

    @property
    def info(self) -> bool:
        return "information" in self.parts

    @property
    def models(self) -> bool:
        return "models" in self.parts

    def printer(self, d: Derivation) -> TextbookPrinter:
        return TextbookPrinter.from_config(self.config, lead_symbols=tuple(d.params))

    def latex(self, expr: sp.Basic, d: Derivation | None = None) -> str:
        lead = tuple(d.params) if d is not None else ()
        return TextbookPrinter.from_config(self.config, lead_symbols=lead).doprint(expr)

    def fragment(self, tex: str) -> str:
        """A hand-written LaTeX math fragment in the configured notation (log, symbols)."""
        return log_notation(tex, self.config)

    def words(self, text: str) -> str:
        """Hand-written words with math between ``$`` in the configured notation."""
        return log_notation(text, self.config, text=True)


def figure_tex(fig: FigureFiles | None, width: str = r"\linewidth", title: str = "") -> str:
    """A LaTeX figure float with its caption (``title: caption``); empty for no figure."""
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


def check_renames(derivations: list[Derivation], config: PrinterConfig) -> None:
    """A renamed symbol must not take the name of another symbol of the same entry (``\\hat{y}``
    to ``\\mu`` where ``\\mu`` is a parameter): a ConfigError naming both, before anything is written."""
    if not config.symbols:
        return
    plain = TextbookPrinter.from_config(config.replace(symbols=()))
    renames = dict(config.symbols)
    for d in derivations:
        atoms = set(d.nll.free_symbols) | {a.base.label for a in d.nll.atoms(sp.Indexed)} | set(d.assumption.domains)
        written = {plain.doprint(sp.Symbol(str(getattr(a, "label", a)))) for a in atoms}
        for old, new in renames.items():
            if old in written and new in written and new not in renames:
                raise ConfigError(f"symbols: {old} -> {new} in {d.assumption.name}: {new} is already a symbol "
                                  f"there; rename it too, choose another name, or leave the entry out")


def _condition(name: str, domain: sp.Set) -> str | None:
    """A domain as a ``derive verify`` assumption on ``name`` (LaTeX): the domain itself, or one
    that holds it (counts 0, 1, 2, ... as ``>= 0``), so a step proved there holds on the domain;
    None when the directive has no word for it (a finite set of labels, a closed interval)."""
    if domain == sp.Reals:
        return f"{name} real"
    if domain == sp.Naturals:
        return f"{name} size"
    if domain == sp.Integers:
        return f"{name} integer"
    if domain == sp.Naturals0 or isinstance(domain, sp.Range) and domain.inf >= 0:
        return f"{name} >= 0"  # one word per name: the counts' wider domain; a proof there holds on it
    if isinstance(domain, sp.Interval) and domain.inf == 0 and domain.sup == sp.oo:
        return f"{name} > 0" if domain.left_open else f"{name} >= 0"
    if isinstance(domain, sp.Interval) and domain.left_open and domain.right_open \
            and domain.inf.is_Rational and domain.sup.is_Rational:
        return f"{domain.inf} < {name} < {domain.sup}"
    return None


def verify_directive(ctx: Context, d: Derivation) -> str:
    """What the derivation's steps assume, as a ``derive verify`` directive (the text after
    ``derive:``): ``reset, assume \\sigma > 0, \\hat{y} real, params \\hat{y}``.  The documents
    state it in a comment before the steps, so that ``derive verify`` checks them under the
    entry's own domains, not under "every symbol is any real number"."""
    conditions = []
    sizes = {limit[2] for s in d.nll.atoms(sp.Sum) for limit in s.limits}  # d in sum_{j=1}^{d}: a size
    for atom, domain in sorted(d.assumption.domains.items(), key=lambda item: str(item[0])):
        name = ctx.latex(sp.Symbol(str(getattr(atom, "label", atom))))
        condition = f"{name} size" if atom in sizes else _condition(name, domain)
        if condition:
            conditions.append(condition)
    params = [ctx.latex(sp.Symbol(str(getattr(p, "label", p)))) for p in d.params]
    return ", ".join(["reset"] + (["assume " + ", ".join(conditions)] if conditions else [])
                     + (["params " + ", ".join(params)] if params else []))


def title_block(ctx: Context) -> str:
    """``\\title``, ``\\subtitle`` (Beamer), ``\\author`` and ``\\date`` of the project."""
    p = ctx.project
    lines = [r"\title{%s}" % text_escape(p.title)]
    if p.subtitle:
        lines.append(r"\subtitle{%s}" % text_escape(p.subtitle))
    lines += [r"\author{%s}" % text_escape(p.author), r"\date{%s}" % text_escape(p.date)]
    return "\n".join(lines) + "\n"


def params_tex(ctx: Context, d: Derivation) -> str:
    return ", ".join(ctx.latex(p) for p in d.params)


def data_tex(ctx: Context, d: Derivation) -> str:
    return ", ".join(ctx.latex(y) for y in d.data)


def loss_tex(ctx: Context, d: Derivation) -> str:
    return r"\ell(%s) = %s" % (params_tex(ctx, d), ctx.latex(d.loss, d))


def dataset_loss_tex(ctx: Context, d: Derivation) -> str:
    return r"\bar{\ell} = %s" % ctx.latex(d.dataset_loss, d)


BOX = 1.0  # em a \boxed formula is wider than its contents


def results_tex(ctx: Context, d: Derivation, layout: Layout) -> list[str]:
    """The boxed loss and the dataset loss, each broken over lines that fit ``layout.width``
    (:func:`derive.latex.layout.formula_lines`) when it is too wide for one."""
    printer, width = ctx.printer(d), layout.width
    loss = r"\ell(%s)" % params_tex(ctx, d)
    return [formula_tex(loss, formula_lines(loss, d.loss, printer, width and width - BOX, layout.indent), boxed=True),
            formula_tex(r"\bar{\ell}", formula_lines(r"\bar{\ell}", d.dataset_loss, printer, width, layout.indent))]


def target_tex(ctx: Context, d: Derivation, target: str) -> str:
    if target == "loss":
        return r"\ell(%s)" % params_tex(ctx, d)
    if target == "dataset_loss":
        return r"\bar{\ell}"
    log = r"\ln" if ctx.config.log == "ln" else r"\log"
    return r"-%s p(%s \mid %s)" % (log, data_tex(ctx, d), params_tex(ctx, d))


def reference_math(ctx: Context, d: Derivation, c: Check) -> str:
    """The claim that was checked, as math: ``X = R``, ``X = R + const.``, ``X = a(R) + b``,
    with ``\\neq`` for a documented non-equality."""
    return "%s %s %s" % reference_parts(ctx, d, c.reference)


def reference_display(ctx: Context, d: Derivation, ref: Reference, layout: Layout) -> str:
    """The claim as display math, its right side (as written) broken over lines that fit
    ``layout.width`` (:func:`derive.latex.layout.written_lines`)."""
    lhs, relation, rhs = reference_parts(ctx, d, ref)
    width = None if layout.width is None else layout.width - tex_width(f"{lhs} {relation}")
    return formula_tex(lhs, written_lines(rhs, width, layout.indent), relation)


def reference_parts(ctx: Context, d: Derivation, ref: Reference) -> tuple[str, str, str]:
    """``(X, relation, R)`` of :func:`reference_math`."""
    lhs = target_tex(ctx, d, ref.target)
    rhs = ctx.fragment(ref.latex)
    relation = "=" if ref.expected else r"\neq"
    if ref.mode == "constant":
        rhs = r"%s + \text{const.}" % rhs
    elif ref.mode == "affine":
        rhs = r"a \left[%s\right] + b" % rhs
    return lhs, relation, rhs


def reference_words(ctx: Context, d: Derivation, c: Check) -> str:
    """How the claim stands: the mode in words and how it was established."""
    ref, verdict = c.reference, c.verdict
    mode = MODE_WORDS[ref.mode]
    extra = ""
    if ref.mode == "affine":
        extra = r", with $a > 0$ and $a, b$ free of $%s$" % params_tex(ctx, d)
    if ref.mode == "constant":
        extra = r", the constant free of $%s$" % params_tex(ctx, d)
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


def reference_label(ref) -> str:
    return text_escape(ref.label) if ref.label else ""


def checks_of(d: Derivation) -> tuple[tuple[Check, ...], str]:
    """The checks of ``d`` and, when they cannot be run (a reference that does not parse),
    the reason, shown in the documents instead of the verdicts."""
    try:
        return check(d.assumption.name), ""
    except DeriveError as error:
        return (), str(error).splitlines()[0]
