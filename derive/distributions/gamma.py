"""The Gamma distribution, and the entry that parametrises it by shape and mean.

    p(x; alpha, beta) = beta^alpha x^(alpha - 1) e^(-beta x) / Gamma(alpha),   x > 0
                        (alpha the shape, beta the rate: torch's ``concentration, rate``)

    gamma   alpha = k fixed, beta = k/mu, mu the predicted mean   -> y/mu + log mu
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register
from derive.peers import SK, SK_LOSS, peer

GAMMA = register_family(Family(
    "gamma", "Gamma", (Param("alpha", dsym.POSITIVE), Param("beta", dsym.POSITIVE)),
    r"\operatorname{{Gamma}}\left({alpha}, {beta}\right)",
    lambda x, s: s.beta**s.alpha * x ** (s.alpha - 1) * sp.exp(-s.beta * x) / sp.gamma(s.alpha),
    lambda s: (0, sp.oo),
    kl=("exponential", "normal", "beta", "uniform"), order=40))

y_pos = dsym.symbol("y", dsym.POSITIVE)
mu_pos = dsym.symbol("mu", dsym.POSITIVE)
k_shape = dsym.symbol("k", dsym.POSITIVE)
register(GAMMA.parametrise(
    y_pos, {"alpha": k_shape, "beta": k_shape / mu_pos},
    name="gamma",
    title="Gamma targets with a predicted mean and fixed shape",
    statement=r"y \sim \operatorname{Gamma}(k, \text{mean } \mu)",
    words=r"The positive target is Gamma distributed with fixed shape $k$ and the predicted mean $\mu$.",
    loss_name="Gamma NLL (Gamma deviance up to constants)",
    data=(y_pos,), params=(mu_pos,), fixed=(k_shape,),
    domains={y_pos: dsym.POSITIVE, mu_pos: dsym.POSITIVE, k_shape: dsym.POSITIVE},
    support=dsym.POSITIVE,
    references=(Reference(r"\frac{y}{\mu} + \log \mu", "loss"),),
    saturated=((mu_pos, y_pos),),
    order=230,
))

peer("gamma", SK_LOSS + "HalfGammaLoss", "HalfGammaLoss().loss(y, log(mu))")(
    lambda s: sp.log(s["mu"]) + s["y"] * sp.exp(-sp.log(s["mu"])))
peer("gamma", SK + "mean_gamma_deviance", "mean_gamma_deviance([y], [mu])")(
    lambda s: 2 * (sp.log(s["mu"] / s["y"]) + s["y"] / s["mu"] - 1))
