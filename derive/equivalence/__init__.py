"""equivalent(): are two formulas the same loss, exactly, up to a constant, or up to a positive
affine map?

Mathematical details.  Write theta for the ``params`` (the model's outputs) and x for every other
variable; ``a`` and ``b`` are real functions on the domain D of (x, theta).

    exact:     a(x, theta) = b(x, theta)              for all (x, theta) in D
    constant:  a(x, theta) - b(x, theta) = g(x)       (same gradients in theta)
    affine:    a(x, theta) = c(x) b(x, theta) + g(x),  c(x) > 0   (same minimisers in theta)

Assumptions are explicit (:mod:`derive.equivalence.domains`): a variable is real unless the
caller's ``assume=``, its SymPy assumptions (sums' indices and sizes are integers), or the
natural domain shared by both sides say otherwise; the verdict lists every one.  Then:

0. ``refute first``: a handful of probe points (:mod:`derive.equivalence.probe`); a difference is
   re-evaluated exactly at the rational point before it is reported.
1. ``canonical``: cheap normal forms valid on the domain (finite Sums written out, logs expanded
   where every factor is positive, Sums split and their dummies renamed, ``expand``, ``cancel``),
   then a - b == 0 / a - b free of theta / c = a_theta / b_theta free of theta and positive
   with a - c b free of theta.  Skipped when a sum's range may be empty (SymPy's Karr
   convention is not the textbook's: an empty sum is 0).
2. ``simplify``: the same tests with ``sympy.simplify``.
3. ``probe``: points of every magnitude and next to every kink, sizes up to 100, sums
   written out as a textbook means them; a confirmed difference is a counterexample, agreement
   is evidence (``holds`` None), never a proof.

Stages 1 and 2 only ever prove True; a False verdict always comes with a counterexample
confirmed exactly; when no stage decides the verdict is undecided (``holds=None``).

SymPy cannot be interrupted in a thread, so stages 1-3 run in a forked child process that is
killed when its share of ``timeout`` runs out (inline, unbounded, where ``fork`` is unavailable).

Modules: ``inputs`` (the sides as SymPy, params, equations), ``domains`` (assumptions and
unification), ``matrices``, ``symbolic`` (stages 1 and 2), ``exact`` (textbook sums, exact
re-evaluation), ``probe``, ``equations``, ``verdict``, and ``pipeline`` (the stages in order).
"""

from derive.equivalence.matrices import MATRIX_SIZES
from derive.equivalence.pipeline import equivalent
from derive.equivalence.verdict import MATRICES_WRITTEN_OUT, MODES, Evidence, Mode, Verdict
from derive.equivalence.inputs import STANDARD_FUNCTIONS

__all__ = ["MATRICES_WRITTEN_OUT", "MATRIX_SIZES", "MODES", "Evidence", "Mode", "STANDARD_FUNCTIONS", "Verdict", "equivalent"]
