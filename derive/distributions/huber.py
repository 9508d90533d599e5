"""Huber noise: a density proportional to exp(-rho_delta(y - yhat)), Gaussian near the
prediction and Laplace beyond delta; the normaliser is derived by the engine.

    rho_delta(r) = r^2 / 2                  for |r| <= delta
                 = delta (|r| - delta / 2)  otherwise
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register
from derive.peers import TORCH, peer


def huber_function(r: sp.Expr, d: sp.Expr) -> sp.Expr:
    """Huber's rho: quadratic inside |r| <= d, linear outside, continuous with its slope."""
    return sp.Piecewise((r**2 / 2, sp.Abs(r) <= d), (d * (sp.Abs(r) - d / 2), True))


y, yhat = dsym.y, dsym.yhat
delta = dsym.symbol("delta", dsym.POSITIVE)
register(Assumption(
    name="huber",
    title="Huber noise: Gaussian centre, Laplace tails",
    statement=r"p(y) \propto \exp(-\rho_\delta(y - \hat{y}))",
    words=r"The density is proportional to $\exp(-\rho_\delta(y - \hat{y}))$, Gaussian near the prediction and Laplace beyond $\delta$.",
    loss_name="Huber loss",
    density=sp.exp(-huber_function(y - yhat, delta)),
    kernel=True,
    data=(y,), params=(yhat,), fixed=(delta,),
    domains={y: dsym.REALS, yhat: dsym.REALS, delta: dsym.POSITIVE},
    # Huber's loss without a cases environment: (1/2) min(|r|, delta)^2 + delta (|r| - min(|r|, delta)).
    references=(Reference(
        r"\frac{1}{2}\min(|y - \hat{y}|, \delta)^2 + \delta\left(|y - \hat{y}| - \min(|y - \hat{y}|, \delta)\right)",
        "loss", label="Huber loss"),),
    order=310,
))

peer("huber", TORCH + "huber_loss", "huber_loss(yhat, y, delta=delta)")(
    lambda s: huber_function(s["y"] - s["yhat"], s["delta"]))
peer("huber", TORCH + "smooth_l1_loss", "smooth_l1_loss(yhat, y, beta=delta)")(
    lambda s: sp.Piecewise(((s["y"] - s["yhat"]) ** 2 / (2 * s["delta"]), sp.Abs(s["y"] - s["yhat"]) <= s["delta"]),
                           (sp.Abs(s["y"] - s["yhat"]) - s["delta"] / 2, True)))
