"""The shared symbols, their names and their domains.

Names follow SymPy's modifier rules so that printed LaTeX comes out right: ``yhat`` prints
as ``\\hat{y}``, ``sigma`` as ``\\sigma``.  A symbol carries its domain twice: as SymPy
assumptions (``positive=True``), which ``expand_log`` and ``sqrt(sigma**2)`` need, and as an
``Interval`` in :data:`DOMAINS`, which says more than SymPy can (a probability lies in (0, 1)).

Conventions: data ``y``; prediction ``yhat``; probability ``p``; logit ``z``; rate ``lambda``;
index ``i`` over ``n`` examples, ``k`` over ``K`` classes.
"""

from __future__ import annotations

import functools
import re

import sympy as sp
from sympy import Interval, S
from sympy.printing.repr import ReprPrinter

REALS = S.Reals
POSITIVE = Interval.open(0, sp.oo)
UNIT = Interval.open(0, 1)
NONNEG_INT = sp.Range(0, sp.oo)

#: Default domain by base name (the name with any ``_suffix`` removed): scale and rate
#: symbols are positive, probabilities lie in (0, 1), everything else is real.
DOMAINS: dict[str, sp.Set] = {
    **{name: POSITIVE for name in (
        "sigma", "b", "lambda", "lam", "kappa", "nu", "s", "var", "delta", "phi",
        "alpha", "beta", "gamma", "scale", "rate")},
    **{name: UNIT for name in ("p", "q", "eps", "tau", "P", "Q")},
}

_SUFFIX = re.compile(r"_.*$")


def base_name(name: str) -> str:
    """``sigma_1`` -> ``sigma``; ``yhat_c`` -> ``yhat``; ``p`` -> ``p``."""
    return _SUFFIX.sub("", name)


def default_domain(name: str) -> sp.Set:
    """The conventional domain of a symbol name (reals when nothing is known)."""
    return DOMAINS.get(name, DOMAINS.get(base_name(name), REALS))


def assumptions_for(domain: sp.Set) -> dict[str, bool]:
    """SymPy assumptions implied by a domain: the strongest of integer/positive/real."""
    if domain == NONNEG_INT or (isinstance(domain, sp.Range) and domain.inf >= 0):
        return {"integer": True, "nonnegative": True}
    if isinstance(domain, sp.Range):
        return {"integer": True}
    if domain.is_subset(POSITIVE):
        return {"positive": True}
    if domain.is_subset(Interval(0, sp.oo)):
        return {"nonnegative": True}
    return {"real": True}


def symbol(name: str, domain: sp.Set | None = None) -> sp.Symbol:
    """A symbol whose SymPy assumptions follow ``domain`` (default: :func:`default_domain`)."""
    return sp.Symbol(name, **assumptions_for(domain if domain is not None else default_domain(name)))


def indexed_base(name: str, domain: sp.Set | None = None) -> sp.IndexedBase:
    """An ``IndexedBase`` whose elements carry the assumptions of ``domain``."""
    return sp.IndexedBase(name, **assumptions_for(domain if domain is not None else default_domain(name)))


def index(name: str) -> sp.Symbol:
    """A summation index: a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


def size(name: str) -> sp.Symbol:
    """A size such as ``n`` or ``K``: a positive integer."""
    return sp.Symbol(name, integer=True, positive=True)


def domain_of(s: sp.Basic, domains: dict | None = None) -> sp.Set:
    """The domain of a Symbol or Indexed: the explicit entry in ``domains`` (keyed by the
    symbol, its base, or its name), else the SymPy assumptions it carries, else by name."""
    domains = domains or {}
    key_base = s.base if isinstance(s, sp.Indexed) else None
    for key in (s, key_base, getattr(s, "name", None), getattr(key_base, "name", None)):
        if key is not None and key in domains:
            return domains[key]
    probe = s
    if probe.is_integer:
        return sp.Range(1, sp.oo) if probe.is_positive else (NONNEG_INT if probe.is_nonnegative else S.Integers)
    name = str(key_base.label) if key_base is not None else getattr(s, "name", str(s))
    named = default_domain(name)
    if probe.is_positive:
        return named if named.is_subset(POSITIVE) else POSITIVE
    if probe.is_nonnegative:
        return Interval(0, sp.oo)
    return named


# The engine's symbols (shared by every assumption that uses them).
y = symbol("y")
yhat = symbol("yhat")
sigma = symbol("sigma")
p = symbol("p")
z = symbol("z")
i = index("i")
j = index("j")
k = index("k")
n = size("n")
K = size("K")


# --------------------------------------------------------------------------- serialising


def like(name: str, model: sp.Symbol | sp.IndexedBase) -> sp.Symbol:
    """A plain symbol ``name`` with the assumptions ``model`` was created with (not their
    closure: a symbol made from the closure is equal to the original but prints differently
    in ``srepr``, and SymPy's cache would then hand out either)."""
    label = model.label if isinstance(model, sp.IndexedBase) else model
    return sp.Symbol(name, **label._assumptions_orig)


class _CanonicalRepr(ReprPrinter):
    """``srepr`` in which a symbol's assumptions are the fewest, in a fixed order, whose
    closure is the symbol's (equal symbols print the same, however they were created)."""

    def _print_Symbol(self, expr):
        if expr.is_Dummy or not isinstance(expr, sp.Symbol):
            return super()._print_Symbol(expr)
        facts = _fewest_assumptions(frozenset(expr.assumptions0.items()))
        args = [self._print(expr.name)] + [f"{k}={v}" for k, v in facts]
        return "%s(%s)" % (type(expr).__name__, ", ".join(args))


_KEYS = ("commutative", "integer", "positive", "nonnegative", "negative", "nonpositive", "zero",
         "nonzero", "real", "extended_real", "finite", "complex", "rational", "irrational",
         "prime", "even", "odd", "imaginary", "hermitian", "extended_positive",
         "extended_nonnegative", "extended_negative", "extended_nonpositive", "infinite")


@functools.cache
def _fewest_assumptions(closure: frozenset) -> tuple[tuple[str, bool], ...]:
    target = dict(closure)
    chosen: dict[str, bool] = {}
    for key in (*_KEYS, *sorted(set(target) - set(_KEYS))):
        if key in target and sp.Symbol("t", **chosen).assumptions0.get(key) != target[key]:
            chosen[key] = target[key]
    if sp.Symbol("t", **chosen).assumptions0 != target:
        chosen = target
    return tuple(sorted(chosen.items()))


def srepr(expr: sp.Basic) -> str:
    """``sp.srepr`` with canonical symbol assumptions: the same for equal expressions."""
    return _CanonicalRepr().doprint(expr)


def describe(domain: sp.Set) -> str:
    """A domain as a reader writes it: ``(0, oo)``, ``[0, 1]``, ``the reals``, ``{0, 1}``."""
    if domain == S.Reals:
        return "the reals"
    if isinstance(domain, Interval):
        return "%s%s, %s%s" % ("(" if domain.left_open else "[", domain.inf, domain.sup,
                               ")" if domain.right_open else "]")
    if isinstance(domain, sp.Range) and domain.sup == sp.oo:
        return "the integers from %s" % domain.inf
    return str(domain)
