"""The Bernoulli distribution, and the entries that parametrise it.

    p(x; p) = p^x (1 - p)^(1 - x),   x in {0, 1}

    bernoulli          p = yhat, a predicted probability   -> binary cross-entropy (BCE)
    bernoulli_logits   p = sigma(z), z the model's logit    -> BCE with logits (the
                       canonical link is derived from the pmf, not typed)

The continuous Bernoulli (:mod:`.continuous_bernoulli`) normalises this pmf on [0, 1].
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Link, Reference, register
from derive.peers import SK, SK_LOG_LOSS_CLIP, SK_LOSS, TORCH, TORCH_BCE_CLAMP, peer

UNIT = dsym.UNIT

BERNOULLI = register_family(Family(
    "bernoulli", "Bernoulli", (Param("p", UNIT),),
    r"\operatorname{{Bernoulli}}\left({p}\right)",
    lambda x, s: s.p**x * (1 - s.p) ** (1 - x),
    lambda s: (0, 1), discrete=True, kl=("poisson",), order=70))

y_binary = dsym.symbol("y", dsym.REALS)
yhat_unit = dsym.symbol("yhat", UNIT)
register(BERNOULLI.parametrise(
    y_binary, {"p": yhat_unit},
    name="bernoulli",
    title="Bernoulli labels",
    statement=r"y \sim \operatorname{Bernoulli}(\hat{y}),\quad y \in \{0, 1\}",
    words=r"The binary label is 1 with the predicted probability $\hat{y}$ and 0 otherwise.",
    loss_name="binary cross-entropy (BCE)",
    data=(y_binary,), params=(yhat_unit,),
    domains={y_binary: sp.FiniteSet(0, 1), yhat_unit: UNIT},
    support=sp.FiniteSet(0, 1),
    references=(
        Reference(r"-\left[y \log \hat{y} + (1-y)\log(1-\hat{y})\right]", "loss", label="BCE"),
        Reference(r"-\frac{1}{n}\sum_{i=1}^{n}\left[y_i\log\hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right]",
                  "dataset_loss", label="mean BCE"),
    ),
    saturated=((yhat_unit, y_binary),),
    order=110,
))

peer("bernoulli", TORCH + "binary_cross_entropy", "binary_cross_entropy(yhat, y)", TORCH_BCE_CLAMP)(
    lambda s: -(s["y"] * sp.log(s["yhat"]) + (1 - s["y"]) * sp.log(1 - s["yhat"])))
peer("bernoulli", SK + "log_loss", "log_loss([y], [yhat], labels=[0, 1])", SK_LOG_LOSS_CLIP)(
    lambda s: -(s["y"] * sp.log(s["yhat"]) + (1 - s["y"]) * sp.log(1 - s["yhat"])))

z = dsym.z
register(BERNOULLI.parametrise(
    y_binary, {"p": yhat_unit},
    name="bernoulli_logits",
    title="Bernoulli labels from a logit",
    statement=r"y \sim \operatorname{Bernoulli}(\sigma(z))",
    words=r"The binary label is 1 with probability $\sigma(z)$, the logistic function of the model's logit $z$.",
    loss_name="BCE with logits",
    link=Link(yhat_unit, z, None, "sigmoid, the inverse of the canonical logit link"),
    data=(y_binary,), params=(z,),
    domains={y_binary: sp.FiniteSet(0, 1), yhat_unit: UNIT, z: dsym.REALS},
    support=sp.FiniteSet(0, 1),
    references=(Reference(r"\log(1 + e^{z}) - y z", "loss", label="BCE with logits"),),
    saturated=((yhat_unit, y_binary),),
    order=400,
))

peer("bernoulli_logits", TORCH + "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(z, y)")(
    lambda s: sp.log(1 + sp.exp(s["z"])) - s["y"] * s["z"])
peer("bernoulli_logits", SK_LOSS + "HalfBinomialLoss", "HalfBinomialLoss().loss(y, z)")(
    lambda s: sp.log(1 + sp.exp(s["z"])) - s["y"] * s["z"])
