"""The catalogue: one declarative entry per assumption.  Importing this package registers
every entry; the module order is the order of the documents."""

from derive.assumptions.base import Assumption, Link, Reference, get, names, register
from derive.assumptions import classic  # noqa: F401  (registers its entries)
from derive.assumptions import continuous  # noqa: F401
from derive.assumptions import discrete  # noqa: F401
from derive.assumptions import multivariate  # noqa: F401

__all__ = ["Assumption", "Link", "Reference", "get", "names", "register"]
