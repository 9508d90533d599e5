"""Settings of the textbook printer, as one frozen, validated record.

:class:`PrinterConfig` is what a user chooses (``derive build --log ln``); the printer turns it
into SymPy printer settings, where an unknown key is an error too.  Build it from a mapping
with :meth:`PrinterConfig.from_mapping`, which rejects unknown keys and bad values with a
:class:`ConfigError` naming the known ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

from derive.errors import ConfigError

__all__ = ["ConfigError", "PrinterConfig", "ProjectConfig", "STARTER", "load_project"]


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
      softplus:     print ``log(1 + e^z)`` as ``\\operatorname{softplus}(z)``.
      class_base:   classes numbered from 1 (``k = 1, ..., K``, default) or from 0
                    (``k = 0, ..., K - 1``, as PyTorch numbers its labels).
      symbols:      renamed symbols, pairs (as the documents write it, as you write it):
                    ``(("y", "t"), ("\\hat{y}", "\\mu"))`` prints t for targets and mu for
                    the prediction everywhere (formulas, notes, figures' labels, catalog.json).
    """

    log: Literal["log", "ln"] = "log"
    log_parens: Literal["auto", "always"] = "auto"
    exp: Literal["auto", "e", "exp"] = "auto"
    fold_log_base: bool = True
    const_label: str = "const.\\ in "
    softplus: bool = False
    class_base: int = 1
    symbols: tuple[tuple[str, str], ...] = ()

    _CHOICES = {"log": ("log", "ln"), "log_parens": ("auto", "always"), "exp": ("auto", "e", "exp"),
                "fold_log_base": (True, False), "softplus": (True, False), "class_base": (1, 0)}

    def __post_init__(self) -> None:
        for name, allowed in self._CHOICES.items():
            value = getattr(self, name)
            if value not in allowed or type(value) is not type(allowed[0]):
                raise ConfigError(f"printer setting {name}={value!r}: expected one of "
                                  f"{', '.join(map(repr, allowed))}")
        if not isinstance(self.const_label, str):
            raise ConfigError(f"printer setting const_label={self.const_label!r}: expected a string")
        for pair in self.symbols:
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) and x.strip()
                                                                       and " " not in x.strip() for x in pair)):
                raise ConfigError(f"printer setting symbols: {pair!r} is not a pair of symbols "
                                  "(as the documents write it, as you write it), e.g. ('y', 't')")
        targets = [new for _, new in self.symbols]
        if len(set(targets)) != len(targets) or len({old for old, _ in self.symbols}) != len(self.symbols):
            raise ConfigError(f"printer setting symbols: two symbols renamed to one, or one renamed twice: "
                              f"{dict(self.symbols)}")

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
        return PrinterConfig.from_mapping({**{f: getattr(self, f) for f in self.fields()}, **changes})


# --------------------------------------------------------------------------- the project file


PARTS = ("catalogue", "information", "models")

STARTER = """\
# derive.toml: what `derive build` puts in the documents, and how it writes them.
# (Or put these keys under [tool.derive] in pyproject.toml.)  Every key is optional;
# command-line options override them.

# The title page of the article and the deck.
title = "Every loss is a cross-entropy"
subtitle = "Training losses derived from distributional assumptions"
author = ""          # e.g. "A. Lecturer"
date = ""            # e.g. "Spring term"; empty: no date

# Notation.
log = "log"          # the natural log as \\log ("log") or \\ln ("ln")
class_base = 1       # classes numbered 1..K (1) or 0..K-1 (0, as PyTorch numbers labels)
softplus = false     # write log(1 + e^z) as softplus(z)

# What goes in, in this order; leave out for all, in the order below.  The entries are
# the catalogue's derivations (run `derive list` for the names); the parts are the catalogue,
# "information" (entropy, cross-entropy and KL divergence) and "models" (regularisers are
# priors), each document giving them in the order listed and leaving out those not listed
# (derive build --parts models,catalogue does the same).
# entries = ["gaussian", "bernoulli", "categorical"]
# parts = ["catalogue", "information", "models"]

# Your symbols, as the documents write them = as you write them: formulas, notes, figures'
# labels and catalog.json follow (a name that an entry already uses is refused for it).
# Keep this table last: the keys after a [table] line belong to it.
# [symbols]
# "y" = "t"
# '\\hat{y}' = '\\mu'      # single quotes: TOML reads backslashes in them as they are
"""


