"""Counts with extra zeros: zero-inflated and hurdle Poisson and negative binomial.

A count model f(y) (Poisson, NB2) reweighted at zero, with the indicator 1[y = 0]:

    zero-inflated  p(y) = omega 1[y = 0] + (1 - omega) f(y)
                        = f(y) (omega / f(0) + 1 - omega)^(1[y = 0]) (1 - omega)^(1 - 1[y = 0])
    hurdle         p(0) = omega,  p(y) = (1 - omega) f(y) / (1 - f(0)) for y >= 1
                        = f(y) (omega / f(0))^(1[y = 0]) ((1 - omega) / (1 - f(0)))^(1 - 1[y = 0])

(the two forms agree at y = 0 and at every y >= 1).  omega is the probability of the extra
zero (zero-inflated) or of a zero (hurdle).  The NLL is the count model's NLL plus the
log-weights: -1[y = 0] log(omega + (1 - omega) f(0)) at zero, -log(1 - omega) elsewhere.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions import negative_binomial as _nb_module  # noqa: F401  (registers the NB2 entry first)
from derive.distributions.poisson import POISSON
from derive.entries import Assumption, Reference, get, register

y = dsym.symbol("y", dsym.NONNEG_INT)
omega = dsym.symbol("omega", dsym.UNIT)
lam = dsym.symbol("lambda", dsym.POSITIVE)
mu = dsym.symbol("mu", dsym.POSITIVE)
alpha = dsym.symbol("alpha", dsym.POSITIVE)
ZERO = sp.Piecewise((1, sp.Eq(y, 0)), (0, True))  # 1[y = 0], as the LaTeX reader reads \mathbb{1}[y = 0]


def zero_inflated(f, at_zero: sp.Expr) -> sp.Expr:
    """p(y) = omega 1[y = 0] + (1 - omega) f(y), as a product with the indicator."""
    return f * (omega / at_zero + 1 - omega) ** ZERO * (1 - omega) ** (1 - ZERO)


def hurdle(f, at_zero: sp.Expr) -> sp.Expr:
    """p(0) = omega, p(y) = (1 - omega) f(y) / (1 - f(0)) for y >= 1."""
    return f * (omega / at_zero) ** ZERO * ((1 - omega) / (1 - at_zero)) ** (1 - ZERO)


def _nb(at: sp.Expr) -> sp.Expr:
    entry = get("negative_binomial")
    (y_nb,), (mu_nb,), (alpha_nb,) = entry.data, entry.params, entry.fixed
    return entry.density.xreplace({y_nb: at, mu_nb: mu, alpha_nb: alpha})


poisson_y, poisson_0 = POISSON.at(y, **{"lambda": lam}), POISSON.at(sp.S.Zero, **{"lambda": lam})
nb_y, nb_0 = _nb(y), _nb(sp.S.Zero)
IND = r"\mathbb{1}[y = 0]"
NOT = r"(1 - \mathbb{1}[y = 0])"
POISSON_DOMAINS = {y: dsym.NONNEG_INT, omega: dsym.UNIT, lam: dsym.POSITIVE}
NB_DOMAINS = {y: dsym.NONNEG_INT, omega: dsym.UNIT, mu: dsym.POSITIVE, alpha: dsym.POSITIVE}
NB_LOSS = r"\left(y + \frac{1}{\alpha}\right)\log(1 + \alpha\mu) - y\log(\alpha\mu)"

register(Assumption(
    name="zero_inflated_poisson",
    title="Zero-inflated Poisson counts",
    statement=r"y \sim \omega\,\delta_0 + (1 - \omega)\operatorname{Poisson}(\lambda)",
    words=r"With probability $\omega$ the count is a structural zero, otherwise Poisson with rate $\lambda$.",
    loss_name="zero-inflated Poisson NLL",
    density=zero_inflated(poisson_y, poisson_0),
    data=(y,), params=(omega, lam), domains=POISSON_DOMAINS, support=dsym.NONNEG_INT,
    references=(
        Reference(rf"-{IND}\log\left(\omega + (1 - \omega)e^{{-\lambda}}\right) - {NOT}\left(\log(1 - \omega) - \lambda + y\log\lambda\right)",
                  "loss", label="textbook zero-inflated Poisson NLL"),
        Reference(rf"-{IND}\log\left(\omega + (1 - \omega)e^{{-\lambda}}\right) - {NOT}\log(1 - \omega) + \lambda - y\log\lambda",
                  "loss", mode="exact", expected=False, label="the rate term is not paid at y = 0"),
    ),
    order=1000,
))

register(Assumption(
    name="hurdle_poisson",
    title="Hurdle Poisson counts",
    statement=r"P(y = 0) = \omega,\quad y \mid y > 0 \sim \operatorname{Poisson}(\lambda) \text{ truncated at } 0",
    words=r"A zero with probability $\omega$; otherwise a Poisson count conditioned to be positive.",
    loss_name="hurdle Poisson NLL",
    density=hurdle(poisson_y, poisson_0),
    data=(y,), params=(omega, lam), domains=POISSON_DOMAINS, support=dsym.NONNEG_INT,
    references=(
        Reference(rf"-{IND}\log\omega - {NOT}\left(\log(1 - \omega) + y\log\lambda - \lambda - \log\left(1 - e^{{-\lambda}}\right)\right)",
                  "loss", label="textbook hurdle Poisson NLL"),
    ),
    order=1010,
))

register(Assumption(
    name="zero_inflated_negative_binomial",
    title="Zero-inflated negative binomial (NB2) counts",
    statement=r"y \sim \omega\,\delta_0 + (1 - \omega)\operatorname{NB}(\mu, \alpha)",
    words=r"With probability $\omega$ a structural zero, otherwise NB2 with mean $\mu$ and variance $\mu + \alpha\mu^2$.",
    loss_name="zero-inflated negative binomial NLL",
    density=zero_inflated(nb_y, nb_0),
    groups=(alpha * mu,),
    data=(y,), params=(omega, mu), fixed=(alpha,), domains=NB_DOMAINS, support=dsym.NONNEG_INT,
    references=(
        Reference(rf"-{IND}\log\left(\omega + (1 - \omega)(1 + \alpha\mu)^{{-1/\alpha}}\right) - {NOT}\log(1 - \omega)"
                  rf" + {NOT}\left({NB_LOSS}\right)", "loss", label="textbook zero-inflated NB2 NLL"),
    ),
    order=1020,
))

register(Assumption(
    name="hurdle_negative_binomial",
    title="Hurdle negative binomial (NB2) counts",
    statement=r"P(y = 0) = \omega,\quad y \mid y > 0 \sim \operatorname{NB}(\mu, \alpha) \text{ truncated at } 0",
    words=r"A zero with probability $\omega$; otherwise an NB2 count conditioned to be positive.",
    loss_name="hurdle negative binomial NLL",
    density=hurdle(nb_y, nb_0),
    groups=(alpha * mu,),
    data=(y,), params=(omega, mu), fixed=(alpha,), domains=NB_DOMAINS, support=dsym.NONNEG_INT,
    references=(
        Reference(rf"-{IND}\log\omega - {NOT}\left(\log(1 - \omega) - \log\left(1 - (1 + \alpha\mu)^{{-1/\alpha}}\right)\right)"
                  rf" + {NOT}\left({NB_LOSS}\right)", "loss", label="textbook hurdle NB2 NLL"),
    ),
    order=1030,
))
