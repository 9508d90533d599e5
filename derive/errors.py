"""The exceptions `derive` raises.  Every failure a user can cause is one of these.

Split by cause: wrong input (`ParseError`, `UnknownAssumption`, `UnknownFamily`,
`DomainError`, `DistributionError`, `ConfigError`, `NotNormalised`, `NegativeDensity`,
`VerifyInputError`, `SettingsError`), a build that cannot complete (`BuildError`), and a request
we cannot serve yet (`Unsupported`).  `EquivalenceAssertionError` is what
`derive.testing.assert_equivalent` raises in a user's test suite (an ``AssertionError``).
"""

from __future__ import annotations


class DeriveError(Exception):
    """Base class of every error raised by `derive`."""


class ParseError(DeriveError, ValueError):
    """Hand-written LaTeX that cannot be read.

    Attributes: ``text`` (the input), ``position`` (0-based offset, or None), ``reason``.
    """

    def __init__(self, text: str, reason: str, position: int | None = None):
        self.text = text
        self.reason = reason
        self.position = position
        where = f" at position {position}" if position is not None else ""
        shown = text if len(text) <= 80 else text[:77] + "..."
        pointer = ""
        if position is not None and len(text) <= 80:
            pointer = "\n    " + " " * position + "^"
        super().__init__(f"cannot parse LaTeX{where}: {reason}\n    {shown}{pointer}")


class UnknownAssumption(DeriveError, KeyError):
    """A name that is not in the catalogue; the message lists the known ones."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(f"unknown assumption {name!r}; known: {', '.join(known)}")

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.args[0]


class DomainError(DeriveError, ValueError):
    """A value outside the domain of the symbol it is given for (e.g. ``sigma=-1``)."""


class DistributionError(DeriveError, ValueError):
    """A finite distribution that is not one: negative entry, does not sum to 1, bad length."""


class ConfigError(DeriveError, ValueError):
    """A printer, build or project setting that does not exist, or a value it cannot take."""


class BuildError(DeriveError):
    """`derive build` cannot write where it was asked to, would overwrite a file it did not
    write, or TeX failed; the message names the file (and ``--force`` where it applies)."""


class Unsupported(DeriveError, NotImplementedError):
    """Well-formed input that `derive` does not handle (yet); the message says what."""


class UnknownFamily(UnknownAssumption):
    """A family name that is not registered; the message lists the known ones."""

    def __init__(self, name: str, known: list[str]):
        super().__init__(name, known)
        self.args = (f"unknown family {name!r}; known: {', '.join(known)}",)


class NotNormalised(DeriveError, ValueError):
    """A custom density whose mass over the support is not 1."""


class NegativeDensity(DeriveError, ValueError):
    """A custom density that is negative somewhere on the support."""


class VerifyInputError(DeriveError, ValueError):
    """A file ``derive verify`` cannot read (missing, unknown kind, broken notebook, unclosed display)."""


class SettingsError(DeriveError, ValueError):
    """A directive, a derive.toml entry or an option that cannot be read; the message says where."""


class EquivalenceAssertionError(AssertionError):
    """Two formulas not proved equivalent (:func:`derive.testing.assert_equivalent`); ``verdict``
    is the :class:`~derive.Verdict`."""

    def __init__(self, message: str, verdict):
        super().__init__(message)
        self.verdict = verdict
