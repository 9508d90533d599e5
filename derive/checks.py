"""Each derivation against its hand-written references (LaTeX), with the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from derive.assumptions import Reference
from derive.engine import Derivation, derive
from derive.equivalence import Verdict, equivalent


@dataclass(frozen=True)
class Check:
    """One reference and the verdict of the equivalence check; ``ok`` when it is as expected."""

    reference: Reference
    verdict: Verdict

    @property
    def ok(self) -> bool:
        return self.verdict.holds is self.reference.expected


def check_derivation(d: Derivation) -> tuple[Check, ...]:
    """Every reference of ``d.assumption`` checked against the derived quantity it targets."""
    return tuple(
        Check(ref, equivalent(getattr(d, ref.target), ref.latex, params=d.params, mode=ref.mode))
        for ref in d.assumption.references
    )


KNOWN: dict[str, tuple[Check, ...]] = {}  #: checks already run (or read from derive build's cache)


def check(name: str) -> tuple[Check, ...]:
    """The checks of the registered assumption ``name`` (cached: derivations are pure)."""
    if name not in KNOWN:
        KNOWN[name] = check_derivation(derive(name))
    return KNOWN[name]


def remember(name: str, checks: tuple[Check, ...]) -> None:
    """Record the checks of ``name`` run elsewhere (a worker process, a cached build)."""
    KNOWN[name] = checks
