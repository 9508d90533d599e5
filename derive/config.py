"""Settings of the textbook printer, as one frozen, validated record.

:class:`PrinterConfig` is what a user chooses (``derive build --log ln``); the printer turns it
into SymPy printer settings, where an unknown key is an error too.  Build it from a mapping
with :meth:`PrinterConfig.from_mapping`, which rejects unknown keys and bad values with a
:class:`ConfigError` naming the known ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from derive.errors import ConfigError

__all__ = ["ConfigError", "PrinterConfig"]


@dataclass(frozen=True)
class PrinterConfig:
    """How :class:`derive.latex.printer.TextbookPrinter` writes formulas.

    Fields:
      log:          the natural log as ``\\log`` (default) or ``\\ln``; a log to another base
                    is always ``\\log_b``.
      log_parens:   ``"auto"`` omits the parentheses around a single symbol, indexed symbol
                    or number (``\\log \\hat{y}_{i}``, ``\\log 2``) and keeps them otherwise
                    (``\\log(1 - \\hat{y})``); ``"always"`` keeps them everywhere.
      exp:          ``"auto"`` writes ``\\exp(...)`` when the exponent holds a fraction or a
                    sum and ``e^{...}`` otherwise; ``"e"`` and ``"exp"`` force one form.
      fold_log_base: print ``log(x)/log(b)`` (SymPy's form of a base-b log) as ``\\log_b x``.
      const_label:  the text under the brace of dropped constants, followed by the parameters
                    (``const. in \\hat{y}``).
    """

    log: Literal["log", "ln"] = "log"
    log_parens: Literal["auto", "always"] = "auto"
    exp: Literal["auto", "e", "exp"] = "auto"
    fold_log_base: bool = True
    const_label: str = "const.\\ in "

    _CHOICES = {"log": ("log", "ln"), "log_parens": ("auto", "always"), "exp": ("auto", "e", "exp"),
                "fold_log_base": (True, False)}

    def __post_init__(self) -> None:
        for name, allowed in self._CHOICES.items():
            value = getattr(self, name)
            if value not in allowed or type(value) is not type(allowed[0]):
                raise ConfigError(f"printer setting {name}={value!r}: expected one of "
                                  f"{', '.join(map(repr, allowed))}")
        if not isinstance(self.const_label, str):
            raise ConfigError(f"printer setting const_label={self.const_label!r}: expected a string")

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> PrinterConfig:
        """The config with the given fields changed; an unknown key is a ConfigError."""
        mapping = dict(mapping or {})
        unknown = sorted(set(mapping) - set(cls.fields()))
        if unknown:
            raise ConfigError(f"unknown printer setting(s) {', '.join(unknown)}; "
                              f"known: {', '.join(cls.fields())}")
        return cls(**mapping)

    def replace(self, **changes: Any) -> PrinterConfig:
        return PrinterConfig.from_mapping({**dataclasses.asdict(self), **changes})
