"""The Poisson distribution, and the entries that parametrise it.

    p(x; lambda) = lambda^x e^(-lambda) / x!,   x in {0, 1, 2, ...}

    poisson       lambda predicted                          -> Poisson NLL
    poisson_log   lambda = e^z, z the predicted log-rate     -> torch's poisson_nll_loss
                  (the canonical log link, derived from the pmf)
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Link, Reference, register
from derive.peers import SK_LOSS, TORCH, peer

POISSON = register_family(Family(
    "poisson", "Poisson", (Param("lambda", dsym.POSITIVE),),
    r"\operatorname{{Poisson}}\left({lambda}\right)",
    lambda x, s: s.lambda_**x * sp.exp(-s.lambda_) / sp.factorial(x),
    lambda s: (0, sp.oo), discrete=True, kl=("bernoulli", "binomial"), order=100))

y_count = dsym.symbol("y", dsym.NONNEG_INT)
lam = dsym.symbol("lambda", dsym.POSITIVE)
register(POISSON.parametrise(
    y_count, {"lambda": lam},
    name="poisson",
    title="Poisson counts with a predicted rate",
    statement=r"y \sim \operatorname{Poisson}(\lambda)",
    words=r"The count is Poisson distributed with the predicted rate $\lambda$.",
    loss_name="Poisson NLL",
    data=(y_count,), params=(lam,),
    domains={y_count: dsym.NONNEG_INT, lam: dsym.POSITIVE},
    support=dsym.NONNEG_INT,
    references=(Reference(r"\lambda - y \log \lambda", "loss"),),
    saturated=((lam, y_count),),
    order=430,
))

peer("poisson", TORCH + "poisson_nll_loss", "poisson_nll_loss(lambda, y, log_input=False, eps=0)",
     "eps = 0 (the default eps = 1e-8 is added inside the log)")(
    lambda s: s["lambda"] - s["y"] * sp.log(s["lambda"]))

z = dsym.z
register(POISSON.parametrise(
    y_count, {"lambda": lam},
    name="poisson_log",
    title="Poisson counts with a predicted log-rate",
    statement=r"y \sim \operatorname{Poisson}(e^{z})",
    words=r"The count is Poisson distributed with rate $e^z$: the model predicts the log-rate $z$.",
    loss_name="Poisson NLL on the log-rate (torch poisson_nll_loss)",
    link=Link(lam, z, None, "exp, the inverse of the canonical log link"),
    data=(y_count,), params=(z,),
    domains={y_count: dsym.NONNEG_INT, lam: dsym.POSITIVE, z: dsym.REALS},
    support=dsym.NONNEG_INT,
    references=(Reference(r"e^{z} - y z", "loss"),),
    saturated=((lam, y_count),),
    order=440,
))

peer("poisson_log", TORCH + "poisson_nll_loss", "poisson_nll_loss(z, y)")(lambda s: sp.exp(s["z"]) - s["y"] * s["z"])
peer("poisson_log", TORCH + "poisson_nll_loss", "poisson_nll_loss(z, y, full=True)",
     "Stirling's term is added only where y > 1")(
    lambda s: sp.exp(s["z"]) - s["y"] * s["z"]
    + sp.Piecewise((s["y"] * sp.log(s["y"]) - s["y"] + sp.log(2 * sp.pi * s["y"]) / 2, s["y"] > 1), (0, True)))
peer("poisson_log", SK_LOSS + "HalfPoissonLoss", "HalfPoissonLoss().loss(y, z)")(
    lambda s: sp.exp(s["z"]) - s["y"] * s["z"])
