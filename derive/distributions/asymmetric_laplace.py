"""The asymmetric Laplace distribution: quantile regression.

    p(y; q, tau, b) = tau (1 - tau) / b  exp(-max(tau (y - q), (tau - 1)(y - q)) / b),   y real
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register
from derive.peers import SK, SK_LOSS, peer

y = dsym.y
q = dsym.symbol("q", dsym.REALS)
tau = dsym.symbol("tau", dsym.UNIT)
b = dsym.symbol("b", dsym.POSITIVE)
register(Assumption(
    name="asymmetric_laplace",
    title="Asymmetric Laplace noise: quantile regression",
    statement=r"y \sim \operatorname{ALD}(q, \tau, b)",
    words=r"The target is asymmetric-Laplace around the predicted $\tau$-quantile $q$ with scale $b$.",
    loss_name="pinball (quantile) loss",
    density=tau * (1 - tau) / b * sp.exp(-sp.Max(tau * (y - q), (tau - 1) * (y - q)) / b),
    data=(y,), params=(q,), fixed=(tau, b),
    domains={y: dsym.REALS, q: dsym.REALS, tau: dsym.UNIT, b: dsym.POSITIVE},
    references=(Reference(r"\max(\tau (y - q), (\tau - 1)(y - q))", "loss", label="pinball loss"),),
    saturated=((q, y),),
    order=280,
))

peer("asymmetric_laplace", SK + "mean_pinball_loss", "mean_pinball_loss([y], [q], alpha=tau)")(
    lambda s: sp.Max(s["tau"] * (s["y"] - s["q"]), (s["tau"] - 1) * (s["y"] - s["q"])))
peer("asymmetric_laplace", SK_LOSS + "PinballLoss", "PinballLoss(quantile=tau).loss(y, q)")(
    lambda s: sp.Max(s["tau"] * (s["y"] - s["q"]), (s["tau"] - 1) * (s["y"] - s["q"])))
