"""The equivalence modes, one definition for the whole project.

With theta the params and x every other variable:

    exact:     a(x, theta) = b(x, theta)
    constant:  a(x, theta) - b(x, theta) = g(x)                 (same gradients in theta)
    affine:    a(x, theta) = c(x) b(x, theta) + g(x), c(x) > 0   (same minimisers in theta)
"""

from __future__ import annotations

from typing import Literal

Mode = Literal["exact", "constant", "affine"]
MODES: tuple[str, ...] = ("exact", "constant", "affine")
