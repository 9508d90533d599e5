"""Student's t distribution with location, scale and nu degrees of freedom.

    p(y; mu, s, nu) = Gamma((nu + 1)/2) / (Gamma(nu/2) sqrt(nu pi) s)
                      (1 + (y - mu)^2 / (nu s^2))^(-(nu + 1)/2),   y real
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register

y = dsym.y
mu = dsym.symbol("mu", dsym.REALS)
s = dsym.symbol("s", dsym.POSITIVE)
nu = dsym.symbol("nu", dsym.POSITIVE)
register(Assumption(
    name="student_t",
    title="Student-t noise",
    statement=r"y \sim t_\nu(\mu, s)",
    words=r"The target is the prediction plus heavy-tailed Student-$t$ noise with $\nu$ degrees of freedom and scale $s$.",
    loss_name="Student-t loss",
    density=sp.gamma((nu + 1) / 2) / (sp.gamma(nu / 2) * sp.sqrt(nu * sp.pi) * s)
    * (1 + (y - mu) ** 2 / (nu * s**2)) ** (-(nu + 1) / 2),
    data=(y,), params=(mu,), fixed=(nu, s),
    domains={y: dsym.REALS, mu: dsym.REALS, nu: dsym.POSITIVE, s: dsym.POSITIVE},
    references=(Reference(r"\log\left(1 + \frac{(y - \mu)^2}{\nu s^2}\right)", "loss"),),
    order=260,
))
