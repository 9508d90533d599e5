"""One recorded step of a derivation or identity proof."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Step:
    """``lhs relation expr``, justified by ``note``.

    ``label`` names the step for code (``"neg_log"``); ``note`` is the short justification a
    reader sees; ``lhs`` is the LaTeX of the left side (``None``: continue the previous row);
    ``relation`` is the LaTeX relation (``=``, ``\\propto``, ``\\equiv``).  ``dropped`` lists
    the terms shown as constants under an underbrace in this row, if any.
    """

    label: str
    expr: sp.Basic
    note: str = ""
    lhs: str | None = None
    relation: str = "="
    dropped: tuple[sp.Expr, ...] = field(default_factory=tuple)


def tex(expr: sp.Basic) -> str:
    """The LaTeX of ``expr`` for a step's left side or note.  Steps carry LaTeX text, so
    this is the one place where the math core reaches the printer; it is imported here,
    when first called, so that the core does not depend on it at import time."""
    from derive.latex.render import latex

    return latex(expr)


def render(steps, params=()) -> str:
    """The steps as an ``align*`` block (the printer's ``render_steps``); see :func:`tex`."""
    from derive.latex.render import render_steps

    return render_steps(steps, params=params)
