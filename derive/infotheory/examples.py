"""The two worked examples of the seed documents, computed exactly by :mod:`.finite`.

    weather     P = (1/2, 1/4, 1/8, 1/8), Q = (1/8, 1/4, 1/2, 1/8) over sunny, cloudy, rainy,
                snowy: H(P) = 7/4 bits, H(P, Q) = 5/2 bits, D_KL(P || Q) = 3/4 bits, and the
                optimal code lengths -log2 P = (1, 2, 3, 3) bits
    true class  yhat = (0.1, 0.7, 0.2) and true class 2, classes numbered from 0 as PyTorch
                numbers them: H(e_2, yhat) = -log 0.2 = log 5 = 1.609 nats (not -log 0.7)

Nothing here is typed in as a result: the values come out of ``entropy``,
``cross_entropy``, ``kl`` and ``code_lengths``; the documents and the JSON catalogue read
them from these objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from derive.infotheory.finite import code_lengths, cross_entropy, entropy, kl, one_hot, unit


@dataclass(frozen=True)
class Weather:
    """P (the true weather) and Q (a forecaster's belief) over four outcomes, in ``base``."""

    outcomes: tuple[str, ...]
    p: tuple[sp.Rational, ...]
    q: tuple[sp.Rational, ...]
    base: sp.Integer
    code_p: tuple[sp.Expr, ...]  # -log_b P(x): the optimal code lengths for P
    code_q: tuple[sp.Expr, ...]  # -log_b Q(x): the code lengths of a code built for Q
    entropy: sp.Expr
    cross_entropy: sp.Expr
    kl: sp.Expr

    @property
    def unit(self) -> str:
        return unit(self.base)


@dataclass(frozen=True)
class TrueClass:
    """A prediction ``yhat`` over classes numbered from ``first``, and the true class."""

    yhat: tuple[sp.Rational, ...]
    true_class: int
    first: int
    cost: sp.Expr  # H(one-hot, yhat) = -log yhat[true class], in nats
    confused: sp.Expr  # the cost read off the wrong numbering convention

    @property
    def picked(self) -> sp.Rational:
        return self.yhat[self.true_class - self.first]


@cache
def weather() -> Weather:
    outcomes = ("sunny", "cloudy", "rainy", "snowy")
    p = tuple(sp.Rational(1, d) for d in (2, 4, 8, 8))
    q = tuple(sp.Rational(1, d) for d in (8, 4, 2, 8))
    base = sp.Integer(2)
    return Weather(outcomes, p, q, base, tuple(code_lengths(p, base)), tuple(code_lengths(q, base)),
                   entropy(p, base), cross_entropy(p, q, base), kl(p, q, base))


@cache
def true_class() -> TrueClass:
    yhat = tuple(sp.Rational(n, 10) for n in (1, 7, 2))
    target, first = 2, 0
    cost = cross_entropy(one_hot(target, len(yhat), first=first), yhat)
    confused = cross_entropy(one_hot(target, len(yhat), first=1), yhat)
    return TrueClass(yhat, target, first, cost, confused)
