"""The Laplace distribution, and the entry that parametrises it.

    p(x; mu, b) = exp(-|x - mu| / b) / (2 b),   x real

    laplace   mu = yhat, b fixed   -> absolute error (MAE, L1)
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register
from derive.peers import SK, TORCH, peer

LAPLACE = register_family(Family(
    "laplace", "Laplace", (Param("mu", dsym.REALS), Param("b", dsym.POSITIVE)),
    r"\operatorname{{Laplace}}\left({mu}, {b}\right)",
    lambda x, s: sp.exp(-sp.Abs(x - s.mu) / s.b) / (2 * s.b),
    lambda s: (-sp.oo, sp.oo),
    kl=("normal", "beta", "exponential", "gamma", "uniform"), order=20))

y, yhat = dsym.y, dsym.yhat
b = dsym.symbol("b", dsym.POSITIVE)
register(LAPLACE.parametrise(
    y, {"mu": yhat, "b": b},
    name="laplace",
    title="Laplace noise with fixed scale",
    statement=r"y \sim \operatorname{Laplace}(\hat{y}, b)",
    words=r"The target is the prediction plus Laplace (double-exponential) noise of fixed scale $b$.",
    loss_name="mean absolute error (MAE, L1)",
    data=(y,), params=(yhat,), fixed=(b,),
    domains={y: dsym.REALS, yhat: dsym.REALS, b: dsym.POSITIVE},
    references=(Reference(r"|y - \hat{y}|", "loss", label="absolute error"),),
    saturated=((yhat, y),),
    order=210,
))

peer("laplace", TORCH + "l1_loss", "l1_loss(yhat, y)")(lambda s: sp.Abs(s["yhat"] - s["y"]))
peer("laplace", SK + "mean_absolute_error", "mean_absolute_error([y], [yhat])")(lambda s: sp.Abs(s["y"] - s["yhat"]))
