"""The hyperbolic secant distribution.

    p(y; yhat) = 1 / (pi cosh(y - yhat)),   y real
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register

y, yhat = dsym.y, dsym.yhat
register(Assumption(
    name="hyperbolic_secant",
    title="Hyperbolic secant noise",
    statement=r"y \sim \operatorname{HypSecant}(\hat{y})",
    words=r"The target is the prediction plus hyperbolic-secant noise, density $1/(\pi\cosh(y - \hat{y}))$.",
    loss_name="log-cosh loss",
    density=1 / (sp.pi * sp.cosh(y - yhat)),
    data=(y,), params=(yhat,),
    domains={y: dsym.REALS, yhat: dsym.REALS},
    references=(Reference(r"\log\cosh(y - \hat{y})", "loss"),),
    order=300,
))
