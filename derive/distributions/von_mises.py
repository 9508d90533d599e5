"""The von Mises distribution on angles.

    p(y; mu, kappa) = exp(kappa cos(y - mu)) / (2 pi I_0(kappa)),   y in [-pi, pi]
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register
from derive.peers import TORCH, peer

mu = dsym.symbol("mu", dsym.REALS)
kappa = dsym.symbol("kappa", dsym.POSITIVE)
y_angle = dsym.symbol("y", sp.Interval(-sp.pi, sp.pi))
register(Assumption(
    name="von_mises",
    title="Von Mises noise on angles",
    statement=r"y \sim \operatorname{vM}(\mu, \kappa)",
    words=r"The angle is von Mises distributed around the predicted angle $\mu$ with concentration $\kappa$.",
    loss_name="cosine loss",
    density=sp.exp(kappa * sp.cos(y_angle - mu)) / (2 * sp.pi * sp.besseli(0, kappa)),
    data=(y_angle,), params=(mu,), fixed=(kappa,),
    domains={y_angle: sp.Interval(-sp.pi, sp.pi), mu: dsym.REALS, kappa: dsym.POSITIVE},
    support=sp.Interval(-sp.pi, sp.pi),
    references=(Reference(r"-\cos(y - \mu)", "loss", label="cosine loss, 1 - cos up to the constant 1"),
                Reference(r"1 - \cos(y - \mu)", "loss", mode="constant", label="cosine loss")),
    order=290,
))

peer("von_mises", TORCH + "cosine_similarity", "1 - cosine_similarity(u(mu), u(y))",
     "unit vectors u(a) = (cos a, sin a): their cosine similarity is cos(y - mu)")(
    lambda s: 1 - sp.cos(s["y"] - s["mu"]))
