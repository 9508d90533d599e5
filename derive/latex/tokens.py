"""The TeX tokenizer shared by the LaTeX reader and the printer's size estimator.

Two levels, no dependency on the parser:

- :func:`tokenize` splits math into :class:`Token` objects (commands, letters, digits, the
  characters of :data:`CHARS`), with positions, skipping whitespace and ``%`` comments.
- :func:`next_tex_token` and :func:`tex_argument` walk a TeX string as TeX reads it: a control
  sequence, a balanced brace group, or one character; an argument is a token with its braces
  removed.  They never fail (a size estimator reads our own output, which is well formed).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Collection

from derive.errors import ParseError

__all__ = ["CHARS", "Token", "next_tex_token", "rename_math", "rename_symbols", "tex_argument", "tokenize"]

#: The characters that are tokens of their own.
CHARS = frozenset("{}()[]^_+-*/=,;:|!'<>&.~$")



@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is 'cmd', 'letter', 'digit' or 'char'; ``pos`` is its offset."""

    kind: str
    value: str
    pos: int
    arg: str | None = None  # raw brace argument of RAW_ARG commands

    @property
    def key(self) -> str:
        """``\\name`` for commands, the character otherwise."""
        return "\\" + self.value if self.kind == "cmd" else self.value


def tokenize(text: str, raw_arg: Collection[str] = frozenset()) -> list[Token]:
    """Split LaTeX math into tokens; whitespace and ``%`` comments are skipped.

    ``raw_arg``: commands whose brace argument is kept raw in ``Token.arg`` (font and text
    commands, ``\\label``, ``\\begin``: names, not math).
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "%":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == "\\":
            token, i = _read_command(text, i, raw_arg)
            tokens.append(token)
        else:
            tokens.append(Token(_char_kind(text, i), c, i))
            i += 1
    return tokens


def _char_kind(text: str, i: int) -> str:
    c = text[i]
    if c in string.digits:
        return "digit"
    if c in string.ascii_letters:
        return "letter"
    if c in CHARS:
        return "char"
    raise ParseError(text, f"unexpected character {c!r}", i)


def _read_command(text: str, start: int, raw_arg: Collection[str]) -> tuple[Token, int]:
    j = start + 1
    if j >= len(text):
        raise ParseError(text, "lone backslash at the end", start)
    if text[j] not in string.ascii_letters:
        return Token("cmd", text[j], start), j + 1
    while j < len(text) and text[j] in string.ascii_letters:
        j += 1
    name = text[start + 1 : j]
    if name not in raw_arg:
        return Token("cmd", name, start), j
    arg, j = _read_raw_arg(text, j, name, start)
    return Token("cmd", name, start, arg), j


def _read_raw_arg(text: str, j: int, name: str, start: int) -> tuple[str, int]:
    """The argument of ``\\name``: a balanced brace group, a command name or one character."""
    while j < len(text) and text[j] in " \t\r\n":
        j += 1
    if j >= len(text):
        raise ParseError(text, f"\\{name} needs an argument", start)
    c = text[j]
    if c == "{":
        depth, k = 0, j
        while k < len(text):
            if text[k] == "\\":
                k += 2
                continue
            depth += {"{": 1, "}": -1}.get(text[k], 0)
            if depth == 0:
                return text[j + 1 : k], k + 1
            k += 1
        raise ParseError(text, f"unbalanced '{{' after \\{name}", j)
    if c == "\\":
        k = j + 1
        while k < len(text) and text[k] in string.ascii_letters:
            k += 1
        if k == j + 1:
            raise ParseError(text, f"\\{name} needs an argument", start)
        return text[j:k], k
    if c in string.ascii_letters or c in string.digits:
        return c, j + 1
    raise ParseError(text, f"\\{name} needs an argument", start)


def next_tex_token(tex: str, pos: int) -> tuple[str, int]:
    """The TeX token starting at ``pos`` and the offset after it: ``\\name`` (or ``\\`` and one
    character), a balanced group ``{...}`` (braces kept; escaped braces skipped), or one character."""
    start, n = pos, len(tex)
    if pos >= n:
        return "", pos
    char = tex[pos]
    if char == "\\":
        pos += 1
        if pos < n and tex[pos].isalpha():
            while pos < n and tex[pos].isalpha():
                pos += 1
        else:
            pos += 1
    elif char == "{":
        depth = 0
        while pos < n:
            c = tex[pos]
            if c == "\\":
                pos += 2
                continue
            depth += c == "{"
            depth -= c == "}"
            pos += 1
            if depth == 0:
                break
    else:
        pos += 1
    return tex[start:min(pos, n)], min(pos, n)


def tex_argument(tex: str, pos: int) -> tuple[str, int]:
    """A macro argument at ``pos`` (spaces skipped): a brace group without its braces, or one token."""
    while pos < len(tex) and tex[pos] == " ":
        pos += 1
    token, pos = next_tex_token(tex, pos)
    return (token[1:-1] if token.startswith("{") and token.endswith("}") else token), pos


#: Commands whose argument is words or a name, never renamed (``\\text{only y}``).
_WORDS = frozenset({"\\text", "\\textrm", "\\textit", "\\textbf", "\\texttt", "\\mathrm", "\\operatorname",
                    "\\mbox", "\\label", "\\ref", "\\begin", "\\end", "\\intertext", "\\emph"})


def rename_math(text: str, renames: dict[str, str]) -> str:
    """Words with math between ``$``: :func:`rename_symbols` on the math only."""
    if not renames or "$" not in text:
        return text
    parts = text.split("$")
    return "$".join(rename_symbols(p, renames) if i % 2 else p for i, p in enumerate(parts))


def rename_symbols(tex: str, renames: dict[str, str]) -> str:
    """``tex`` with each symbol written as a key of ``renames`` (``y``, ``\\hat{y}``, ``\\sigma``)
    written as its value (``t``, ``\\mu``), by tokens: ``\\hat{y}_{i}`` -> ``\\mu_{i}``, ``y_{i}`` ->
    ``t_{i}``, while words (``\\text{only y}``), other letters and longer names stay.  A control
    word put before a letter gets a space (``\\mu x``, not ``\\mux``)."""
    if not renames:
        return tex
    out: list[str] = []
    pos, n = 0, len(tex)
    while pos < n:
        token, end = next_tex_token(tex, pos)
        if token in _WORDS:  # the command and its argument as they are
            after, stop = next_tex_token(tex, end)
            while after.isspace() and stop < n:
                out.append(after)
                after, stop = next_tex_token(tex, stop)
            out.append(token + (after if after.startswith("{") else ""))
            pos = stop if after.startswith("{") else end
            continue
        replaced = None
        if token.startswith("\\") and end < n and tex[end] == "{":  # an accent: \hat{y}
            group, after = next_tex_token(tex, end)
            if token + group in renames:
                replaced, end = renames[token + group], after
        if replaced is None and token in renames:
            replaced = renames[token]
        if replaced is None and token.startswith("{") and token.endswith("}"):
            replaced = "{" + rename_symbols(token[1:-1], renames) + "}"
        if replaced is not None and replaced[-1:].isalpha() and replaced.startswith("\\") and end < n and tex[end].isalpha():
            replaced += " "
        out.append(token if replaced is None else replaced)
        pos = end
    return "".join(out)


_BIG = frozenset({"\\sum", "\\prod"})
_DOTS = frozenset({"\\dots", "\\ldots", "\\cdots"})


def _inside(token: str) -> str:
    """A brace group's content (stripped), or the token itself."""
    return token[1:-1].strip() if token.startswith("{") and token.endswith("}") else token


