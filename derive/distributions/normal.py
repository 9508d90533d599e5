"""The Normal distribution, and the entries that parametrise it.

    p(x; mu, sigma) = exp(-(x - mu)^2 / (2 sigma^2)) / sqrt(2 pi sigma^2),   x real

    gaussian               mu = yhat, sigma fixed             -> squared error (MSE)
    gaussian_variance      mu and var = sigma^2 predicted     -> torch's gaussian_nll_loss
    multivariate_gaussian  d independent coordinates, one sigma -> sum of squared errors

``mvn_diag`` is the family of d independent Normal coordinates (torch's
``Independent(Normal)``): its entropy and KL are the Normal's, summed.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Assumption, Reference, register
from derive.peers import SK, SK_LOSS, TORCH, peer

REAL, POSITIVE = dsym.REALS, dsym.POSITIVE

NORMAL = register_family(Family(
    "normal", "Normal", (Param("mu", REAL), Param("sigma", POSITIVE)),
    r"\mathcal{{N}}\left({mu}, {sigma}^{{2}}\right)",
    lambda x, s: sp.exp(-(x - s.mu) ** 2 / (2 * s.sigma**2)) / sp.sqrt(2 * sp.pi * s.sigma**2),
    lambda s: (-sp.oo, sp.oo),
    kl=("laplace", "beta", "exponential", "gamma", "uniform"), order=10))

register_family(Family(
    "mvn_diag", "Multivariate Normal, diagonal covariance",
    (Param("mu", REAL, vector=True), Param("sigma", POSITIVE, vector=True)),
    r"\mathcal{{N}}\left({mu}, \operatorname{{diag}}({sigma}^{{2}})\right)",
    index=("j", "d"), coordinates="normal", order=120))

y, yhat, sigma = dsym.y, dsym.yhat, dsym.sigma

register(NORMAL.parametrise(
    y, {"mu": yhat, "sigma": sigma},
    name="gaussian",
    title="Gaussian noise with fixed variance",
    statement=r"y \sim \mathcal{N}(\hat{y}, \sigma^2)",
    words=r"The target is the prediction plus Gaussian noise of fixed variance $\sigma^2$.",
    loss_name="mean squared error (MSE)",
    data=(y,), params=(yhat,), fixed=(sigma,),
    domains={y: dsym.REALS, yhat: dsym.REALS, sigma: dsym.POSITIVE},
    support=dsym.REALS,
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
    order=100,
))

peer("gaussian", TORCH + "mse_loss", "mse_loss(yhat, y)")(lambda s: (s["yhat"] - s["y"]) ** 2)
peer("gaussian", SK + "mean_squared_error", "mean_squared_error([y], [yhat])")(lambda s: (s["y"] - s["yhat"]) ** 2)
peer("gaussian", SK_LOSS + "HalfSquaredError", "HalfSquaredError().loss(y, yhat)")(
    lambda s: (s["y"] - s["yhat"]) ** 2 / 2)

mu = dsym.symbol("mu", REAL)
var = dsym.symbol("var", POSITIVE)
register(NORMAL.parametrise(
    y, {"mu": mu, "sigma": sp.sqrt(var)},
    name="gaussian_variance",
    title="Gaussian noise with a learned variance",
    statement=r"y \sim \mathcal{N}(\mu, v)",
    words=r"The target is Gaussian around the predicted mean $\mu$ with a predicted variance $v$.",
    loss_name="Gaussian NLL (torch gaussian_nll_loss)",
    data=(y,), params=(mu, var),
    domains={y: REAL, mu: REAL, var: POSITIVE},
    support=REAL,
    keep_numeric_factor=True,  # torch's gaussian_nll_loss keeps the 1/2
    references=(
        Reference(r"\frac{1}{2}\left(\log \mathrm{var} + \frac{(y - \mu)^2}{\mathrm{var}}\right)", "loss",
                  label="Gaussian NLL without the constant"),
    ),
    saturated=((mu, y),),
    order=200,
))

peer("gaussian_variance", TORCH + "gaussian_nll_loss", "gaussian_nll_loss(mu, y, var)",
     "var >= eps (torch clamps the variance at eps = 1e-6)")(
    lambda s: (sp.log(s["var"]) + (s["mu"] - s["y"]) ** 2 / s["var"]) / 2)
peer("gaussian_variance", TORCH + "gaussian_nll_loss", "gaussian_nll_loss(mu, y, var, full=True)",
     "var >= eps (torch clamps the variance at eps = 1e-6)")(
    lambda s: (sp.log(s["var"]) + (s["mu"] - s["y"]) ** 2 / s["var"]) / 2 + sp.log(2 * sp.pi) / 2)

j = dsym.j
d = dsym.size("d")
y_vec = dsym.indexed_base("y", dsym.REALS)
yhat_vec = dsym.indexed_base("yhat", dsym.REALS)
register(Assumption(
    name="multivariate_gaussian",
    title="Isotropic Gaussian noise on a vector",
    statement=r"y \sim \mathcal{N}(\hat{y}, \sigma^2 I_d),\quad y \in \mathbb{R}^d",
    words=r"Each of the $d$ coordinates of the target is the prediction plus independent Gaussian noise of variance $\sigma^2$.",
    loss_name="sum of squared errors over the coordinates",
    density=sp.Product(NORMAL.at(y_vec[j], mu=yhat_vec[j], sigma=sigma), (j, 1, d)),
    data=(y_vec,), params=(yhat_vec,), fixed=(sigma, d),
    domains={y_vec: dsym.REALS, yhat_vec: dsym.REALS, sigma: dsym.POSITIVE, d: sp.Range(1, sp.oo)},
    support=dsym.REALS,
    vector_index=(j, 1, d),
    references=(Reference(r"\sum_{j=1}^{d} (y_j - \hat{y}_j)^2", "loss", label="squared Euclidean error"),),
    order=500,
))

peer("multivariate_gaussian", TORCH + "mse_loss", "mse_loss(yhat, y, reduction='sum')", "one example, d coordinates")(
    lambda s: sp.Sum((s["yhat"][s["j"]] - s["y"][s["j"]]) ** 2, (s["j"], 1, s["d"])))
