"""Symmetric hyperbolic noise, whose NLL is the pseudo-Huber loss (XGBoost's
``reg:pseudohubererror``, ``huber_slope`` = delta).

    p(y; yhat, delta) = exp(-delta sqrt(delta^2 + (y - yhat)^2)) / (2 delta K_1(delta^2)),  y real

the hyperbolic distribution with alpha = delta, beta = 0 and scale delta (SciPy's
``genhyperbolic`` with p = 1, a = delta^2, b = 0, scale delta), normalised by
int exp(-a sqrt(d^2 + x^2)) dx = 2 d K_1(a d) at a = d = delta.  Its NLL is

    delta sqrt(delta^2 + r^2) + log(2 delta K_1(delta^2))
      = delta^2 (sqrt(1 + (r/delta)^2) - 1) + const,      r = y - yhat:

the pseudo-Huber loss exactly, up to a constant.  Dividing the positive delta, the loss is
the Charbonnier loss sqrt((y - yhat)^2 + delta^2) = (pseudo-Huber)/delta + delta: quadratic
(r^2/(2 delta)) near the prediction, linear (|r|) far from it, smooth everywhere -- unlike
Huber's loss (:mod:`derive.distributions.huber`), whose second derivative jumps at delta.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register

y, yhat = dsym.y, dsym.yhat
delta = dsym.symbol("delta", dsym.POSITIVE)
register(Assumption(
    name="pseudo_huber",
    title="Hyperbolic noise: the pseudo-Huber loss",
    statement=r"p(y \mid \hat{y}) = \frac{\exp\left(-\delta \sqrt{\delta^2 + (y - \hat{y})^2}\right)}{2 \delta K_1(\delta^2)}",
    words=r"The residual follows the symmetric hyperbolic distribution with $\alpha = \delta$ and scale $\delta$: "
          r"Gaussian near the prediction, Laplace far from it, smooth throughout.",
    loss_name="pseudo-Huber loss (Charbonnier)",
    density=sp.exp(-delta * sp.sqrt(delta**2 + (y - yhat) ** 2)) / (2 * delta * sp.besselk(1, delta**2)),
    data=(y,), params=(yhat,), fixed=(delta,),
    domains={y: dsym.REALS, yhat: dsym.REALS, delta: dsym.POSITIVE},
    references=(
        Reference(r"\delta \sqrt{\delta^2 + (y - \hat{y})^2} + \log\left(2 \delta K_1(\delta^2)\right)", "nll",
                  label="hyperbolic NLL"),
        Reference(r"\delta^2 \left(\sqrt{1 + \left(\frac{y - \hat{y}}{\delta}\right)^2} - 1\right)", "nll",
                  mode="constant", label="pseudo-Huber loss"),
        Reference(r"\sqrt{(y - \hat{y})^2 + \delta^2}", "loss", label="Charbonnier loss"),
        Reference(r"\delta^2 \left(\sqrt{1 + \left(\frac{y - \hat{y}}{\delta}\right)^2} - 1\right)", "loss",
                  mode="affine", label="pseudo-Huber loss"),
        Reference(r"\delta^2 \left(\sqrt{1 + \frac{(y - \hat{y})^2}{\delta}} - 1\right)", "loss", mode="affine",
                  expected=False, label="a misremembered pseudo-Huber loss, the squared residual over delta"),
    ),
    order=312,
))
