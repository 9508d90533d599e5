"""A mixture of K Gaussians: the mixture density network's loss.

    p(y) = sum_k w_k N(y; mu_k, sigma_k^2),   w_k > 0, sum_k w_k = 1

    -log p(y) = -log sum_k exp(log w_k - log sigma_k - (y - mu_k)^2 / (2 sigma_k^2)) + log(2 pi)/2

a log-sum-exp over the components (the constant 1/sqrt(2 pi) is common to all of them and
comes out of the sum).  The weights are a probability vector (a softmax of logits in a
mixture density network).
"""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum

from derive import symbols as dsym
from derive.distributions.normal import NORMAL
from derive.entries import Assumption, Reference, register

k, K = dsym.index("k"), dsym.size("K")
w = dsym.indexed_base("w", dsym.UNIT)
mu = dsym.indexed_base("mu", dsym.REALS)
sigma = dsym.indexed_base("sigma", dsym.POSITIVE)
y = dsym.symbol("y", dsym.REALS)

register(Assumption(
    name="gaussian_mixture",
    title="A mixture of K Gaussians (mixture density network)",
    statement=r"y \sim \sum_{k=1}^{K} w_k\, \mathcal{N}(\mu_k, \sigma_k^2)",
    words=r"The target comes from one of $K$ Gaussian components, component $k$ with probability $w_k$.",
    loss_name="Gaussian mixture NLL (log-sum-exp)",
    # the components' common factor 1/sqrt(2 pi) moved out of the sum
    density=factor_sum(sp.Sum(w[k] * NORMAL.at(y, mu=mu[k], sigma=sigma[k]), (k, 1, K))),
    data=(y,), params=(w, mu, sigma),
    domains={y: dsym.REALS, w: dsym.UNIT, mu: dsym.REALS, sigma: dsym.POSITIVE},
    support=dsym.REALS,
    vector_index=(k, 1, K),
    references=(
        Reference(r"-\log \sum_{k=1}^{K} \exp\left(\log w_k - \log\sigma_k - \frac{(y - \mu_k)^2}{2\sigma_k^2}\right)",
                  "loss", label="log-sum-exp of the components"),
        Reference(r"-\log \sum_{k=1}^{K} \frac{w_k}{\sqrt{2\pi}\,\sigma_k}\exp\left(-\frac{(y - \mu_k)^2}{2\sigma_k^2}\right)",
                  "nll", label="minus the log of the mixture density"),
    ),
    order=1300,
))
