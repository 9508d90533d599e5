"""Generalised Gaussian noise: a density proportional to exp(-|(y - mu)/alpha|^beta)
(Laplace at beta = 1, Gaussian at beta = 2); the normaliser is derived by the engine."""

from __future__ import annotations

import sympy as sp

from derive import symbols as S
from derive.entries import Assumption, Reference, register

y = S.y
mu = S.symbol("mu", S.REALS)
alpha = S.symbol("alpha", S.POSITIVE)
beta = S.symbol("beta", S.POSITIVE)
register(Assumption(
    name="generalized_gaussian",
    title="Generalised Gaussian noise",
    statement=r"p(y) \propto \exp\left(-\left|\frac{y - \mu}{\alpha}\right|^\beta\right)",
    words=r"The density is proportional to $\exp(-|(y - \mu)/\alpha|^\beta)$: Laplace at $\beta = 1$, Gaussian at $\beta = 2$.",
    loss_name="power loss (L-beta)",
    density=sp.exp(-sp.Abs((y - mu) / alpha) ** beta),
    kernel=True,
    data=(y,), params=(mu,), fixed=(alpha, beta),
    domains={y: S.REALS, mu: S.REALS, alpha: S.POSITIVE, beta: S.POSITIVE},
    references=(Reference(r"|y - \mu|^\beta", "loss"),),
    order=320,
))
