"""The continuous Bernoulli: the Bernoulli pmf read as a kernel on [0, 1] and normalised.

    p(y; yhat) = yhat^y (1 - yhat)^(1 - y) / Z(yhat),   y in [0, 1]

Z is derived by the engine (a kernel entry); it depends on yhat, so this is not the BCE.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.bernoulli import BERNOULLI
from derive.entries import Assumption, Reference, register

y_unit = dsym.symbol("y", sp.Interval(0, 1))
yhat_unit = dsym.symbol("yhat", dsym.UNIT)
register(Assumption(
    name="continuous_bernoulli",
    title="Continuous Bernoulli: BCE on soft targets, normalised",
    statement=r"y \sim \mathcal{CB}(\hat{y}),\quad y \in [0, 1]",
    words=r"The target in $[0, 1]$ has density proportional to $\hat{y}^y (1 - \hat{y})^{1-y}$, the BCE kernel, normalised.",
    loss_name="continuous-Bernoulli NLL (BCE plus log-normaliser)",
    density=BERNOULLI.at(y_unit, p=yhat_unit),
    kernel=True,
    data=(y_unit,), params=(yhat_unit,),
    domains={y_unit: sp.Interval(0, 1), yhat_unit: dsym.UNIT},
    support=sp.Interval(0, 1),
    references=(Reference(r"-\left[y \log \hat{y} + (1-y)\log(1-\hat{y})\right]", "loss", mode="affine",
                          expected=False, label="not the BCE: the normaliser depends on the prediction"),),
    order=340,
))
