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
