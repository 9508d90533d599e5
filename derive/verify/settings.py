"""What a verification assumes: the parameters, the domains of symbols, how ``\\propto`` reads.

Three sources, merged in this order (later ones add to earlier ones):

1. ``derive.toml`` beside the file, table ``[verify]``::

       [verify]
       params = ["yhat", "w"]          # or "yhat, w"
       assume = ["sigma > 0", "0 < p < 1"]
       propto = "affine"               # or "proportional" (the default)

2. directives in the document, in force from their line on:
   ``% derive: assume sigma > 0, 0 < p < 1, params yhat`` (TeX),
   ``<!-- derive: params \\hat{y} -->`` (Markdown);
3. the command line: ``--assume 'sigma > 0'``, ``--params yhat``, ``--propto affine``.

A condition is ``x > 0`` (positive), ``x >= 0`` / ``x \\ge 0`` (non-negative), ``x < 0``
(negative), ``a < x < b`` (an open interval), ``x integer``, ``x size`` (an integer from 1).
Names may be written as derive spells them (``sigma``, ``yhat``) or in LaTeX (``\\sigma``,
``\\hat{y}``).  ``propto``: ``proportional`` reads ``a \\propto b`` as a = c b with c > 0 free of
the params; ``affine`` also allows an added term free of the params (same minimisers).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from derive.errors import DeriveError, SettingsError

FORMATS = ("text", "json", "github")  #: report formats
EXIT_PROVED, EXIT_REFUTED, EXIT_BAD_INPUT, EXIT_UNDECIDED = 0, 1, 2, 3

__all__ = ["Settings", "SettingsError", "parse_assumption", "read_toml", "split_list", "symbol_name"]

PROPTO_READINGS = ("proportional", "affine")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*$")
_NUMBER = r"-?\d+(?:\.\d+)?(?:/\d+)?"
_LE = r"(?:<=|\\le(?:q)?(?![A-Za-z])|≤)"
_GE = r"(?:>=|\\ge(?:q)?(?![A-Za-z])|≥)"


def symbol_name(text: str, where: str) -> str:
    """The name derive gives to ``text`` (``\\hat{y}`` -> ``yhat``; ``sigma`` stays)."""
    text = text.strip()
    if _NAME.match(text):
        return text
    from derive import parse_latex
    import sympy as sp

    try:
        expr = parse_latex(text)
    except DeriveError as exc:
        raise SettingsError(f"{where}: cannot read the name {text!r} ({exc})") from exc
    if isinstance(expr, sp.Symbol):
        return expr.name
    if isinstance(expr, sp.Indexed):
        return str(expr.base.label)
    raise SettingsError(f"{where}: {text!r} is not a single symbol")


def parse_assumption(text: str, where: str) -> tuple[str, object]:
    """``'sigma > 0'`` -> ``('sigma', 'positive')``; ``'0 < p < 1'`` -> ``('p', (0, 1))``."""
    t = text.strip()
    m = re.fullmatch(rf"({_NUMBER})\s*(?:<|\\lt)\s*(.+?)\s*(?:<|\\lt)\s*({_NUMBER})", t)
    if m:
        lo, hi = Fraction(m.group(1)), Fraction(m.group(3))
        if lo >= hi:
            raise SettingsError(f"{where}: empty interval in {text!r}")
        return symbol_name(m.group(2), where), (lo, hi)
    rules = [(rf"(.+?)\s*>\s*0", "positive"), (rf"(.+?)\s*{_GE}\s*0", "nonnegative"),
             (rf"(.+?)\s*<\s*0", "negative"), (r"(.+?)\s+integer", "integer"), (r"(.+?)\s+real", "real"), (r"(.+?)\s+size", "size")]
    for pattern, kind in rules:
        m = re.fullmatch(pattern, t)
        if m:
            return symbol_name(m.group(1), where), kind
    raise SettingsError(f"{where}: cannot read the assumption {text!r}; write 'x > 0', 'x >= 0', 'x < 0', "
                        "'0 < x < 1', 'n integer' or 'n size'")


def split_list(text: str) -> list[str]:
    """Comma-separated items, commas inside braces or parentheses kept."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += (c in "{([") - (c in "})]")
        if c == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


@dataclass(frozen=True)
class Settings:
    """The params (names), the assumptions ``{name: kind}``, the reading of ``\\propto``, the
    seconds per verdict, and where each assumption came from (for the report)."""

    params: tuple[str, ...] = ()
    assume: dict = field(default_factory=dict)
    propto: str = "proportional"
    timeout: float = 5.0
    sources: tuple[str, ...] = ()

    def with_assumptions(self, conditions: list[str], where: str) -> Settings:
        assume = dict(self.assume)
        for condition in conditions:
            name, kind = parse_assumption(condition, where)
            assume[name] = kind
        return replace(self, assume=assume, sources=self.sources + (where,))

    def with_params(self, names: list[str], where: str) -> Settings:
        new = tuple(symbol_name(n, where) for n in names)
        return replace(self, params=tuple(dict.fromkeys(self.params + new)), sources=self.sources + (where,))

    def with_propto(self, reading: str, where: str) -> Settings:
        if reading not in PROPTO_READINGS:
            raise SettingsError(f"{where}: propto must be one of {', '.join(PROPTO_READINGS)}, not {reading!r}")
        return replace(self, propto=reading)

    def with_directive(self, text: str, where: str) -> Settings:
        """``assume sigma > 0, 0 < p < 1, params yhat, propto affine`` (clauses in any order)."""
        parts = re.split(r"(?:^|,)\s*\b(assume|params|propto)\b", text)
        if parts[0].strip(" ,"):
            raise SettingsError(f"{where}: a derive directive starts with assume, params or propto, "
                                f"not {parts[0].strip()!r}")
        settings = self
        for keyword, body in zip(parts[1::2], parts[2::2]):
            items = split_list(body)
            if keyword == "assume":
                settings = settings.with_assumptions(items, where)
            elif keyword == "params":
                settings = settings.with_params(items, where)
            else:
                settings = settings.with_propto(body.strip(" ,"), where)
        return settings

    def describe(self) -> list[str]:
        """The assumptions in words, for the report."""
        out = []
        for name, kind in self.assume.items():
            if isinstance(kind, tuple):
                out.append(f"{kind[0]} < {name} < {kind[1]}")
            else:
                out.append({"positive": f"{name} > 0", "nonnegative": f"{name} >= 0", "negative": f"{name} < 0",
                            "integer": f"{name} integer", "real": f"{name} real", "size": f"{name} a size (integer >= 1)"}[kind])
        if self.params:
            out.append("params " + ", ".join(self.params))
        if self.propto != "proportional":
            out.append(f"\\propto read as {self.propto}")
        return out


def read_toml(directory: Path, settings: Settings) -> Settings:
    """``settings`` with the ``[verify]`` table of ``directory/derive.toml`` (if any) applied."""
    path = directory / "derive.toml"
    if not path.is_file():
        return settings
    where = str(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("verify", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{where}: cannot read ({exc})") from exc
    unknown = sorted(set(table) - {"params", "assume", "propto"})
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) in [verify]: {', '.join(unknown)}; known: params, assume, propto")

    def as_list(value, key):
        if isinstance(value, str):
            return split_list(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise SettingsError(f"{where}: [verify] {key} must be a string or a list of strings")

    if "params" in table:
        settings = settings.with_params(as_list(table["params"], "params"), where)
    if "assume" in table:
        settings = settings.with_assumptions(as_list(table["assume"], "assume"), where)
    if "propto" in table:
        settings = settings.with_propto(str(table["propto"]), where)
    return settings
