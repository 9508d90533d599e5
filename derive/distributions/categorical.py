"""The categorical distribution over K classes, and the entries that parametrise it.

    p(k; p) = p_k,   k in {1, ..., K},  sum_k p_k = 1
    p(y; p) = prod_k p_k^(y_k)   for the one-hot y = e_k (the same pmf: every other
                                 factor is p_j^0 = 1), the form the entries use

    categorical           p = yhat, predicted probabilities   -> cross-entropy (CE)
    categorical_logits    p = softmax(z) (derived canonical link) -> CE with logits
    categorical_smoothed  the NLL averaged over the smoothed target (1 - eps) y + eps/K
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Assumption, Link, Reference, register
from derive.peers import TORCH, peer
from derive.symbolic.constraints import ONE_HOT

UNIT = dsym.UNIT

CATEGORICAL = register_family(Family(
    "categorical", "Categorical", (Param("p", UNIT, vector=True),),
    r"\operatorname{{Cat}}\left({p}\right)",
    lambda k, s: s.p[k], lambda s: (1, s.K), discrete=True, index=("k", "K"), variable="k", order=90))


def onehot_pmf(y: sp.IndexedBase, p: sp.IndexedBase, k: sp.Symbol, K: sp.Symbol) -> sp.Expr:
    """prod_{k=1}^{K} p_k^(y_k): the categorical pmf at a one-hot (or count) vector y."""
    return sp.Product(p[k] ** y[k], (k, 1, K))


k, K = dsym.k, dsym.K
y_vec = dsym.indexed_base("y", dsym.REALS)
yhat_vec = dsym.indexed_base("yhat", UNIT)
z_vec = dsym.indexed_base("z", dsym.REALS)
_AS_CATEGORICAL = {"family": "categorical", "family_params": (("p", yhat_vec),)}

register(Assumption(
    name="categorical",
    title="Categorical labels over K classes",
    statement=r"y \sim \operatorname{Categorical}(\hat{y}_1, \dots, \hat{y}_K),\quad y \text{ one-hot}",
    words=r"The one-hot label picks class $k$ with the predicted probability $\hat{y}_k$, and the $\hat{y}_k$ sum to 1.",
    loss_name="cross-entropy (CE)",
    density=onehot_pmf(y_vec, yhat_vec, k, K),
    data=(y_vec,), params=(yhat_vec,),
    domains={y_vec: sp.FiniteSet(0, 1), yhat_vec: UNIT},
    support=ONE_HOT,
    vector_index=(k, 1, K),
    references=(
        Reference(r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", "loss", label="CE"),
        Reference(r"-\frac{1}{n}\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik}\log\hat{y}_{ik}", "dataset_loss",
                  label="mean CE"),
    ),
    order=120,
    **_AS_CATEGORICAL,
))

peer("categorical", TORCH + "nll_loss", "nll_loss(log(yhat), c)", "one-hot y = e_c")(
    lambda s: -sp.Sum(s["y"][s["k"]] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
peer("categorical", TORCH + "cross_entropy", "cross_entropy(log(yhat), y)", "probability targets")(
    lambda s: -sp.Sum(s["y"][s["k"]] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))

register(Assumption(
    name="categorical_logits",
    title="Categorical labels from logits",
    statement=r"y \sim \operatorname{Categorical}(\operatorname{softmax}(z)),\quad y \text{ one-hot}",
    words=r"The one-hot label picks class $k$ with probability $\operatorname{softmax}(z)_k$ of the model's logits.",
    loss_name="cross-entropy with logits (log-sum-exp)",
    density=onehot_pmf(y_vec, yhat_vec, k, K),
    link=Link(yhat_vec[k], z_vec, None, "softmax, the inverse of the canonical link"),
    data=(y_vec,), params=(z_vec,),
    domains={y_vec: sp.FiniteSet(0, 1), yhat_vec: UNIT, z_vec: dsym.REALS},
    support=ONE_HOT,
    vector_index=(k, 1, K),
    references=(Reference(r"\log \sum_{j=1}^{K} e^{z_j} - \sum_{k=1}^{K} y_k z_k", "loss",
                          label="log-sum-exp minus the true logit"),),
    order=410,
    **_AS_CATEGORICAL,
))


def log_sum_exp(s: dict) -> sp.Expr:
    """log sum_j exp(z_j) in the entry's symbols."""
    z, j, K_ = s["z"], s["j"], s["K"]
    return sp.log(sp.Sum(sp.exp(z[j]), (j, 1, K_)))


peer("categorical_logits", TORCH + "cross_entropy", "cross_entropy(z, c)", "index target c, one-hot y = e_c")(
    lambda s: log_sum_exp(s) - sp.Sum(s["y"][s["k"]] * s["z"][s["k"]], (s["k"], 1, s["K"])))
peer("categorical_logits", TORCH + "cross_entropy", "cross_entropy(z, y)", "probability targets")(
    lambda s: -sp.Sum(s["y"][s["k"]] * (s["z"][s["k"]] - log_sum_exp(s)), (s["k"], 1, s["K"])))

eps = dsym.symbol("eps", UNIT)
register(Assumption(
    name="categorical_smoothed",
    title="Categorical labels with label smoothing",
    statement=r"y' \sim (1 - \epsilon)\, y + \tfrac{\epsilon}{K},\quad y' \sim \operatorname{Categorical}(\hat{y})",
    words=r"The one-hot label is smoothed to $(1-\epsilon) y + \epsilon/K$ and the model's NLL is averaged over it.",
    loss_name="cross-entropy with label smoothing",
    density=onehot_pmf(y_vec, yhat_vec, k, K),
    expected_data=((y_vec[k], (1 - eps) * y_vec[k] + eps / K),),
    data=(y_vec,), params=(yhat_vec,), fixed=(eps,),
    domains={y_vec: sp.FiniteSet(0, 1), yhat_vec: UNIT, eps: UNIT},
    support=ONE_HOT,
    vector_index=(k, 1, K),
    references=(Reference(
        r"-\sum_{k=1}^{K} \left((1 - \mathrm{eps}) y_k + \frac{\mathrm{eps}}{K}\right) \log \hat{y}_k", "loss",
        label="cross-entropy with the smoothed target"),),
    order=420,
))

peer("categorical_smoothed", TORCH + "cross_entropy", "cross_entropy(log(yhat), c, label_smoothing=eps)",
     "index target c, one-hot y = e_c")(
    lambda s: -(1 - s["eps"]) * sp.Sum(s["y"][s["k"]] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"]))
    - s["eps"] / s["K"] * sp.Sum(sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
