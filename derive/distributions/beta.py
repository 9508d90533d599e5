"""The Beta distribution, and the entry that parametrises it by mean and precision.

    p(x; alpha, beta) = Gamma(alpha + beta) / (Gamma(alpha) Gamma(beta))
                        x^(alpha - 1) (1 - x)^(beta - 1),   0 < x < 1

    beta   alpha = mu phi, beta = (1 - mu) phi: mu the predicted mean, phi a fixed
           precision (so alpha + beta = phi)   -> the beta-regression NLL
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register

BETA = register_family(Family(
    "beta", "Beta", (Param("alpha", dsym.POSITIVE), Param("beta", dsym.POSITIVE)),
    r"\operatorname{{Beta}}\left({alpha}, {beta}\right)",
    lambda x, s: sp.gamma(s.alpha + s.beta) / (sp.gamma(s.alpha) * sp.gamma(s.beta))
    * x ** (s.alpha - 1) * (1 - x) ** (s.beta - 1),
    lambda s: (0, 1), moments="score", integrator="meijerg",
    kl=("exponential", "gamma", "normal", "uniform"), order=50))

mu_unit = dsym.symbol("mu", dsym.UNIT)
phi = dsym.symbol("phi", dsym.POSITIVE)
y_open_unit = dsym.symbol("y", dsym.UNIT)
_entry = BETA.parametrise(
    y_open_unit, {"alpha": mu_unit * phi, "beta": (1 - mu_unit) * phi},
    name="beta",
    title="Beta regression: mean and precision",
    statement=r"y \sim \operatorname{Beta}(\mu\phi, (1 - \mu)\phi)",
    words=r"The target in $(0, 1)$ is Beta distributed with the predicted mean $\mu$ and fixed precision $\phi$.",
    loss_name="beta-regression NLL",
    data=(y_open_unit,), params=(mu_unit,), fixed=(phi,),
    domains={y_open_unit: dsym.UNIT, mu_unit: dsym.UNIT, phi: dsym.POSITIVE},
    support=dsym.UNIT,
    references=(Reference(
        r"\log\Gamma(\mu\phi) + \log\Gamma((1 - \mu)\phi) - \mu\phi\log y - (1 - \mu)\phi\log(1 - y)",
        "loss", mode="constant", label="beta-regression NLL up to a constant"),),
    order=330,
)
# Gamma(alpha + beta) = Gamma(mu phi + (1 - mu) phi) = Gamma(phi), as the textbook writes it
register(dataclasses.replace(_entry, density=_entry.density.xreplace(
    {sp.gamma(mu_unit * phi + (1 - mu_unit) * phi): sp.gamma(phi)})))
