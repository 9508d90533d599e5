"""The answer of :func:`derive.equivalent`: a :class:`Verdict`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.modes import MODES, Mode

__all__ = ["MATRICES_WRITTEN_OUT", "MODES", "Mode", "Verdict", "format_point"]

MATRICES_WRITTEN_OUT = "matrices written out"


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`equivalent`.

    ``holds``: True, False, or None (undecided).  ``method``: the stage that decided
    (``"canonical"``, ``"simplify"``, ``"numeric"``) or ``"undecided: <why>"``.
    ``counterexample`` (False only): the point ``{name: value}`` (an Indexed element is named
    like ``"yhat[2]"``, a size like ``"n"``) with the values ``"a"`` and ``"b"`` there; in the
    constant and affine modes also ``"others"``, more points (params moved, the rest held) in
    the same form, and ``"reason"``.  ``numerical``: True was established by probing only.
    ``scale``, ``offset``: c and g of ``a == c*b + g`` (affine mode, proved symbolically).
    """

    holds: bool | None
    method: str
    mode: Mode = "exact"
    counterexample: dict[str, Any] | None = None
    numerical: bool = False
    scale: sp.Expr | None = None
    offset: sp.Expr | None = None

    def __bool__(self) -> bool:
        return self.holds is True

    def __str__(self) -> str:
        if self.holds is None:
            return f"{self.mode} equivalence {self.method}"
        how = "numerically (probing, not a proof)" if self.numerical else f"({self.method})"
        if self.method.startswith(MATRICES_WRITTEN_OUT):
            how = f"({self.method}; not a proof for every size)"
        text = f"{self.mode} equivalence {'holds' if self.holds else 'does not hold'} {how}"
        if self.scale is not None:
            text += f": a = ({self.scale})*b + ({self.offset})"
        if self.counterexample:
            text += "; counterexample " + format_point(self.counterexample)
        return text



def format_point(found: dict[str, Any]) -> str:
    def show(v: Any) -> str:
        return str(sp.Float(v, 8)) if isinstance(v, sp.Float) else str(v)

    where = ", ".join(f"{k}={show(v)}" for k, v in found.items() if k not in ("a", "b", "others", "reason"))
    text = (f"at {where}: " if where else "") + f"a={show(found['a'])}, b={show(found['b'])}"
    return text + (f" ({found['reason']})" if "reason" in found else "")
