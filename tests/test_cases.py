"""Densities written with cases (derive/symbolic/cases.py): the support where they are
non-zero, the log taken case by case, two cases read as an absolute value only when proved."""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.symbolic.cases import breakpoints, cases_support, logs_of_cases

y, mu, lam = dsym.symbol("y"), dsym.symbol("mu"), dsym.symbol("lambda", dsym.POSITIVE)
b = dsym.symbol("b", dsym.POSITIVE)
DOMAINS = {y: dsym.REALS, mu: dsym.REALS, lam: dsym.POSITIVE, b: dsym.POSITIVE}


def _agree(a: sp.Expr, c: sp.Expr, points) -> bool:
    return all(abs(float(a.xreplace(at)) - float(c.xreplace(at))) < 1e-12 for at in points)


def test_the_support_is_where_the_cases_are_non_zero_in_their_order():
    f = lam * sp.exp(-lam * y)
    assert cases_support(sp.Piecewise((f, y >= 0), (0, True)), y) == sp.Interval(0, sp.oo)
    assert cases_support(sp.Piecewise((0, y < 1), (f, True)), y) == sp.Interval(1, sp.oo)
    assert cases_support(sp.Piecewise((0, y < 0), (f, y < 2), (0, True)), y) == sp.Interval.Ropen(0, 2)
    assert cases_support(2 * sp.Piecewise((f, y > 0), (0, True)), y) == sp.Interval.open(0, sp.oo)
    assert cases_support(sp.Piecewise((1 / b, (y >= 0) & (y <= b)), (0, True)), y) is None  # a param in a case
    assert cases_support(sp.Piecewise((f, y >= 0), (f / 2, True)), y) is None  # no case is 0
    assert cases_support(f, y) is None


def test_two_cases_either_side_of_a_point_become_an_absolute_value():
    laplace = sp.Piecewise((sp.exp(-(mu - y) / b) / (2 * b), y < mu), (sp.exp(-(y - mu) / b) / (2 * b), True))
    out = logs_of_cases(-sp.log(laplace), DOMAINS)
    assert out == sp.log(2) + sp.log(b) + sp.Abs(y - mu) / b
    assert _agree(-sp.log(laplace), out, [{y: v, mu: m, b: s} for v, m, s in [(0.5, 1.0, 2.0), (3.0, -1.0, 0.5), (1.0, 1.0, 1.0)]])
    flipped = sp.Piecewise((sp.exp(-(y - mu)), y > mu), (sp.exp(y - mu), True))  # c_1 says d > 0: m - |d|
    assert logs_of_cases(sp.log(flipped), DOMAINS) == -sp.Abs(y - mu)


def test_cases_that_are_not_shown_to_be_an_absolute_value_stay_cases():
    a = dsym.symbol("a")  # real: the slope's sign is unknown, so |.| is not proved
    skew = sp.Piecewise((sp.exp(a * (y - mu)), y < mu), (sp.exp(-(y - mu)), True))
    out = logs_of_cases(sp.log(skew), DOMAINS)
    assert out == sp.Piecewise((a * (y - mu), y < mu), (mu - y, True))
    gap = sp.Piecewise((sp.exp(-(mu - y)), y < mu), (sp.exp(-(y - mu)), y > mu + 1))  # not the complement
    assert logs_of_cases(sp.log(gap), DOMAINS).has(sp.Piecewise)
    support = sp.Piecewise((lam * sp.exp(-lam * y), y >= 0), (0, True))  # -log 0 = oo off the support
    assert logs_of_cases(-sp.log(support), DOMAINS) == -sp.Piecewise((sp.log(lam) - lam * y, y >= 0), (-sp.oo, True))


def test_breakpoints_are_where_a_case_changes():
    at = sp.Piecewise((1, y < 2), (sp.exp(-y), (y > 3) | (y < -1)), (0, True))
    assert breakpoints(at, y) == [-1, 2, 3]