@dataclass(frozen=True)
class ProjectConfig:
    """The project file's settings: the documents' metadata, the notation, the entries.

    ``entries`` None means the whole catalogue in its order; ``parts`` chooses the documents'
    parts and their order among :data:`PARTS` (None: all three in that order, or with
    ``derive build --only`` the parts its names ask for)."""

    title: str = "Every loss is a cross-entropy"
    subtitle: str = "Training losses derived from distributional assumptions"
    author: str = ""
    date: str = ""
    log: str = "log"
    class_base: int = 1
    softplus: bool = False
    symbols: tuple[tuple[str, str], ...] = ()
    entries: tuple[str, ...] | None = None
    parts: tuple[str, ...] | None = None
    source: str = ""  # the file read, for messages

    def __post_init__(self) -> None:
        where = f" in {self.source}" if self.source else ""
        for name in ("title", "subtitle", "author", "date"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name}{where}: expected a string, got {getattr(self, name)!r}")
        if self.entries is not None and (not self.entries or not all(isinstance(e, str) for e in self.entries)):
            raise ConfigError(f"entries{where}: expected a non-empty list of names (see `derive list`)")
        if self.parts is not None:
            unknown = [p for p in self.parts if p not in PARTS]
            if unknown or not self.parts:
                raise ConfigError(f"parts{where}: {', '.join(map(repr, unknown)) or 'empty'}; "
                                  f"known: {', '.join(PARTS)}")
            twice = sorted({p for p in self.parts if self.parts.count(p) > 1})
            if twice:
                raise ConfigError(f"parts{where}: {', '.join(map(repr, twice))} listed twice; each part goes in once")
        self.printer()  # log, class_base, softplus checked there

    def printer(self) -> PrinterConfig:
        return PrinterConfig.from_mapping({"log": self.log, "class_base": self.class_base, "softplus": self.softplus,
                                           "symbols": self.symbols})

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], source: str = "") -> ProjectConfig:
        known = [f.name for f in dataclasses.fields(cls) if f.name != "source"]
        mapping = {k: v for k, v in mapping.items() if k != "verify"}  # derive verify's own table
        unknown = sorted(set(mapping) - set(known))
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)}{' in ' + source if source else ''}; "
                              f"known: {', '.join(known)}")
        values = dict(mapping)
        if "symbols" in values:
            if not isinstance(values["symbols"], Mapping):
                raise ConfigError(f"symbols in {source or 'the settings'}: expected a table, "
                                  "e.g. [symbols] with y = \"t\"")
            values["symbols"] = tuple((str(k), v) for k, v in values["symbols"].items())
        for name in ("entries", "parts"):
            if name in values:
                if not isinstance(values[name], (list, tuple)):
                    raise ConfigError(f"{name} in {source or 'the settings'}: expected a list of names")
                values[name] = tuple(values[name])
        try:
            return cls(**values, source=source)
        except ConfigError as error:
            raise ConfigError(f"{error} ({source})" if source and source not in str(error) else str(error)) from None

    def replace(self, **changes: Any) -> ProjectConfig:
        """The settings with ``changes`` (None: unchanged), checked on their own first, so that a
        bad command-line value is not blamed on the project file."""
        changes = {k: v for k, v in changes.items() if v is not None}
        ProjectConfig(**changes)
        return dataclasses.replace(self, **changes)


def load_project(path: str | Path | None = None, folder: str | Path = ".") -> ProjectConfig:
    """The settings of ``path`` (a derive.toml, or a pyproject.toml with ``[tool.derive]``),
    or, without a path, of ``derive.toml`` or ``pyproject.toml`` in ``folder`` if there is
    one; the defaults otherwise.  A file that does not parse is a ConfigError naming it."""
    import tomllib

    if path is None:
        for name in ("derive.toml", "pyproject.toml"):
            candidate = Path(folder) / name
            if candidate.is_file():
                path = candidate
                break
        else:
            return ProjectConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"project file {path}: not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"project file {path}: not valid TOML: {error}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("derive", {})
    return ProjectConfig.from_mapping(data, source=str(path))
