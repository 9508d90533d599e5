"""The binomial distribution, and the entry that parametrises it.

    p(x; N, p) = C(N, x) p^x (1 - p)^(N - x),   x in {0, ..., N}

    binomial   p = yhat, N fixed   -> the BCE on the proportion y/N, times N
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register
from derive.peers import TORCH, TORCH_BCE_CLAMP, peer

BINOMIAL = register_family(Family(
    "binomial", "Binomial", (Param("N", sp.Range(1, sp.oo), shared=True), Param("p", dsym.UNIT)),
    r"\operatorname{{Bin}}\left({N}, {p}\right)",
    lambda x, s: sp.binomial(s.N, x) * s.p**x * (1 - s.p) ** (s.N - x),
    lambda s: (0, s.N), discrete=True, moments="score", order=80))

N = dsym.size("N")
y_successes = dsym.symbol("y", sp.Range(0, N + 1))
yhat_p = dsym.symbol("yhat", dsym.UNIT)
register(BINOMIAL.parametrise(
    y_successes, {"N": N, "p": yhat_p},
    name="binomial",
    title="Binomial successes out of N",
    statement=r"y \sim \operatorname{Binomial}(N, \hat{y})",
    words=r"The number of successes in $N$ trials, each a success with the predicted probability $\hat{y}$.",
    loss_name="binomial NLL (BCE on proportions, times N)",
    data=(y_successes,), params=(yhat_p,), fixed=(N,),
    domains={y_successes: sp.Range(0, N + 1), yhat_p: dsym.UNIT, N: sp.Range(1, sp.oo)},
    support=sp.Range(0, N + 1),
    references=(Reference(r"-\left(y \log \hat{y} + (N - y)\log(1 - \hat{y})\right)", "loss"),),
    saturated=((yhat_p, y_successes / N),),
    order=450,
))

peer("binomial", TORCH + "binary_cross_entropy", "binary_cross_entropy(yhat, y/N)",
     "the proportion y/N as target; " + TORCH_BCE_CLAMP)(
    lambda s: -(s["y"] / s["N"] * sp.log(s["yhat"]) + (1 - s["y"] / s["N"]) * sp.log(1 - s["yhat"])))
