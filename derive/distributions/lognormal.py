"""The log-normal distribution: log y is Normal (the Normal density of log y, times the
Jacobian 1/y).

    p(y; m, s) = N(log y; m, s^2) / y,   y > 0
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.normal import NORMAL
from derive.entries import Assumption, Reference, register
from derive.peers import TORCH, peer

y_pos = dsym.symbol("y", dsym.POSITIVE)
m = dsym.symbol("m", dsym.REALS)
s = dsym.symbol("s", dsym.POSITIVE)
register(Assumption(
    name="lognormal",
    title="Log-normal targets",
    statement=r"\log y \sim \mathcal{N}(m, s^2)",
    words=r"The log of the positive target is Gaussian around the prediction $m$ with fixed spread $s$.",
    loss_name="squared log error",
    density=NORMAL.at(sp.log(y_pos), mu=m, sigma=s) / y_pos,
    data=(y_pos,), params=(m,), fixed=(s,),
    domains={y_pos: dsym.POSITIVE, m: dsym.REALS, s: dsym.POSITIVE},
    support=dsym.POSITIVE,
    references=(Reference(r"(\log y - m)^2", "loss"),),
    order=250,
))

peer("lognormal", TORCH + "mse_loss", "mse_loss(m, log(y))")(lambda v: (v["m"] - sp.log(v["y"])) ** 2)
