"""The geometric distribution (failures before the first success), and its entry.

    p(x; p) = p (1 - p)^x,   x in {0, 1, 2, ...}
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family
from derive.entries import Reference, register

GEOMETRIC = register_family(Family(
    "geometric", "Geometric", (Param("p", dsym.UNIT),),
    r"\operatorname{{Geom}}\left({p}\right)",
    lambda x, s: s.p * (1 - s.p) ** x,
    lambda s: (0, sp.oo), discrete=True, moments="score", order=110))

y_count = dsym.symbol("y", dsym.NONNEG_INT)
p = dsym.symbol("p", dsym.UNIT)
register(GEOMETRIC.parametrise(
    y_count, {"p": p},
    name="geometric",
    title="Geometric: failures before the first success",
    statement=r"y \sim \operatorname{Geometric}(p),\quad y \in \{0, 1, 2, \dots\}",
    words=r"The number of failures before the first success, each trial a success with the predicted probability $p$.",
    loss_name="geometric NLL",
    data=(y_count,), params=(p,),
    domains={y_count: dsym.NONNEG_INT, p: dsym.UNIT},
    support=dsym.NONNEG_INT,
    references=(Reference(r"-\left(\log p + y \log(1 - p)\right)", "loss"),),
    order=460,
))
