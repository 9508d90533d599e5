"""The exponential distribution, and the entry that parametrises it by its mean.

    p(x; lambda) = lambda e^(-lambda x),   x > 0   (lambda the rate, torch's ``rate``)

    exponential   lambda = 1/mu, mu the predicted mean   -> y/mu + log mu
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register
from derive.peers import SK_LOSS, peer

EXPONENTIAL = register_family(Family(
    "exponential", "Exponential", (Param("lambda", dsym.POSITIVE),),
    r"\operatorname{{Exp}}\left({lambda}\right)",
    lambda x, s: s.lambda_ * sp.exp(-s.lambda_ * x),
    lambda s: (0, sp.oo),
    kl=("gamma", "normal", "beta", "uniform"), order=30))

y_pos = dsym.symbol("y", dsym.POSITIVE)
mu_pos = dsym.symbol("mu", dsym.POSITIVE)
register(EXPONENTIAL.parametrise(
    y_pos, {"lambda": 1 / mu_pos},
    name="exponential",
    title="Exponential targets with a predicted mean",
    statement=r"y \sim \operatorname{Exponential}(\text{mean } \mu)",
    words=r"The positive target is exponentially distributed with the predicted mean $\mu$.",
    loss_name="exponential NLL",
    data=(y_pos,), params=(mu_pos,),
    domains={y_pos: dsym.POSITIVE, mu_pos: dsym.POSITIVE},
    support=dsym.POSITIVE,
    references=(Reference(r"\frac{y}{\mu} + \log \mu", "loss"),),
    saturated=((mu_pos, y_pos),),
    order=220,
))

peer("exponential", SK_LOSS + "HalfGammaLoss", "HalfGammaLoss().loss(y, log(mu))")(
    lambda s: sp.log(s["mu"]) + s["y"] * sp.exp(-sp.log(s["mu"])))