def classes_from_zero(tex: str) -> str:
    """Hand-written ``tex`` with the classes numbered from 0, the printer's rule
    (:meth:`derive.latex.printer.TextbookPrinter.sum_limits`) on tokens: a sum or product over
    ``k = 1..K`` is over ``k = 0..K - 1`` (``\\sum_{k=1}^{K}`` -> ``\\sum_{k=0}^{K - 1}``, either
    script first), and a list ``x_1, \\dots, x_K`` is ``x_0, \\dots, x_{K - 1}``.  Inside brace
    groups too; other sums, lists and indices stay as written."""
    tokens, pos = [], 0
    while pos < len(tex):
        token, pos = next_tex_token(tex, pos)
        tokens.append(token)
    solid = [i for i, t in enumerate(tokens) if not t.isspace()]  # where the non-space tokens are

    def read(n: int, count: int) -> list[str]:  # the count non-space tokens from the n-th on
        return [tokens[i] for i in solid[n:n + count]]

    for n, i in enumerate(solid):
        if tokens[i] in _BIG:  # \sum _ {k=1} ^ {K}, or ^ first
            marks, values = read(n + 1, 4)[0::2], solid[n + 2:n + 5:2]
            scripts = dict(zip(marks, values))
            if sorted(scripts) == ["^", "_"] and _inside(tokens[scripts["^"]]) == "K":
                index, equals, first = _inside(tokens[scripts["_"]]).partition("=")
                if equals and first.strip() == "1" and index.strip():
                    tokens[scripts["_"]], tokens[scripts["^"]] = "{%s=0}" % index.strip(), "{K - 1}"
        elif tokens[i] == "_" and [_inside(t) for t in read(n + 1, 1)] == ["1"]:
            # x _ 1 , \dots , x _ K: the base is the one or two tokens before (x, or \hat {y})
            for size in (2, 1):
                base, tail = read(n - size, size), read(n + 2, 5 + size)  # tail: , \dots , x _ K
                if n >= size and len(tail) == 5 + size and tail[0] == tail[2] == "," and tail[1] in _DOTS \
                        and tail[3:-2] == base and tail[-2] == "_" and _inside(tail[-1]) == "K":
                    tokens[solid[n + 1]], tokens[solid[n + 6 + size]] = "0", "{K - 1}"
                    break
    return "".join("{" + classes_from_zero(t[1:-1]) + "}" if t.startswith("{") and t.endswith("}") else t
                   for t in tokens)
