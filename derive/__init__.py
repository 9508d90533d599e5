"""derive: every standard loss is a negative log-likelihood under a distributional assumption.

The public API: every name is re-exported here and defined elsewhere.

Start-up is lazy: ``import derive`` loads nothing but this file, and each public name loads
its module on first use (module ``__getattr__``), so a script that only derives never pays for
the LaTeX reader, the information part or matplotlib.
"""

from __future__ import annotations

import importlib
import sys
import types

#: public name -> the module that defines it
_EXPORTS = {
    "names": "derive.assumptions",
    "custom": "derive.custom",
    "Derivation": "derive.engine",
    "derive": "derive.engine",
    "Verdict": "derive.equivalence",
    "equivalent": "derive.equivalence",
    "cross_entropy": "derive.infotheory",
    "cross_entropy_closed_form": "derive.infotheory",
    "entropy": "derive.infotheory",
    "entropy_closed_form": "derive.infotheory",
    "identities": "derive.infotheory",
    "kl": "derive.infotheory",
    "kl_closed_form": "derive.infotheory",
    "parse_chain": "derive.latex.parse",
    "parse_latex": "derive.latex.parse",
    "Step": "derive.steps",
    "verify_many": "derive.batch",
    "model": "derive.models",
}

#: submodules that are public names themselves (``derive.testing.assert_equivalent``)
_SUBMODULES = ("testing",)

__all__ = sorted((*_EXPORTS, *_SUBMODULES))


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'derive' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBMODULES))


class _Package(types.ModuleType):
    """Importing a submodule binds it on its package; where a public function shares its
    module's name (``derive.custom``), the function stays the public name."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
