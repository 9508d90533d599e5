"""Every distribution, one module each: importing this package loads them all.

A module holds one family (:class:`~derive.distributions.base.Family`: the density written
once, its support and parameter domains, its KL pairs), the catalogue entries that
parametrise it, their framework peers and references; or, for an entry with no family of
its own (Huber, the Tweedie quasi-likelihood), that entry.  Modules are found here, not
listed: adding a distribution is adding a module.  The documents' order is each entry's
and each family's ``order``, not the modules' order.
"""

from __future__ import annotations

import importlib
import pkgutil

from derive.distributions.base import FAMILIES, Family, Param, UnknownFamily, family, names, register_family
from derive.entries import Assumption, Link, Reference, get, register
from derive.entries import names as entry_names

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["FAMILIES", "Assumption", "Family", "Link", "Param", "Reference", "UnknownFamily", "entry_names", "family",
           "get", "names", "register", "register_family"]
