"""The negative binomial (NB2): a Poisson whose rate is Gamma distributed.

    p(y; mu, alpha) = Gamma(y + 1/alpha) / (Gamma(1/alpha) y!)
                      (1/(1 + alpha mu))^(1/alpha) (alpha mu/(1 + alpha mu))^y,   y in {0, 1, ...}

with mean mu and variance mu + alpha mu^2; alpha mu is kept whole under the log.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register

y_count = dsym.symbol("y", dsym.NONNEG_INT)
mu = dsym.symbol("mu", dsym.POSITIVE)
alpha = dsym.symbol("alpha", dsym.POSITIVE)
register(Assumption(
    name="negative_binomial",
    title="Negative binomial (NB2) counts: overdispersed Poisson",
    statement=r"y \sim \operatorname{NB}(\mu, \alpha),\quad \operatorname{Var}(y) = \mu + \alpha\mu^2",
    words=r"The count has the predicted mean $\mu$ and variance $\mu + \alpha\mu^2$: a Poisson whose rate is Gamma distributed.",
    loss_name="negative binomial NLL",
    density=sp.gamma(y_count + 1 / alpha) / (sp.gamma(1 / alpha) * sp.factorial(y_count))
    * (1 / (1 + alpha * mu)) ** (1 / alpha) * (alpha * mu / (1 + alpha * mu)) ** y_count,
    groups=(alpha * mu,),
    data=(y_count,), params=(mu,), fixed=(alpha,),
    domains={y_count: dsym.NONNEG_INT, mu: dsym.POSITIVE, alpha: dsym.POSITIVE},
    support=dsym.NONNEG_INT,
    references=(Reference(r"\left(y + \frac{1}{\alpha}\right)\log(1 + \alpha\mu) - y \log(\alpha\mu)", "loss"),),
    order=470,
))
