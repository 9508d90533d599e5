"""The uniform distribution (a family for entropy and KL; no catalogue entry).

    p(x; a, b) = 1 / (b - a),   a < x < b
"""

from __future__ import annotations

from derive import symbols as dsym
from derive.distributions.base import Family, Param, register_family

UNIFORM = register_family(Family(
    "uniform", "Uniform", (Param("a", dsym.REALS), Param("b", dsym.REALS)),
    r"\mathcal{{U}}\left({a}, {b}\right)",
    lambda x, s: 1 / (s.b - s.a),
    lambda s: (s.a, s.b), integrator="manual",
    kl=("beta", "exponential", "gamma", "normal"), order=60))
