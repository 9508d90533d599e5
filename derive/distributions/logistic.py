"""The logistic distribution, and the entry that parametrises it.

    p(x; mu, s) = e^(-(x - mu)/s) / (s (1 + e^(-(x - mu)/s))^2),   x real
                = sech^2((x - mu)/(2 s)) / (4 s)

    logistic   mu = yhat, s fixed   -> (y - yhat)/s + 2 log(1 + e^(-(y - yhat)/s)),
               i.e. 2 log cosh((y - yhat)/(2 s)) up to a constant

Its entropy log s + 2 and D_KL(Logistic || Normal) are derived from this density (the
Normal's cross-entropy needs only E[x^2] = mu^2 + s^2 pi^2/3), the expectations by the
substitution t = e^(-(x - mu)/s).  Within the family the KL has no closed form, so the
pair (logistic, logistic) is not registered.  torch has no logistic loss function nor a
``Logistic`` distribution; its documented construction, a uniform variable through the
inverse sigmoid and an affine map, is the framework peer.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register
from derive.peers import peer

LOGISTIC = register_family(Family(
    "logistic", "Logistic", (Param("mu", dsym.REALS), Param("s", dsym.POSITIVE)),
    r"\operatorname{{Logistic}}\left({mu}, {s}\right)",
    lambda x, v: sp.exp(-(x - v.mu) / v.s) / (v.s * (1 + sp.exp(-(x - v.mu) / v.s)) ** 2),
    lambda v: (-sp.oo, sp.oo),
    integrator="exp", kl=("normal",), kl_self=False, order=25))

y, yhat = dsym.y, dsym.yhat
s = dsym.symbol("s", dsym.POSITIVE)
register(LOGISTIC.parametrise(
    y, {"mu": yhat, "s": s},
    name="logistic",
    title="Logistic noise with fixed scale",
    statement=r"y \sim \operatorname{Logistic}(\hat{y}, s)",
    words=r"The target is the prediction plus logistic noise of fixed scale $s$: Gaussian-like centre, exponential tails.",
    loss_name="logistic NLL (log-cosh of the scaled residual)",
    data=(y,), params=(yhat,), fixed=(s,),
    domains={y: dsym.REALS, yhat: dsym.REALS, s: dsym.POSITIVE},
    references=(
        Reference(r"\frac{y - \hat{y}}{s} + 2\log\left(1 + e^{-(y - \hat{y})/s}\right)", "loss", mode="constant",
                  label="logistic NLL up to its constants"),
    ),
    order=305,
))


def _sigmoid(a: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-a))


# -log_prob of TransformedDistribution(Uniform(0, 1), [SigmoidTransform().inv, AffineTransform(yhat, s)]):
# the uniform's log-density 0 minus the log-Jacobian of y = yhat + s*logit(u) at u = sigmoid((y - yhat)/s)
peer("logistic", "torch.distributions.TransformedDistribution",
     "-TransformedDistribution(Uniform(0, 1), [SigmoidTransform().inv, AffineTransform(yhat, s)]).log_prob(y)",
     "torch has no logistic loss function: its documented construction of the distribution")(
    lambda v: sp.log(v["s"]) - sp.log(_sigmoid((v["y"] - v["yhat"]) / v["s"]))
    - sp.log(1 - _sigmoid((v["y"] - v["yhat"]) / v["s"])))
