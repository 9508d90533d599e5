"""Entropy, cross-entropy and KL divergence of finite distributions, exactly.

Mathematical details, for P, Q over the same finite outcomes x and a log base b:

    H(P)        = -sum_x P(x) log_b P(x)                      (0 log 0 = 0)
    H(P, Q)     = -sum_x P(x) log_b Q(x)                      (oo if Q(x) = 0 < P(x))
    D_KL(P||Q)  =  sum_x P(x) log_b (P(x) / Q(x))             (oo if Q(x) = 0 < P(x))

A distribution is a sequence or a mapping (outcome -> probability) of exact numbers:
ints, ``Fraction``, SymPy expressions (symbols allowed), strings such as ``"1/2"`` or
``"0.125"``.  A float is read as the decimal it prints as (``0.1`` -> 1/10): results stay
exact, and a float vector that does not sum to 1 in decimal is refused like any other.
Entries must be non-negative and sum to exactly 1 (a symbolic sum must simplify to 1).

Logs of rationals are written over primes (log 12 = 2 log 2 + log 3), so results are
canonical: the weather example gives exactly ``7/4`` bits, not ``log(8)/log(2) - ...``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from decimal import Decimal

import sympy as sp

from derive.errors import DistributionError

Dist = Mapping[object, object] | Iterable[object]

#: Names of the units of the usual bases.
UNITS = {sp.Integer(2): "bits", sp.E: "nats", sp.Integer(10): "hartleys"}


# --------------------------------------------------------------------------- input


def exact(value: object, where: str = "value") -> sp.Expr:
    """``value`` as an exact SymPy number (or expression); see the module docstring."""
    if isinstance(value, bool):
        raise DistributionError(f"{where}: {value!r} is a bool, not a probability")
    if isinstance(value, sp.Float):
        return sp.Rational(str(value))
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, numbers.Rational):  # int, Fraction, numpy integers
        return sp.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, (numbers.Real, Decimal)):  # float, numpy floats, Decimal
        if not math.isfinite(float(value)):
            raise DistributionError(f"{where}: {value!r} is not a finite number")
        return sp.Rational(str(value) if isinstance(value, Decimal) else repr(float(value)))
    if isinstance(value, str):
        try:
            return sp.Rational(value.strip())
        except (TypeError, ValueError):
            raise DistributionError(f"{where}: cannot read {value!r} as an exact number") from None
    raise DistributionError(f"{where}: {value!r} ({type(value).__name__}) is not a number")


def distribution(P: Dist, name: str = "P") -> tuple[tuple | None, tuple[sp.Expr, ...]]:
    """``(keys or None, probabilities)`` after checking that ``P`` is a distribution."""
    if isinstance(P, Mapping):
        keys: tuple | None = tuple(P)
        raw = [P[key] for key in keys]
    elif isinstance(P, (str, bytes)) or not isinstance(P, Iterable):
        raise DistributionError(f"{name} must be a sequence or a mapping of probabilities, got {P!r}")
    else:
        keys, raw = None, list(P)
    if not raw:
        raise DistributionError(f"{name} is empty")
    labels = keys if keys is not None else range(len(raw))
    values = tuple(exact(v, f"{name}[{label!r}]") for v, label in zip(raw, labels))
    for value, label in zip(values, labels):
        if value.is_negative or (value.is_extended_real is False):
            raise DistributionError(f"{name} has a negative or non-real entry {value} at {label!r}")
    total = sp.simplify(sp.Add(*values))
    if total != 1:
        if total.free_symbols:
            raise DistributionError(f"cannot verify that {name} sums to 1: its sum is {total}")
        raise DistributionError(f"{name} does not sum to 1: its sum is {total}")
    return keys, values


def paired(P: Dist, Q: Dist) -> tuple[tuple, tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
    """``(labels, p, q)``: both checked, over the same outcomes in ``P``'s order."""
    keys_p, p = distribution(P, "P")
    keys_q, q = distribution(Q, "Q")
    if (keys_p is None) != (keys_q is None):
        raise DistributionError("P and Q must both be sequences or both be mappings")
    if keys_p is None:
        if len(p) != len(q):
            raise DistributionError(f"P and Q have different lengths: {len(p)} and {len(q)}")
        return tuple(range(len(p))), p, q
    if set(keys_p) != set(keys_q):
        only_p = sorted(map(repr, set(keys_p) - set(keys_q)))
        only_q = sorted(map(repr, set(keys_q) - set(keys_p)))
        raise DistributionError(
            f"P and Q have different outcomes: only in P: {', '.join(only_p) or '-'}; "
            f"only in Q: {', '.join(only_q) or '-'}")
    by_key = dict(zip(keys_q, q))
    return keys_p, p, tuple(by_key[key] for key in keys_p)


def base_of(base: object) -> sp.Expr:
    """A valid log base: a positive number other than 1; ``"e"`` or ``E`` is Euler's number."""
    if base is sp.E or (isinstance(base, str) and base.strip().lower() == "e"):
        return sp.E
    b = exact(base, "base")
    if b.is_positive is not True or b == 1:
        raise DistributionError(f"the base of the logarithm must be a positive number other than 1, got {b}")
    return b


