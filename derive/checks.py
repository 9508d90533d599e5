"""Each derivation against its hand-written references (LaTeX), with the verdict.

A formula checked against an entry is read under the entry's declared domains (its data's
support included) and nothing else: a symbol the entry does not declare is real.  The entry's
symbols are matched by name and by how they print (``var`` prints as v, ``lam`` as
\\lambda: :data:`derive.latex.render.DISPLAY_NAMES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive import symbols as dsym
from derive.assumptions import Reference
from derive.engine import Derivation, derive
from derive.equivalence import Verdict, equivalent
from derive.equivalence.domains import Assume, read_assume
from derive.equivalence.inputs import read_inputs
from derive.latex.render import DISPLAY_NAMES


@dataclass(frozen=True)
class Check:
    """One reference and the verdict of the equivalence check.

    ``proved``: the expected equality was proved symbolically (or, expected False, refuted with
    a counterexample).  ``ok``: the verdict is as expected, or (expected True) the formulas
    agree numerically without a proof: ``status`` tells which (``"proved"``, ``"refuted"``,
    ``"checked numerically"``, ``"unexpected"``)."""

    reference: Reference
    verdict: Verdict

    @property
    def proved(self) -> bool:
        return self.verdict.holds is self.reference.expected

    @property
    def ok(self) -> bool:
        return self.proved or (self.reference.expected and self.verdict.numerical)

    @property
    def status(self) -> str:
        if self.proved:
            return "proved" if self.reference.expected else "refuted"
        return "checked numerically" if self.ok else "unexpected"


def entry_assumptions(d: Derivation) -> Assume:
    """The domains ``d``'s entry declares, by name; the data's support for data without one."""
    a = d.assumption
    domains: dict[str, sp.Set] = {}
    for key, domain in a.domains.items():
        if isinstance(domain, sp.Set):
            domains[_name(key)] = domain
    if isinstance(a.support, sp.Set) and a.vector_index is None:
        for datum in a.data:
            domains.setdefault(_name(datum), a.support)
    return Assume(domains, source=f"declared by {a.name}")


def _name(atom: Any) -> str:
    if isinstance(atom, sp.IndexedBase):
        return str(atom.label)
    return getattr(atom, "name", str(atom))


def _printed_names(d: Derivation) -> dict[str, str]:
    """{the name a reader writes: the entry's name}, e.g. {"v": "var", "lambda": "lam"}."""
    names = {}
    for atom in (*d.assumption.symbols, *d.assumption.domains):
        name = _name(atom)
        base = dsym.base_name(name)
        if base in DISPLAY_NAMES:
            names[DISPLAY_NAMES[base] + name[len(base):]] = name
    return names


def compare(d: Derivation, formula: Any, target: Any = "loss", mode: str = "exact",
            params: Any = "entry", assume: Any = None, timeout: float = 5.0) -> Verdict:
    """``formula`` (LaTeX or SymPy) against ``d``'s ``target`` (an attribute of ``d``, or an
    expression), under the entry's domains and ``assume`` (the caller's, for symbols the entry
    does not declare); ``params`` defaults to the entry's."""
    value = getattr(d, target) if isinstance(target, str) else target
    value, formula = read_inputs(value, formula)
    taken = {s.name for s in value.free_symbols if isinstance(s, sp.Symbol)}
    rename = {s: sp.Symbol(_printed_names(d)[s.name], **s._assumptions_orig)
              for s in formula.free_symbols if isinstance(s, sp.Symbol)
              and s.name in _printed_names(d) and s.name not in taken}
    formula = formula.xreplace(rename) if rename else formula
    declared = entry_assumptions(d)
    if assume is not None:
        declared = Assume({**read_assume(assume).domains, **declared.domains}, source=declared.source)
    return equivalent(value, formula, params=d.params if isinstance(params, str) and params == "entry" else params,
                      mode=mode, assume=declared, timeout=timeout)


def check_derivation(d: Derivation) -> tuple[Check, ...]:
    """Every reference of ``d.assumption`` checked against the derived quantity it targets."""
    return tuple(Check(ref, compare(d, ref.latex, ref.target, ref.mode)) for ref in d.assumption.references)


KNOWN: dict[str, tuple[Check, ...]] = {}  #: checks already run (or read from derive build's cache)


def check(name: str) -> tuple[Check, ...]:
    """The checks of the registered assumption ``name`` (cached: derivations are pure)."""
    if name not in KNOWN:
        KNOWN[name] = check_derivation(derive(name))
    return KNOWN[name]


def remember(name: str, checks: tuple[Check, ...]) -> None:
    """Record the checks of ``name`` run elsewhere (a worker process, a cached build)."""
    KNOWN[name] = checks
