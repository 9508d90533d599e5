r"""The Normal observed through a window: censored at zero (Tobit), interval-censored, and
left-truncated.  Phi(x) = (1 + erf(x/sqrt(2)))/2 (as the LaTeX reader reads \Phi), and
1 - Phi(x) = Phi(-x).

    tobit               y = max(0, y*), y* ~ N(mu, sigma^2):
                        p(y) = Phi(-mu/sigma)^(1[y = 0]) N(y; mu, sigma^2)^(1 - 1[y = 0]),  y >= 0
    interval_censored   only l < y* < u is seen:  P = Phi((u - mu)/sigma) - Phi((l - mu)/sigma)
    truncated_gaussian  y* seen only above a:     p(y) = N(y; mu, sigma^2) / (1 - Phi((a - mu)/sigma)),  y > a
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.normal import NORMAL
from derive.entries import Assumption, Reference, register

mu = dsym.symbol("mu", dsym.REALS)
sigma = dsym.symbol("sigma", dsym.POSITIVE)


def cdf(x: sp.Expr) -> sp.Expr:
    """Phi(x) = (1 + erf(x / sqrt(2))) / 2."""
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def tail(x: sp.Expr) -> sp.Expr:
    """1 - Phi(x) = Phi(-x)."""
    return cdf(-x)


y0 = dsym.symbol("y", sp.Interval(0, sp.oo))
ZERO = sp.Piecewise((1, sp.Eq(y0, 0)), (0, True))  # 1[y = 0], as the LaTeX reader reads \mathbb{1}[y = 0]
register(Assumption(
    name="tobit",
    title="Tobit: a Gaussian censored at zero",
    statement=r"y = \max(0, y^*),\quad y^* \sim \mathcal{N}(\mu, \sigma^2)",
    words=r"A latent Gaussian $y^*$ is seen when positive; a zero means $y^* \le 0$, which has probability $\Phi(-\mu/\sigma)$.",
    loss_name="Tobit NLL",
    density=tail(mu / sigma) ** ZERO * NORMAL.at(y0, mu=mu, sigma=sigma) ** (1 - ZERO),
    data=(y0,), params=(mu,), fixed=(sigma,),
    domains={y0: sp.Interval(0, sp.oo), mu: dsym.REALS, sigma: dsym.POSITIVE},
    support=sp.Interval(0, sp.oo),
    references=(
        Reference(r"-\mathbb{1}[y = 0]\log\Phi\left(-\frac{\mu}{\sigma}\right)"
                  r" + (1 - \mathbb{1}[y = 0])\frac{(y - \mu)^2}{2\sigma^2}", "loss", label="Tobit NLL"),
    ),
    order=1200,
))

lo, hi = dsym.symbol("l", dsym.REALS), dsym.symbol("u", dsym.REALS)
register(Assumption(
    name="interval_censored_gaussian",
    title="An interval-censored Gaussian",
    statement=r"y^* \sim \mathcal{N}(\mu, \sigma^2),\ \text{seen only as } l < y^* < u",
    words=r"Only the interval $(l, u)$ that holds the Gaussian value is recorded.",
    loss_name="interval-censored Gaussian NLL",
    density=cdf((hi - mu) / sigma) - cdf((lo - mu) / sigma),
    data=(lo, hi), params=(mu,), fixed=(sigma,),
    domains={lo: dsym.REALS, hi: dsym.REALS, mu: dsym.REALS, sigma: dsym.POSITIVE},
    support=dsym.REALS,
    references=(
        Reference(r"-\log\left(\Phi\left(\frac{u - \mu}{\sigma}\right) - \Phi\left(\frac{l - \mu}{\sigma}\right)\right)",
                  "loss", label="minus the log of the interval's probability"),
    ),
    order=1210,
))

a = dsym.symbol("a", dsym.REALS)
ya = dsym.symbol("y", dsym.REALS)
register(Assumption(
    name="truncated_gaussian",
    title="A Gaussian left-truncated at a",
    statement=r"y \sim \mathcal{N}(\mu, \sigma^2) \mid y > a",
    words=r"A Gaussian observed only above the known threshold $a$: renormalised by $1 - \Phi((a - \mu)/\sigma)$.",
    loss_name="truncated Gaussian NLL",
    density=NORMAL.at(ya, mu=mu, sigma=sigma) / tail((a - mu) / sigma),
    data=(ya,), params=(mu,), fixed=(sigma, a),
    domains={ya: dsym.REALS, mu: dsym.REALS, sigma: dsym.POSITIVE, a: dsym.REALS},
    support=sp.Interval.open(a, sp.oo),
    references=(
        Reference(r"\frac{(y - \mu)^2}{2\sigma^2} + \log\left(1 - \Phi\left(\frac{a - \mu}{\sigma}\right)\right)", "loss",
                  label="squared error plus the log of the mass kept"),
    ),
    order=1220,
))