def log(value: sp.Expr) -> sp.Expr:
    """Natural log; a positive rational is written over its primes (log 12 = 2 log 2 + log 3)."""
    if value.is_Rational and value.is_positive:
        return sp.Add(*(e * sp.log(prime) for prime, e in sp.factorrat(value).items()))
    return sp.log(value)


# --------------------------------------------------------------------------- quantities


def _in_base(nats: sp.Expr, base: object) -> sp.Expr:
    """nats / log b: log b over its prime when b is a prime power (bits: / log 2), else log b
    as it is (base 10: / log 10)."""
    b = base_of(base)
    prime_power = b.is_Rational and len(sp.factorrat(b)) == 1
    return sp.expand(nats / (log(b) if prime_power else sp.log(b)))


def _surprisal_term(p: sp.Expr, q: sp.Expr) -> sp.Expr:
    """-p log q with 0 log 0 = 0 and oo where q = 0 < p."""
    if p.is_zero:
        return sp.S.Zero
    if q.is_zero:
        return sp.oo
    return -p * log(q)


def entropy(P: Dist, base: object = sp.E) -> sp.Expr:
    """H(P) = -sum_x P(x) log_b P(x), exactly; 0 log 0 = 0."""
    _, p = distribution(P, "P")
    return _in_base(sp.Add(*(_surprisal_term(pi, pi) for pi in p)), base)


def cross_entropy(P: Dist, Q: Dist, base: object = sp.E) -> sp.Expr:
    """H(P, Q) = -sum_x P(x) log_b Q(x), exactly; oo where Q(x) = 0 < P(x)."""
    _, p, q = paired(P, Q)
    return _in_base(sp.Add(*(_surprisal_term(pi, qi) for pi, qi in zip(p, q))), base)


def kl(P: Dist, Q: Dist, base: object = sp.E) -> sp.Expr:
    """D_KL(P || Q) = sum_x P(x) log_b (P(x)/Q(x)), exactly; oo where Q(x) = 0 < P(x)."""
    _, p, q = paired(P, Q)
    return _in_base(sp.Add(*(_surprisal_term(pi, qi) - _surprisal_term(pi, pi) for pi, qi in zip(p, q))),
                    base)


def code_lengths(P: Dist, base: object = 2):
    """Ideal code lengths -log_b P(x) (bits for b = 2), shaped like ``P``; oo for P(x) = 0.

    They are integers for a dyadic P (the weather example: 1, 2, 3, 3); a Shannon code
    rounds each up.  Their P-average is H(P)."""
    keys, p = distribution(P, "P")
    lengths = tuple(sp.oo if pi.is_zero else _in_base(-log(pi), base) for pi in p)
    return dict(zip(keys, lengths)) if keys is not None else lengths


def one_hot(cls: int, K: int, *, first: int) -> tuple[sp.Integer, ...]:
    """The one-hot distribution of class ``cls`` among ``K`` classes numbered from ``first``.

    ``first`` is required because the two conventions disagree: with ``yhat = (0.1, 0.7,
    0.2)``, "class 2" is 0.2 when classes are numbered from 0 (PyTorch's labels) and 0.7
    when numbered from 1.  ``cross_entropy(one_hot(c, K, first=f), yhat)`` is then the NLL
    -log yhat of the true class."""
    if first not in (0, 1):
        raise DistributionError(f"classes are numbered from 0 or from 1, got first={first!r}")
    if not (isinstance(cls, numbers.Integral) and first <= cls < K + first):
        raise DistributionError(f"class {cls!r} is not one of {first}..{K - 1 + first}")
    return tuple(sp.Integer(int(k == cls - first)) for k in range(K))


# --------------------------------------------------------------------------- CLI


def _vector(text: object, name: str) -> Dist:
    """``"1/2,1/4"`` -> ["1/2", "1/4"]; sequences and mappings pass through."""
    if isinstance(text, str):
        parts = [part.strip() for part in text.split(",")]
        if not all(parts):
            raise DistributionError(f"--{name}: empty entry in {text!r}")
        return parts
    return text


def unit(base: object) -> str:
    """``bits``, ``nats``, ``hartleys``, or ``log-base-b units``."""
    b = base_of(base)
    return UNITS.get(b, f"log-base-{b} units")


def info_command(kind: str, p: object, q: object = None, base: object = 2) -> str:
    """``derive info entropy|cross-entropy|kl --p ... [--q ...] --base b``: exact and decimal.

    >>> info_command("entropy", "1/2,1/4,1/8,1/8", base=2)
    '7/4 bits (1.75)'
    """
    kinds = {"entropy": entropy, "cross-entropy": cross_entropy, "kl": kl}
    if kind not in kinds:
        raise DistributionError(f"unknown quantity {kind!r}; known: {', '.join(kinds)}")
    if kind == "entropy":
        if q is not None:
            raise DistributionError("entropy takes only --p (got --q as well)")
        value = entropy(_vector(p, "p"), base)
    else:
        if q is None:
            raise DistributionError(f"{kind} needs both --p and --q")
        value = kinds[kind](_vector(p, "p"), _vector(q, "q"), base)
    decimal = "inf" if value == sp.oo else format(float(sp.N(value, 30)), ".15g")
    return f"{sp.sstr(value)} {unit(base)} ({decimal})"
