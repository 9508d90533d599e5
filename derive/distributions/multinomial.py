"""The multinomial distribution: class counts of N independent categorical draws.

    p(y; N, yhat) = N! prod_k yhat_k^(y_k) / y_k!,   y_k >= 0, sum_k y_k = N
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register
from derive.peers import TORCH, peer
from derive.symbolic.constraints import COUNT_VECTOR

k, K = dsym.k, dsym.K
N = dsym.size("N")
y_counts = dsym.indexed_base("y", dsym.NONNEG_INT)
yhat_vec = dsym.indexed_base("yhat", dsym.UNIT)
register(Assumption(
    name="multinomial",
    title="Multinomial counts over K classes",
    statement=r"y \sim \operatorname{Multinomial}(N, \hat{y}_1, \dots, \hat{y}_K)",
    words=r"The class counts $y_k$ of $N$ independent draws, class $k$ drawn with the predicted probability $\hat{y}_k$.",
    loss_name="multinomial NLL (count-weighted cross-entropy)",
    density=sp.factorial(N) * sp.Product(yhat_vec[k] ** y_counts[k] / sp.factorial(y_counts[k]), (k, 1, K)),
    data=(y_counts,), params=(yhat_vec,), fixed=(N,),
    domains={y_counts: dsym.NONNEG_INT, yhat_vec: dsym.UNIT, N: sp.Range(1, sp.oo)},
    support=COUNT_VECTOR,
    vector_index=(k, 1, K),
    references=(Reference(r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", "loss"),),
    order=480,
))

peer("multinomial", TORCH + "cross_entropy", "cross_entropy(log(yhat), y/N)", "the proportions y/N as targets")(
    lambda s: -sp.Sum(s["y"][s["k"]] / s["N"] * sp.log(s["yhat"][s["k"]]), (s["k"], 1, s["K"])))
