"""The conjugate pairs of the catalogue, one :class:`~derive.models.conjugate.Pair` each.

    beta_bernoulli   theta ~ Beta(alpha, beta),  y_i ~ Bernoulli(theta)   -> Beta(k + alpha, n - k + beta)
    gamma_poisson    lambda ~ Gamma(alpha, beta), y_i ~ Poisson(lambda)   -> Gamma(alpha + s, beta + n)
    normal_normal    mu ~ N(mu_0, tau^2),  y_i ~ N(mu, sigma^2), sigma known -> N(precision-weighted mean, ...)

k = sum_i y_i (successes), s = sum_i y_i (total count), ybar n = sum_i y_i.  The
Dirichlet-Categorical pair (symbolic K) is :mod:`derive.models.dirichlet`.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import family
from derive.models.conjugate import Pair, i, n

theta = dsym.symbol("theta", dsym.UNIT)
alpha, beta = dsym.symbol("alpha", dsym.POSITIVE), dsym.symbol("beta", dsym.POSITIVE)
k = dsym.symbol("k", dsym.NONNEG_INT)
u, v = sp.symbols("u v", positive=True)

y01 = dsym.indexed_base("y", sp.FiniteSet(0, 1))
BETA_BERNOULLI = Pair(
    "beta_bernoulli", theta, "beta", {"alpha": alpha, "beta": beta},
    lambda y, t: family("bernoulli").at(y, p=t), y01, {sp.Sum(y01[i], (i, 1, n)): k},
    {theta: dsym.UNIT, alpha: dsym.POSITIVE, beta: dsym.POSITIVE},
    # interior mode: alpha' = 1 + u, beta' = 1 + v
    lambda post: {alpha: 1 + u - k, beta: 1 + v - (n - k)}, sp.S.Zero, sp.S.One)

lam = dsym.symbol("lambda", dsym.POSITIVE)
s = dsym.symbol("s", dsym.NONNEG_INT)
ycount = dsym.indexed_base("y", dsym.NONNEG_INT)
GAMMA_POISSON = Pair(
    "gamma_poisson", lam, "gamma", {"alpha": alpha, "beta": beta},
    lambda y, t: family("poisson").at(y, **{"lambda": t}), ycount, {sp.Sum(ycount[i], (i, 1, n)): s},
    {lam: dsym.POSITIVE, alpha: dsym.POSITIVE, beta: dsym.POSITIVE},
    lambda post: {alpha: 1 + u - s})

mu = dsym.symbol("mu", dsym.REALS)
mu0 = dsym.symbol("mu_0", dsym.REALS)
tau0 = dsym.symbol("tau_0", dsym.POSITIVE)
sigma = dsym.symbol("sigma", dsym.POSITIVE)
ybar = dsym.symbol("ybar", dsym.REALS)
yreal = dsym.indexed_base("y", dsym.REALS)
NORMAL_NORMAL = Pair(
    "normal_normal", mu, "normal", {"mu": mu0, "sigma": tau0},
    lambda y, t: family("normal").at(y, mu=t, sigma=sigma), yreal, {sp.Sum(yreal[i], (i, 1, n)): n * ybar},
    {mu: dsym.REALS, mu0: dsym.REALS, tau0: dsym.POSITIVE, sigma: dsym.POSITIVE},
    lambda post: {}, -sp.oo, sp.oo)

PAIRS = {p.name: p for p in (BETA_BERNOULLI, GAMMA_POISSON, NORMAL_NORMAL)}
