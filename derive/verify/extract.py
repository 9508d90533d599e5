"""Find the displayed formulas of a document, with the line each starts on.

A *display* is the body of ``\\begin{align}...\\end{align}`` (``align*``, ``eqnarray``,
``equation``, ``multline``, ``gather``, ``flalign``, ``alignat``), ``\\[...\\]`` or ``$$...$$``;
with ``inline=True`` also ``$...$``.  Nested ``aligned``/``split`` stay inside the body (the
step splitter drops their markers).  Text between displays is never read, except the
*directives*: ``% derive: assume sigma > 0, params yhat`` (TeX) and
``<!-- derive: ... -->`` (Markdown, and Markdown cells of a notebook).

Files: ``.tex`` (``%`` comments removed, line structure kept), ``.md``/``.markdown`` (fenced
and inline code skipped), ``.ipynb`` (each Markdown cell read as Markdown; a location is
``cell N, line L``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from derive.errors import VerifyInputError

__all__ = ["Directive", "Display", "Document", "VerifyInputError", "read_document"]

DISPLAY_ENVIRONMENTS = ("align", "eqnarray", "equation", "multline", "gather", "flalign", "alignat",
                        "displaymath", "math")
_BEGIN = re.compile(r"\\begin\{(" + "|".join(DISPLAY_ENVIRONMENTS) + r")(\*?)\}")
_TEX_DIRECTIVE = re.compile(r"^\s*derive\s*:\s*(.*)$")
_MD_DIRECTIVE = re.compile(r"<!--\s*derive\s*:(.*?)-->", re.S)
_FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Directive:
    """A ``derive:`` comment: its text after ``derive:`` and where it was written."""

    text: str
    line: int
    cell: int | None = None


@dataclass(frozen=True)
class Display:
    """A display's body, the line of its first character, and how it was delimited."""

    body: str
    line: int
    kind: str
    cell: int | None = None

    def line_at(self, offset: int) -> int:
        """The line of ``body[offset]``."""
        return self.line + self.body.count("\n", 0, max(0, offset))


@dataclass
class Document:
    """A read file: its displays and its directives, in reading order."""

    path: str
    displays: list[Display] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)


def _strip_tex_comments(text: str, directives: list[Directive], cell: int | None) -> str:
    """``%`` to the end of the line removed (``\\%`` kept); ``% derive: ...`` recorded."""
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = re.search(r"(?<!\\)%", line)
        if match:
            found = _TEX_DIRECTIVE.match(line[match.end():])
            if found:
                directives.append(Directive(found.group(1).strip(), number, cell))
            line = line[:match.start()]
        out.append(line)
    return "\n".join(out)


def _blank_markdown_code(text: str, directives: list[Directive], cell: int | None) -> str:
    """Fenced code blocks and inline code replaced by spaces (lines kept); then the directives
    (``<!-- derive: ... -->``) outside code recorded and blanked."""
    lines, fenced = text.split("\n"), False
    for i, line in enumerate(lines):
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            lines[i] = ""
        elif fenced:
            lines[i] = ""
    text = re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), "\n".join(lines))
    for match in _MD_DIRECTIVE.finditer(text):
        directives.append(Directive(match.group(1).strip(), text.count("\n", 0, match.start()) + 1, cell))
    return _MD_DIRECTIVE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _find_close(text: str, closer: str, start: int) -> int:
    """Offset of the first unescaped ``closer`` at or after ``start``, or -1."""
    i = start
    while True:
        j = text.find(closer, i)
        if j < 0:
            return -1
        backslashes = len(text[:j]) - len(text[:j].rstrip("\\"))
        if backslashes % 2 == 0 or closer.startswith("\\"):
            return j
        i = j + 1


def _scan(text: str, path: str, inline: bool, cell: int | None, line0: int = 1) -> list[Display]:
    """The displays of comment-free text, in order."""
    displays, i = [], 0
    opener = re.compile(r"\\begin\{|\\\[|\$\$|\\\$|\$")
    while True:
        m = opener.search(text, i)
        if m is None:
            return displays
        token = m.group(0)
        if token == "\\$":
            i = m.end()
            continue
        if token == "\\begin{":
            env = _BEGIN.match(text, m.start())
            if env is None:
                i = m.end()
                continue
            name = env.group(1) + env.group(2)
            closer, kind = "\\end{" + name + "}", name
            body_start = env.end()
        elif token == "\\[":
            closer, kind, body_start = "\\]", "\\[", m.end()
        elif token == "$$":
            closer, kind, body_start = "$$", "$$", m.end()
        else:
            closer, kind, body_start = "$", "$", m.end()
        end = _find_close(text, closer, body_start)
        line = line0 + text.count("\n", 0, body_start)
        if end < 0:
            if kind == "$":  # a lone dollar in prose (a price): not a formula
                i = m.end()
                continue
            where = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
            raise VerifyInputError(f"{path}: {where}: the display opened by {token!r} is never closed "
                                   f"(expected {closer!r})")
        if kind != "$" or inline:
            displays.append(Display(text[body_start:end], line, kind, cell))
        i = end + len(closer)


def _read_notebook(path: str, raw: str, inline: bool) -> Document:
    try:
        notebook = json.loads(raw)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise VerifyInputError(f"{path}: not a Jupyter notebook ({exc})") from exc
    doc = Document(path)
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        text = _blank_markdown_code(source, doc.directives, number)
        doc.displays.extend(_scan(text, path, inline, number))
    return doc


def read_document(path: str | Path, *, inline: bool = False) -> Document:
    """The displays and directives of a ``.tex``, ``.md`` or ``.ipynb`` file.

    Raises VerifyInputError for a missing file, an unknown suffix or an unclosed display."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".tex", ".md", ".markdown", ".ipynb"):
        raise VerifyInputError(f"{path}: cannot verify a {suffix or 'suffix-less'} file; "
                               "give .tex, .md or .ipynb files")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VerifyInputError(f"{path}: cannot read the file ({exc})") from exc
    if suffix == ".ipynb":
        return _read_notebook(str(path), raw, inline)
    doc = Document(str(path))
    if suffix == ".tex":
        text = _strip_tex_comments(raw, doc.directives, None)
    else:
        text = _blank_markdown_code(raw, doc.directives, None)
    doc.displays.extend(_scan(text, str(path), inline, None))
    return doc
