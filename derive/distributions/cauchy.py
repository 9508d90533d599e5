"""The Cauchy (Lorentz) distribution.

    p(y; mu, gamma) = 1 / (pi gamma (1 + (y - mu)^2 / gamma^2)),   y real
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register

y = dsym.y
mu = dsym.symbol("mu", dsym.REALS)
gam = dsym.symbol("gamma", dsym.POSITIVE)
register(Assumption(
    name="cauchy",
    title="Cauchy noise",
    statement=r"y \sim \operatorname{Cauchy}(\mu, \gamma)",
    words=r"The target is the prediction plus Cauchy noise of scale $\gamma$.",
    loss_name="Cauchy (Lorentzian) loss",
    density=1 / (sp.pi * gam * (1 + (y - mu) ** 2 / gam**2)),
    data=(y,), params=(mu,), fixed=(gam,),
    domains={y: dsym.REALS, mu: dsym.REALS, gam: dsym.POSITIVE},
    references=(Reference(r"\log\left(1 + \frac{(y - \mu)^2}{\gamma^2}\right)", "loss"),),
    order=270,
))
