"""The answer of :func:`derive.equivalent`: a :class:`Verdict`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.modes import MODES, Mode

__all__ = ["MATRICES_WRITTEN_OUT", "MODES", "Evidence", "Mode", "Verdict", "format_point"]

MATRICES_WRITTEN_OUT = "matrices written out"


#: Keys of a counterexample that are not variables: the two sides' values there, more points, why.
VALUE_A, VALUE_B = "value_a", "value_b"
NOT_VARIABLES = (VALUE_A, VALUE_B, "others", "reason")


@dataclass(frozen=True)
class Evidence:
    """What a numeric probe saw when it found no difference: ``points`` (both sides real and
    equal), ``ranges`` ((name, lowest, highest) per variable drawn), ``sizes`` (the values
    the sizes took), ``digits`` (working precision)."""

    points: int
    ranges: tuple[tuple[str, float, float], ...] = ()
    sizes: tuple[int, ...] = ()
    digits: int = 60

    def __str__(self) -> str:
        parts = [f"{name} from {_short(lo)} to {_short(hi)}" for name, lo, hi in self.ranges[:6]]
        if len(self.ranges) > 6:
            parts.append("...")
        where = f" ({', '.join(parts)})" if parts else ""
        return f"{self.points} points{where}, {self.digits} digits"


def _short(value: Any) -> str:
    return f"{float(value):.3g}" if isinstance(value, (float, sp.Float)) else str(value)


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`equivalent`.

    ``holds``: True only for a symbolic proof under ``assumptions``; False only with a
    counterexample re-evaluated exactly (or at 50 digits) at a rational point of the domain;
    None otherwise (undecided, or the sides agree numerically: then ``evidence`` says where).
    ``method``: the stage that decided (``"canonical"``, ``"simplify"``, ``"numeric"``, ``"exact
    difference"``, ``"equations"``) or ``"undecided: <why>"``.  ``counterexample`` (False
    only): the point ``{name: value}`` (an Indexed element named like ``"yhat[2]"``, a size like
    ``"n"``) with the values of a and b there under ``"value_a"``, ``"value_b"``; in the constant
    and affine modes also ``"others"``, more points (params moved, the rest held), and
    ``"reason"``.  ``assumptions``: every domain the verdict rests on, as text with its source.
    ``scale``, ``offset``: c and g of ``a == c*b + g`` (affine mode, proved symbolically).
    """

    holds: bool | None
    method: str
    mode: Mode = "exact"
    counterexample: dict[str, Any] | None = None
    scale: sp.Expr | None = None
    offset: sp.Expr | None = None
    assumptions: tuple[str, ...] = ()
    evidence: Evidence | None = None

    @property
    def numerical(self) -> bool:
        """The sides agreed at every probed point (not a proof: ``holds`` is None)."""
        return self.holds is None and self.evidence is not None

    @property
    def proved(self) -> bool:
        return self.holds is True

    def __bool__(self) -> bool:
        return self.holds is True

    def __str__(self) -> str:
        if self.numerical:
            text = f"{self.mode} equivalence not proved; checked numerically at {self.evidence} (no difference found)"
        elif self.holds is None:
            text = f"{self.mode} equivalence {self.method}"
        else:
            text = f"{self.mode} equivalence {'proved' if self.holds else 'refuted'} ({self.method})"
            if self.holds and self.method.startswith(MATRICES_WRITTEN_OUT):
                text = text[:-1] + "; proved at these sizes, not a proof for every size)"
        if self.scale is not None:
            text += f": a = ({self.scale})*b + ({self.offset})"
        if self.counterexample:
            text += "; counterexample " + format_point(self.counterexample)
        return text

    def __repr__(self) -> str:
        parts = [f"holds={self.holds}", f"method={self.method!r}", f"mode={self.mode!r}"]
        if self.counterexample:
            parts.append(f"counterexample={{{format_point(self.counterexample)}}}")
        if self.evidence is not None:
            parts.append(f"evidence={str(self.evidence)!r}")
        if self.scale is not None:
            parts.append(f"scale={self.scale}, offset={self.offset}")
        if self.assumptions:
            parts.append(f"assumptions={list(self.assumptions)}")
        return f"Verdict({', '.join(parts)})"


def show_value(v: Any) -> str:
    """A value for people: floats to 8 significant digits, huge exact integers shortened."""
    if isinstance(v, (sp.Float, float)):
        return str(sp.Float(v, 8))
    if isinstance(v, sp.Rational) and not v.is_Integer:
        return f"{float(v):.12g}"  # the point's values are decimals of at most 15 digits
    if isinstance(v, sp.Integer) and abs(v) > 10**40:
        return str(sp.Float(v, 8))
    if isinstance(v, sp.Expr) and v.is_number and not v.is_Float:
        text = str(v)
        return text if len(text) <= 40 else str(sp.Float(sp.N(v, 8), 8))
    return str(v)


def format_point(found: dict[str, Any]) -> str:
    """``at x=1.5, n=3: a=..., b=...`` (and the reason, if any)."""
    where = ", ".join(f"{k}={show_value(v)}" for k, v in found.items() if k not in NOT_VARIABLES)
    text = f"at {where}: " if where else ""
    if VALUE_A in found:
        text += f"a={show_value(found[VALUE_A])}, b={show_value(found[VALUE_B])}"
    return text + (f" ({found['reason']})" if "reason" in found else "")
