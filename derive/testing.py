"""A pytest helper for verifying identities in a test suite.

    from derive.testing import assert_equivalent

    def test_bce_two_ways():
        assert_equivalent(r"-y\\log p - (1-y)\\log(1-p)", r"y\\log\\frac{1}{p} + (1-y)\\log\\frac{1}{1-p}",
                          assume="0 < p < 1")

It passes only on a proof (``holds is True``), or, with ``accept_numeric=True``, also on numeric
agreement (said so in the verdict); otherwise it fails with both sides in plain text and LaTeX,
the verdict, the assumptions and the counterexample.
"""

from __future__ import annotations

from typing import Any, Iterable

import sympy as sp

from derive.errors import EquivalenceAssertionError
from derive.equivalence import Verdict, equivalent
from derive.equivalence.inputs import read_inputs
from derive.equivalence.verdict import format_point

__all__ = ["assert_equivalent", "EquivalenceAssertionError"]


def _shown(side: Any) -> tuple[str, str]:
    """(plain text, LaTeX) of one side as given."""
    if isinstance(side, str):
        try:
            (expr, _) = read_inputs(side, "0")
            plain = sp.sstr(expr)
        except Exception:  # noqa: BLE001 - the message must show the input whatever it is
            plain = side
        return plain, side
    return sp.sstr(side), sp.latex(side)


def assert_equivalent(a: Any, b: Any, mode: str = "exact", params: Iterable | None = None, assume: Any = None,
                      accept_numeric: bool = False, timeout: float = 5.0) -> Verdict:
    """Assert that ``a`` and ``b`` (SymPy or LaTeX) are equivalent in ``mode`` (see
    :func:`derive.equivalent`): proved, or with ``accept_numeric`` also agreeing numerically.
    Returns the verdict; raises :class:`EquivalenceAssertionError` (an AssertionError) otherwise."""
    verdict = equivalent(a, b, params=params, mode=mode, assume=assume, timeout=timeout)
    if verdict.holds is True or (accept_numeric and verdict.numerical):
        return verdict
    (plain_a, tex_a), (plain_b, tex_b) = _shown(a), _shown(b)
    if verdict.holds is False:
        outcome = "refuted"
    elif verdict.numerical:
        outcome = "not proved (they agree numerically; pass accept_numeric=True to accept that)"
    else:
        outcome = "undecided"
    lines = [f"{mode} equivalence {outcome}",
             f"  a:      {plain_a}", f"  a (TeX): {tex_a}",
             f"  b:      {plain_b}", f"  b (TeX): {tex_b}",
             f"  verdict: {verdict}",
             f"  assuming: {'; '.join(verdict.assumptions) or 'nothing'}"]
    if verdict.counterexample:
        lines.append(f"  counterexample: {format_point(verdict.counterexample)}")
    raise EquivalenceAssertionError("\n".join(lines), verdict)
