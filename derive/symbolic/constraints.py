"""Domains that are not sets of numbers, shared by every entry (torch's ``constraints``).

A scalar's domain is a SymPy set (``Interval.open(0, oo)``, ``FiniteSet(0, 1)``,
``Range(0, oo)``; the common ones are in :mod:`derive.symbols`).  A vector or a matrix
ranges over one of these constraints instead:

    ONE_HOT             y in {e_1, ..., e_K}: y_k in {0, 1}, sum_k y_k = 1
    COUNT_VECTOR        y_k in {0, 1, ...}, sum_k y_k = N (the first fixed symbol)
    POSITIVE_DEFINITE   a symmetric matrix with v^T A v > 0 for every v != 0
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Constraint:
    """A named domain; compared by identity of name, printed as its description."""

    name: str
    description: str

    def __str__(self) -> str:
        return self.description


ONE_HOT = Constraint("one_hot", "the one-hot vectors e_1, ..., e_K")
COUNT_VECTOR = Constraint("count_vector", "the count vectors with sum N")
POSITIVE_DEFINITE = Constraint("positive_definite", "the symmetric positive-definite matrices")
