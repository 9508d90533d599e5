"""Discrete noise models: labels, counts, classes.

Each entry is a closed-form pmf of our own; a model that outputs logits or a log-rate
states the pmf in the distribution's own parameter and a :class:`Link` to the output (the
canonical link is derived by the engine, not typed here).
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as S
from derive.assumptions.base import Assumption, Link, Reference, register
from derive.symbolic.constraints import COUNT_VECTOR, ONE_HOT

POS, REAL, UNIT, COUNTS = S.POSITIVE, S.REALS, S.UNIT, S.NONNEG_INT
k, K, j = S.k, S.K, S.j
z = S.z

y_binary = S.symbol("y", REAL)
p_mean = S.symbol("yhat", UNIT)
register(Assumption(
    name="bernoulli_logits",
    title="Bernoulli labels from a logit",
    statement=r"y \sim \operatorname{Bernoulli}(\sigma(z))",
    words=r"The binary label is 1 with probability $\sigma(z)$, the logistic function of the model's logit $z$.",
    loss_name="BCE with logits",
    density=p_mean**y_binary * (1 - p_mean) ** (1 - y_binary),
    link=Link(p_mean, z, None, "sigmoid, the inverse of the canonical logit link"),
    data=(y_binary,), params=(z,),
    domains={y_binary: sp.FiniteSet(0, 1), p_mean: UNIT, z: REAL},
    support=sp.FiniteSet(0, 1),
    references=(Reference(r"\log(1 + e^{z}) - y z", "loss", label="BCE with logits"),),
    saturated=((p_mean, y_binary),),
))

y_vec = S.indexed_base("y", REAL)
yhat_vec = S.indexed_base("yhat", UNIT)
z_vec = S.indexed_base("z", REAL)
register(Assumption(
    name="categorical_logits",
    title="Categorical labels from logits",
    statement=r"y \sim \operatorname{Categorical}(\operatorname{softmax}(z)),\quad y \text{ one-hot}",
    words=r"The one-hot label picks class $k$ with probability $\operatorname{softmax}(z)_k$ of the model's logits.",
    loss_name="cross-entropy with logits (log-sum-exp)",
    density=sp.Product(yhat_vec[k] ** y_vec[k], (k, 1, K)),
    link=Link(yhat_vec[k], z_vec, None, "softmax, the inverse of the canonical link"),
    data=(y_vec,), params=(z_vec,),
    domains={y_vec: sp.FiniteSet(0, 1), yhat_vec: UNIT, z_vec: REAL},
    support=ONE_HOT,
    vector_index=(k, 1, K),
    references=(Reference(r"\log \sum_{j=1}^{K} e^{z_j} - \sum_{k=1}^{K} y_k z_k", "loss",
                          label="log-sum-exp minus the true logit"),),
))

eps = S.symbol("eps", UNIT)
register(Assumption(
    name="categorical_smoothed",
    title="Categorical labels with label smoothing",
    statement=r"y' \sim (1 - \epsilon)\, y + \tfrac{\epsilon}{K},\quad y' \sim \operatorname{Categorical}(\hat{y})",
    words=r"The one-hot label is smoothed to $(1-\epsilon) y + \epsilon/K$ and the model's NLL is averaged over it.",
    loss_name="cross-entropy with label smoothing",
    density=sp.Product(yhat_vec[k] ** y_vec[k], (k, 1, K)),
    expected_data=((y_vec[k], (1 - eps) * y_vec[k] + eps / K),),
    data=(y_vec,), params=(yhat_vec,), fixed=(eps,),
    domains={y_vec: sp.FiniteSet(0, 1), yhat_vec: UNIT, eps: UNIT},
    support=ONE_HOT,
    vector_index=(k, 1, K),
    references=(Reference(
        r"-\sum_{k=1}^{K} \left((1 - \mathrm{eps}) y_k + \frac{\mathrm{eps}}{K}\right) \log \hat{y}_k", "loss",
        label="cross-entropy with the smoothed target"),),
))

y_count = S.symbol("y", COUNTS)
lam = S.symbol("lambda", POS)
register(Assumption(
    name="poisson",
    title="Poisson counts with a predicted rate",
    statement=r"y \sim \operatorname{Poisson}(\lambda)",
    words=r"The count is Poisson distributed with the predicted rate $\lambda$.",
    loss_name="Poisson NLL",
    density=lam**y_count * sp.exp(-lam) / sp.factorial(y_count),
    data=(y_count,), params=(lam,),
    domains={y_count: COUNTS, lam: POS},
    support=COUNTS,
    references=(Reference(r"\lambda - y \log \lambda", "loss"),),
    saturated=((lam, y_count),),
))

register(Assumption(
    name="poisson_log",
    title="Poisson counts with a predicted log-rate",
    statement=r"y \sim \operatorname{Poisson}(e^{z})",
    words=r"The count is Poisson distributed with rate $e^z$: the model predicts the log-rate $z$.",
    loss_name="Poisson NLL on the log-rate (torch poisson_nll_loss)",
    density=lam**y_count * sp.exp(-lam) / sp.factorial(y_count),
    link=Link(lam, z, None, "exp, the inverse of the canonical log link"),
    data=(y_count,), params=(z,),
    domains={y_count: COUNTS, lam: POS, z: REAL},
    support=COUNTS,
    references=(Reference(r"e^{z} - y z", "loss"),),
    saturated=((lam, y_count),),
))

N = S.size("N")
y_successes = S.symbol("y", sp.Range(0, N + 1))
yhat_p = S.symbol("yhat", UNIT)
register(Assumption(
    name="binomial",
    title="Binomial successes out of N",
    statement=r"y \sim \operatorname{Binomial}(N, \hat{y})",
    words=r"The number of successes in $N$ trials, each a success with the predicted probability $\hat{y}$.",
    loss_name="binomial NLL (BCE on proportions, times N)",
    density=sp.binomial(N, y_successes) * yhat_p**y_successes * (1 - yhat_p) ** (N - y_successes),
    data=(y_successes,), params=(yhat_p,), fixed=(N,),
    domains={y_successes: sp.Range(0, N + 1), yhat_p: UNIT, N: sp.Range(1, sp.oo)},
    support=sp.Range(0, N + 1),
    references=(Reference(r"-\left(y \log \hat{y} + (N - y)\log(1 - \hat{y})\right)", "loss"),),
    saturated=((yhat_p, y_successes / N),),
))

p = S.symbol("p", UNIT)
register(Assumption(
    name="geometric",
    title="Geometric: failures before the first success",
    statement=r"y \sim \operatorname{Geometric}(p),\quad y \in \{0, 1, 2, \dots\}",
    words=r"The number of failures before the first success, each trial a success with the predicted probability $p$.",
    loss_name="geometric NLL",
    density=p * (1 - p) ** y_count,
    data=(y_count,), params=(p,),
    domains={y_count: COUNTS, p: UNIT},
    support=COUNTS,
    references=(Reference(r"-\left(\log p + y \log(1 - p)\right)", "loss"),),
))

mu = S.symbol("mu", POS)
alpha = S.symbol("alpha", POS)
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
    domains={y_count: COUNTS, mu: POS, alpha: POS},
    support=COUNTS,
    references=(Reference(r"\left(y + \frac{1}{\alpha}\right)\log(1 + \alpha\mu) - y \log(\alpha\mu)", "loss"),),
))

y_counts = S.indexed_base("y", COUNTS)
register(Assumption(
    name="multinomial",
    title="Multinomial counts over K classes",
    statement=r"y \sim \operatorname{Multinomial}(N, \hat{y}_1, \dots, \hat{y}_K)",
    words=r"The class counts $y_k$ of $N$ independent draws, class $k$ drawn with the predicted probability $\hat{y}_k$.",
    loss_name="multinomial NLL (count-weighted cross-entropy)",
    density=sp.factorial(N) * sp.Product(yhat_vec[k] ** y_counts[k] / sp.factorial(y_counts[k]), (k, 1, K)),
    data=(y_counts,), params=(yhat_vec,), fixed=(N,),
    domains={y_counts: COUNTS, yhat_vec: UNIT, N: sp.Range(1, sp.oo)},
    support=COUNT_VECTOR,
    vector_index=(k, 1, K),
    references=(Reference(r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", "loss"),),
))
