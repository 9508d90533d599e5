"""Right-censored survival times: exponential and Weibull, in the hazard form.

An observed time t with event indicator delta (1: the event was seen at t; 0: censored,
the event comes after t) contributes

    p(t, delta) = f(t)^delta S(t)^(1 - delta) = h(t)^delta S(t),   S(t) = int_t^oo f,  h = f / S

so that -log p = -delta log h(t) + H(t), with the cumulative hazard H = -log S:

    exponential  f(t) = lambda e^(-lambda t),               h = lambda,                 H = lambda t
    Weibull      f(t) = (k/lambda)(t/lambda)^(k-1) e^(-(t/lambda)^k),
                                                            h = (k/lambda)(t/lambda)^(k-1), H = (t/lambda)^k

(lambda the exponential's rate; the Weibull's scale lambda, predicted, and its shape k,
shared by the examples, as in SciPy's ``weibull_min(c=k, scale=lambda)``).  The survival functions are proved to be the tail
integrals of the densities in the tests.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.exponential import EXPONENTIAL
from derive.entries import Assumption, Reference, register

t = dsym.symbol("t", dsym.POSITIVE)
delta = dsym.symbol("delta", sp.FiniteSet(0, 1))
lam = dsym.symbol("lambda", dsym.POSITIVE)
k = dsym.symbol("k", dsym.POSITIVE)
EVENT = sp.FiniteSet(0, 1)


def weibull_density(x: sp.Expr) -> sp.Expr:
    """f(x; lambda, k) = (k/lambda)(x/lambda)^(k-1) exp(-(x/lambda)^k), x > 0."""
    return k / lam * (x / lam) ** (k - 1) * sp.exp(-((x / lam) ** k))


def weibull_survival(x: sp.Expr) -> sp.Expr:
    """S(x) = exp(-(x/lambda)^k)."""
    return sp.exp(-((x / lam) ** k))


def exponential_survival(x: sp.Expr) -> sp.Expr:
    """S(x) = exp(-lambda x)."""
    return sp.exp(-lam * x)


def censored(f: sp.Expr, survival: sp.Expr) -> sp.Expr:
    """The likelihood of (t, delta): the density where the event is seen, the survival where censored."""
    return f**delta * survival ** (1 - delta)


DOMAINS = {t: dsym.POSITIVE, delta: EVENT, lam: dsym.POSITIVE, k: dsym.POSITIVE}

register(Assumption(
    name="censored_exponential",
    title="Right-censored exponential survival times",
    statement=r"t \sim \operatorname{Exp}(\lambda),\ \text{right-censored}: (t, \delta)",
    words=r"A survival time with constant hazard $\lambda$; $\delta = 1$ when the event is seen at $t$, "
          r"$\delta = 0$ when it is censored (the event comes later).",
    loss_name="censored exponential NLL (hazard form)",
    density=censored(EXPONENTIAL.at(t, **{"lambda": lam}), exponential_survival(t)),
    data=(t, delta), params=(lam,), domains={t: dsym.POSITIVE, delta: EVENT, lam: dsym.POSITIVE},
    support=dsym.POSITIVE,
    references=(
        Reference(r"\lambda t - \delta\log\lambda", "loss", label="cumulative hazard minus delta log hazard"),
        Reference(r"\lambda t - \log\lambda", "loss", expected=False, label="not the uncensored exponential NLL"),
    ),
    order=1100,
))

register(Assumption(
    name="censored_weibull",
    title="Right-censored Weibull survival times",
    statement=r"t \sim \operatorname{Weibull}(\lambda, k),\ \text{right-censored}: (t, \delta)",
    words=r"A survival time with hazard $h(t) = \frac{k}{\lambda}(t/\lambda)^{k-1}$; $\delta$ marks an "
          r"observed event, $1 - \delta$ a censored time.",
    loss_name="censored Weibull NLL (hazard form)",
    density=censored(weibull_density(t), weibull_survival(t)),
    data=(t, delta), params=(lam,), fixed=(k,), domains=DOMAINS,
    support=dsym.POSITIVE,
    references=(
        Reference(r"-\delta\log\left(\frac{k}{\lambda}\left(\frac{t}{\lambda}\right)^{k-1}\right)"
                  r" + \left(\frac{t}{\lambda}\right)^{k}", "loss", mode="constant",
                  label="-delta log h(t) + H(t), up to terms free of lambda"),
        Reference(r"\delta k\log\lambda + \left(\frac{t}{\lambda}\right)^{k}", "loss", label="the scale's loss"),
    ),
    order=1110,
))
