"""Relations as written (``=``, ``\\approx``, ``\\equiv``, ``:=``, ``\\propto``) and the parse result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

class Relation(sp.Equality):
    """``lhs <rel> rhs`` as written: an ``sp.Eq`` (never evaluated) with the relation kind."""

    __slots__ = ()
    kind: ClassVar[str] = "="  # type: ignore[assignment]

    def __new__(cls, lhs: sp.Basic, rhs: sp.Basic, **options: object) -> sp.Basic:
        options.setdefault("evaluate", False)
        return super().__new__(cls, lhs, rhs, **options)

    @property
    def negated(self) -> sp.Ne:
        """``Ne(lhs, rhs)`` (SymPy looks negations up by class, which misses subclasses)."""
        return sp.Ne(*self.args, evaluate=False)


class Equation(Relation):
    """``a = b``."""

    __slots__ = ()
    kind = "="


class Approx(Relation):
    """``a \\approx b``."""

    __slots__ = ()
    kind = "approx"


class Equiv(Relation):
    """``a \\equiv b``."""

    __slots__ = ()
    kind = "equiv"


class Define(Relation):
    """``a := b``, ``a \\coloneqq b``, ``a \\triangleq b``."""

    __slots__ = ()
    kind = "define"


class Propto(Relation):
    """``a \\propto b``."""

    __slots__ = ()
    kind = "propto"


#: Relation kind -> the class that carries it.
RELATIONS: dict[str, type[Relation]] = {c.kind: c for c in (Equation, Approx, Equiv, Define, Propto)}


@dataclass(frozen=True)
class Parsed:
    """A parse result: the SymPy expression and the notes on what was dropped or assumed."""

    expr: sp.Basic
    notes: tuple[str, ...] = ()
