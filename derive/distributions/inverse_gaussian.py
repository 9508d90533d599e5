"""The inverse Gaussian (Wald) distribution with a predicted mean.

    p(y; mu, lambda) = sqrt(lambda / (2 pi y^3)) exp(-lambda (y - mu)^2 / (2 mu^2 y)),   y > 0
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register
from derive.peers import SK, peer

y_pos = dsym.symbol("y", dsym.POSITIVE)
mu_pos = dsym.symbol("mu", dsym.POSITIVE)
lam_shape = dsym.symbol("lam", dsym.POSITIVE)
register(Assumption(
    name="inverse_gaussian",
    title="Inverse Gaussian targets with a predicted mean",
    statement=r"y \sim \operatorname{IG}(\mu, \lambda)",
    words=r"The positive target is inverse Gaussian with the predicted mean $\mu$ and fixed shape $\lambda$.",
    loss_name="inverse Gaussian NLL",
    density=sp.sqrt(lam_shape / (2 * sp.pi * y_pos**3))
    * sp.exp(-lam_shape * (y_pos - mu_pos) ** 2 / (2 * mu_pos**2 * y_pos)),
    data=(y_pos,), params=(mu_pos,), fixed=(lam_shape,),
    domains={y_pos: dsym.POSITIVE, mu_pos: dsym.POSITIVE, lam_shape: dsym.POSITIVE},
    support=dsym.POSITIVE,
    references=(Reference(r"\frac{(y - \mu)^2}{\mu^2 y}", "loss"),),
    saturated=((mu_pos, y_pos),),
    order=240,
))

peer("inverse_gaussian", SK + "mean_tweedie_deviance", "mean_tweedie_deviance([y], [mu], power=3)")(
    lambda s: 2 * (s["y"] ** -1 / 2 - s["y"] * s["mu"] ** -2 / -2 + s["mu"] ** -1 / -1))
