"""A mixture of K Gaussians: the mixture density network's loss.

    p(y) = sum_k w_k N(y; mu_k, sigma_k^2),   w_k > 0, sum_k w_k = 1

    gaussian_mixture         the weights w given: -log p(y) =
        -log sum_k exp(log w_k - log sigma_k - (y - mu_k)^2 / (2 sigma_k^2)) + log(2 pi)/2
    gaussian_mixture_logits  w = softmax(a), the network's logits a (the link is given: a
        mixture has no canonical link): -log p(y) =
        log sum_j e^(a_j) - log sum_k exp(a_k - log sigma_k - (y - mu_k)^2 / (2 sigma_k^2)) + log(2 pi)/2

a log-sum-exp over the components (the constant 1/sqrt(2 pi) is common to all of them and
comes out of the sum and its log, as for every density; so does the softmax's normaliser, free of k).
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.normal import NORMAL
from derive.entries import Assumption, Link, Reference, register

k, j, K = dsym.index("k"), dsym.index("j"), dsym.size("K")
w = dsym.indexed_base("w", dsym.UNIT)
mu = dsym.indexed_base("mu", dsym.REALS)
sigma = dsym.indexed_base("sigma", dsym.POSITIVE)
y = dsym.symbol("y", dsym.REALS)
a = dsym.indexed_base("a", dsym.REALS)
# the components' common factor 1/sqrt(2 pi) leaves the log of the sum in the pipeline
DENSITY = sp.Sum(w[k] * NORMAL.at(y, mu=mu[k], sigma=sigma[k]), (k, 1, K))

register(Assumption(
    name="gaussian_mixture",
    title="A mixture of K Gaussians (mixture density network)",
    statement=r"y \sim \sum_{k=1}^{K} w_k\, \mathcal{N}(\mu_k, \sigma_k^2)",
    words=r"The target comes from one of $K$ Gaussian components, component $k$ with probability $w_k$.",
    loss_name="Gaussian mixture NLL (log-sum-exp)",
    density=DENSITY,
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

register(Assumption(
    name="gaussian_mixture_logits",
    title="A mixture density network: the weights a softmax of logits",
    statement=r"y \sim \sum_{k=1}^{K} \operatorname{softmax}(a)_k\, \mathcal{N}(\mu_k, \sigma_k^2)",
    words=r"The target comes from one of $K$ Gaussian components, component $k$ with probability "
          r"$\operatorname{softmax}(a)_k$ of the network's logits $a$.",
    loss_name="MDN loss with logits (two log-sum-exps)",
    density=DENSITY,
    link=Link(w[k], a, sp.exp(a[k]) / sp.Sum(sp.exp(a[j]), (j, 1, K)), "softmax of the logits"),
    data=(y,), params=(a, mu, sigma),
    domains={y: dsym.REALS, w: dsym.UNIT, a: dsym.REALS, mu: dsym.REALS, sigma: dsym.POSITIVE},
    support=dsym.REALS,
    vector_index=(k, 1, K),
    references=(
        Reference(r"\log \sum_{j=1}^{K} e^{a_j} - \log \sum_{k=1}^{K} \exp\left(a_k - \log\sigma_k "
                  r"- \frac{(y - \mu_k)^2}{2\sigma_k^2}\right)", "loss",
                  label="log-sum-exp of the logits minus log-sum-exp of the components"),
        Reference(r"-\log \sum_{k=1}^{K} \exp\left(a_k - \log \sum_{j=1}^{K} e^{a_j} "
                  r"+ \log\left(\frac{1}{\sqrt{2\pi}\,\sigma_k}\exp\left(-\frac{(y - \mu_k)^2}{2\sigma_k^2}\right)\right)\right)",
                  "nll", label="minus the log-sum-exp of the log-softmax plus the log-density"),
    ),
    order=1310,
))
