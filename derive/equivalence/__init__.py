"""equivalent(): are two formulas the same loss, exactly, up to a constant, or up to a positive
affine map?

Mathematical details.  Write theta for the ``params`` (the model's outputs) and x for every other
variable; ``a`` and ``b`` are real functions on the domain D of (x, theta).

    exact:     a(x, theta) = b(x, theta)              for all (x, theta) in D
    constant:  a(x, theta) - b(x, theta) = g(x)       (same gradients in theta)
    affine:    a(x, theta) = c(x) b(x, theta) + g(x),  c(x) > 0   (same minimisers in theta)

The variables are unified by name first (a parsed real ``yhat`` and the engine's positive
``yhat`` are one variable, with the stronger domain), and every variable is real: its domain is
:func:`derive.symbols.domain_of` (probabilities in (0, 1), scales positive, sizes and indices
positive integers, everything else real).  Then, in stages, each bounded in time:

1. ``canonical``: cheap normal forms valid on the domain (finite Sums done, logs expanded where
   every factor is positive, Sums split and their dummies renamed, ``expand``, ``cancel``), then
   a - b == 0 / a - b free of theta / c = a_theta / b_theta free of theta and positive with
   a - c b free of theta.
2. ``simplify``: the same tests with ``sympy.simplify``.
3. ``numeric``: seeded random points of D, sizes n, K set to 1..4 (5..12 a quarter of the time) with Sums done, both sides
   evaluated with mpmath at 60 digits; points where a side is not real and finite are skipped.

Stages 1 and 2 only ever prove True; a False verdict always comes from stage 3 with a
counterexample; when no stage decides the verdict is undecided (``holds=None``), never a guess.

SymPy cannot be interrupted in a thread, so each stage runs in a forked child process that is
killed when its share of ``timeout`` runs out (inline, unbounded, where ``fork`` is unavailable).

Modules: ``inputs`` (the sides as SymPy, params, unification), ``matrices``, ``symbolic``
(stages 1 and 2), ``probe`` (stage 3), ``verdict``, and ``pipeline`` (the stages in order).
"""

from derive.equivalence.matrices import MATRIX_SIZES
from derive.equivalence.pipeline import equivalent
from derive.equivalence.verdict import MATRICES_WRITTEN_OUT, MODES, Mode, Verdict
from derive.equivalence.inputs import STANDARD_FUNCTIONS

__all__ = ["MATRICES_WRITTEN_OUT", "MATRIX_SIZES", "MODES", "Mode", "STANDARD_FUNCTIONS", "Verdict", "equivalent"]
