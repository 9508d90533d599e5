"""What each entry's section says about training with its loss: the gradient of the per-example
loss in each param (from :mod:`derive.gradients`, proved equal to SymPy's derivative), and the
loss in the stable form the generated code evaluates (:mod:`derive.codegen.rewrites`, each
rewrite a proved identity).

    d ell / d z = sigma(z) - y          ell(z) = softplus(z) - y z   (softplus)

They are computed with the entry's checks (in a worker with ``-j N``, kept in the cache) and
remembered here for the writers, like the checks in :mod:`derive.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.engine import Derivation
from derive.errors import DeriveError
from derive.latex.layout import ARTICLE, Layout, layout_rows
from derive.latex.emit import emit_align, text_escape
from derive.latex.measure import tex_width
from derive.steps import Step

#: The classic losses, whose gradient gets a frame of its own on the slides.
CLASSIC = ("gaussian", "bernoulli", "bernoulli_logits", "categorical", "categorical_logits", "laplace",
           "poisson_log")

INTRO = ("The gradient of the loss in the model's output, proved equal to SymPy's derivative, "
         "and the loss as the generated code evaluates it (a stable form, each rewrite a proved identity):")


@dataclass(frozen=True)
class Training:
    """``gradients``: (param, d loss / d param) for each param; ``stable``: the loss rewritten
    into stable functions, and ``used``, their names (empty: the loss is evaluated as written);
    ``why``: the reason there are no gradients (a matrix formula)."""

    gradients: tuple[tuple[sp.Basic, sp.Expr], ...]
    stable: sp.Expr | None
    used: tuple[str, ...]
    why: str = ""


def training(d: Derivation) -> Training:
    """The gradient of ``d.loss`` in each param and its stable form (see the module docstring)."""
    from derive.codegen.rewrites import rewrite

    try:
        gradients = []
        for p in d.params:
            g = d.gradient_derivation(p if len(d.params) > 1 else None, "loss")
            gradients.append((g.wrt, g.gradient))
    except DeriveError as exc:
        return Training((), None, (), str(exc))
    stable, used = rewrite(d.loss, tuple(d.data))
    return Training(tuple(gradients), stable if used else None, used)


_REMEMBERED: dict[str, Training] = {}


def remember(name: str, forms: Training) -> None:
    _REMEMBERED[name] = forms


def training_of(d: Derivation) -> Training:
    """The remembered forms of ``d`` (computed now when the build did not)."""
    name = d.assumption.name
    if name not in _REMEMBERED:
        _REMEMBERED[name] = training(d)
    return _REMEMBERED[name]


#: A gradient wider than this many lines of the layout is named, not printed: a wide one is a
#: fraction, which does not break over lines (the truncated Gaussian's is a quotient of
#: exponentials and erf twice the page wide: correct, not readable).
MAX_LINES = 1


def _readable(ctx, d: Derivation, expr: sp.Expr, layout: Layout) -> bool:
    return layout.width is None or tex_width(ctx.latex(expr, d)) <= MAX_LINES * layout.width


def training_rows(ctx, d: Derivation, layout: Layout = ARTICLE):
    """The rows ``d ell / d theta = ...`` (one per param, when readable) and ``ell(theta) = <stable
    form>``."""
    forms = training_of(d)
    steps = [Step("gradient", g, "", lhs=rf"\frac{{\partial \ell}}{{\partial {ctx.latex(wrt, d)}}}")
             for wrt, g in forms.gradients if _readable(ctx, d, g, layout)]
    if forms.stable is not None:
        params = ", ".join(ctx.latex(p, d) for p in d.params)
        steps.append(Step("stable", forms.stable, "stable form: " + ", ".join(forms.used),
                          lhs=rf"\ell({params})"))
    return layout_rows(steps, ctx.printer(d), layout, params=d.params, config=ctx.config) if steps else []


def training_tex(ctx, d: Derivation, layout: Layout = ARTICLE, environment: str = "align*") -> str:
    """The rows as one display, or a sentence saying why there are none."""
    forms = training_of(d)
    if forms.why:
        return f"No gradient is derived here: {text_escape(forms.why)}."
    long = [ctx.latex(wrt, d) for wrt, g in forms.gradients if not _readable(ctx, d, g, layout)]
    said = (f"The gradient in ${', '.join(long)}$ is long in closed form; " r"\texttt{derive.gradient} gives it "
            "and the generated code evaluates it.") if long else ""
    rows = training_rows(ctx, d, layout)
    return "\n\n".join(p for p in (said, emit_align(rows, layout, environment=environment) if rows else "") if p)
