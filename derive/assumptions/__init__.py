"""The catalogue: one declarative entry per assumption.  Importing this package registers
every entry; the module order is the order of the documents."""

from derive.assumptions.base import Assumption, Reference, get, names, register
from derive.assumptions import classic  # noqa: F401  (registers its entries)

__all__ = ["Assumption", "Reference", "get", "names", "register"]
