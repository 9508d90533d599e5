"""Tweedie targets: only the variance function Var(y) = mu^p, 1 < p < 2, with a log link;
the quasi-likelihood Q = int_y^mu (y - t)/t^p dt stands for the log-likelihood."""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Link, Reference, register
from derive.peers import SK, SK_LOSS, peer

z = dsym.z
p_power = dsym.symbol("p", sp.Interval.open(1, 2))
mu_tweedie = dsym.symbol("mu", dsym.POSITIVE)
NONNEG = sp.Interval(0, sp.oo)  # Tweedie data with 1 < p < 2 include exact zeros
y_nonneg = dsym.symbol("y", NONNEG)
register(Assumption(
    name="tweedie",
    title="Tweedie targets with a log link (quasi-likelihood)",
    statement=r"\operatorname{Var}(y) \propto \mu^p,\ 1 < p < 2,\ \mu = e^{z}",
    words=r"The target's variance grows as the power $p$ of its mean $\mu = e^z$; only this variance function is assumed.",
    loss_name="Tweedie deviance loss",
    density=None,
    quasi=(mu_tweedie, mu_tweedie**p_power),
    link=Link(mu_tweedie, z, sp.exp(z), "log link"),
    data=(y_nonneg,), params=(z,), fixed=(p_power,),
    domains={y_nonneg: NONNEG, mu_tweedie: dsym.POSITIVE, z: dsym.REALS, p_power: sp.Interval.open(1, 2)},
    support=NONNEG,
    references=(Reference(r"\frac{e^{(2-p)z}}{2-p} - \frac{y\, e^{(1-p)z}}{1-p}", "loss"),),
    saturated=((mu_tweedie, y_nonneg),),
    order=350,
))

peer("tweedie", SK_LOSS + "HalfTweedieLoss", "HalfTweedieLoss(power=p).loss(y, z)")(
    lambda s: sp.exp(s["z"]) ** (2 - s["p"]) / (2 - s["p"]) - s["y"] * sp.exp(s["z"]) ** (1 - s["p"]) / (1 - s["p"]))
peer("tweedie", SK + "mean_tweedie_deviance", "mean_tweedie_deviance([y], [exp(z)], power=p)")(
    lambda s: 2 * (s["y"] ** (2 - s["p"]) / ((1 - s["p"]) * (2 - s["p"]))
                   - s["y"] * sp.exp(s["z"]) ** (1 - s["p"]) / (1 - s["p"])
                   + sp.exp(s["z"]) ** (2 - s["p"]) / (2 - s["p"])))
