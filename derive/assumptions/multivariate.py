"""Vector-valued targets: independent coordinates and a full covariance."""

from __future__ import annotations

import sympy as sp

from derive import symbols as S
from derive.assumptions.base import Assumption, Reference, register

j = S.j
d = S.size("d")
sigma = S.sigma
y_vec = S.indexed_base("y", S.REALS)
yhat_vec = S.indexed_base("yhat", S.REALS)

register(Assumption(
    name="multivariate_gaussian",
    title="Isotropic Gaussian noise on a vector",
    statement=r"y \sim \mathcal{N}(\hat{y}, \sigma^2 I_d),\quad y \in \mathbb{R}^d",
    words=r"Each of the $d$ coordinates of the target is the prediction plus independent Gaussian noise of variance $\sigma^2$.",
    loss_name="sum of squared errors over the coordinates",
    density=sp.Product(sp.exp(-(y_vec[j] - yhat_vec[j]) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2),
                       (j, 1, d)),
    data=(y_vec,), params=(yhat_vec,), fixed=(sigma, d),
    domains={y_vec: S.REALS, yhat_vec: S.REALS, sigma: S.POSITIVE, d: sp.Range(1, sp.oo)},
    support=S.REALS,
    vector_index=(j, 1, d),
    references=(Reference(r"\sum_{j=1}^{d} (y_j - \hat{y}_j)^2", "loss", label="squared Euclidean error"),),
))
