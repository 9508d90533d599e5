"""Generalised Gaussian noise: a density proportional to exp(-|(y - mu)/alpha|^beta)
(Laplace at beta = 1, Gaussian at beta = 2); the normaliser is derived by the engine."""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register

y = dsym.y
mu = dsym.symbol("mu", dsym.REALS)
alpha = dsym.symbol("alpha", dsym.POSITIVE)
beta = dsym.symbol("beta", dsym.POSITIVE)
register(Assumption(
    name="generalized_gaussian",
    title="Generalised Gaussian noise",
    statement=r"p(y) \propto \exp\left(-\left|\frac{y - \mu}{\alpha}\right|^\beta\right)",
    words=r"The density is proportional to $\exp(-|(y - \mu)/\alpha|^\beta)$: Laplace at $\beta = 1$, Gaussian at $\beta = 2$.",
    loss_name="power loss (L-beta)",
    density=sp.exp(-sp.Abs((y - mu) / alpha) ** beta),
    kernel=True,
    data=(y,), params=(mu,), fixed=(alpha, beta),
    domains={y: dsym.REALS, mu: dsym.REALS, alpha: dsym.POSITIVE, beta: dsym.POSITIVE},
    references=(Reference(r"|y - \mu|^\beta", "loss"),),
    order=320,
))
