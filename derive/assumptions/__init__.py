"""The catalogue: every loss entry of every module of :mod:`derive.distributions`, in the
order of the documents."""

import derive.distributions  # noqa: F401  (loads every distribution, registering its entries)
from derive.entries import Assumption, Link, Reference, get, names, register

__all__ = ["Assumption", "Link", "Reference", "get", "names", "register"]
