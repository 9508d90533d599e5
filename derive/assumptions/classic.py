"""The three assumptions of the classic lesson: Gaussian -> MSE, Bernoulli -> BCE,
categorical -> CE."""

from __future__ import annotations

import sympy as sp

from derive import symbols as S
from derive.assumptions.base import Assumption, Reference, register
from derive.symbolic.constraints import ONE_HOT

y, yhat, sigma, k, K = S.y, S.yhat, S.sigma, S.k, S.K

register(Assumption(
    name="gaussian",
    title="Gaussian noise with fixed variance",
    statement=r"y \sim \mathcal{N}(\hat{y}, \sigma^2)",
    words=r"The target is the prediction plus Gaussian noise of fixed variance $\sigma^2$.",
    loss_name="mean squared error (MSE)",
    density=sp.exp(-(y - yhat) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2),
    data=(y,), params=(yhat,), fixed=(sigma,),
    domains={y: S.REALS, yhat: S.REALS, sigma: S.POSITIVE},
    support=S.REALS,
    references=(
        Reference(r"(y - \hat{y})^2", "loss", label="squared error"),
        Reference(r"\frac{1}{n}\sum_{i=1}^{n}(y_i - \hat{y}_i)^2", "dataset_loss", label="MSE"),
        Reference(r"\frac{(y - \hat{y})^2}{2\sigma^2} + \frac{1}{2}\log(2\pi\sigma^2)", "nll",
                  label="Gaussian NLL"),
        Reference(r"(y - \hat{y})^2", "nll", mode="affine", label="NLL is an affine map of the squared error"),
        Reference(r"(y - \hat{y})^2", "nll", mode="exact", expected=False,
                  label="NLL is not the squared error itself"),
    ),
    saturated=((yhat, y),),
))

_yhat_unit = S.symbol("yhat", S.UNIT)
_y_binary = S.symbol("y", S.REALS)
register(Assumption(
    name="bernoulli",
    title="Bernoulli labels",
    statement=r"y \sim \operatorname{Bernoulli}(\hat{y}),\quad y \in \{0, 1\}",
    words=r"The binary label is 1 with the predicted probability $\hat{y}$ and 0 otherwise.",
    loss_name="binary cross-entropy (BCE)",
    density=_yhat_unit**_y_binary * (1 - _yhat_unit) ** (1 - _y_binary),
    data=(_y_binary,), params=(_yhat_unit,),
    domains={_y_binary: sp.FiniteSet(0, 1), _yhat_unit: S.UNIT},
    support=sp.FiniteSet(0, 1),
    references=(
        Reference(r"-\left[y \log \hat{y} + (1-y)\log(1-\hat{y})\right]", "loss", label="BCE"),
        Reference(r"-\frac{1}{n}\sum_{i=1}^{n}\left[y_i\log\hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right]",
                  "dataset_loss", label="mean BCE"),
    ),
    saturated=((_yhat_unit, _y_binary),),
))

_yv = S.indexed_base("y", S.REALS)
_yhatv = S.indexed_base("yhat", S.UNIT)
register(Assumption(
    name="categorical",
    title="Categorical labels over K classes",
    statement=r"y \sim \operatorname{Categorical}(\hat{y}_1, \dots, \hat{y}_K),\quad y \text{ one-hot}",
    words=r"The one-hot label picks class $k$ with the predicted probability $\hat{y}_k$, and the $\hat{y}_k$ sum to 1.",
    loss_name="cross-entropy (CE)",
    density=sp.Product(_yhatv[k] ** _yv[k], (k, 1, K)),
    data=(_yv,), params=(_yhatv,),
    domains={_yv: sp.FiniteSet(0, 1), _yhatv: S.UNIT},
    support=ONE_HOT,
    vector_index=(k, 1, K),
    references=(
        Reference(r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", "loss", label="CE"),
        Reference(r"-\frac{1}{n}\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik}\log\hat{y}_{ik}", "dataset_loss",
                  label="mean CE"),
    ),
))
