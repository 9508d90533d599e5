"""Split a display into rows, and a row into members joined by relations.

A row ends at a depth-0 ``\\\\``.  In a row, ``&&`` starts a note (``&& \\text{by Bayes}``),
single ``&`` marks are alignment and vanish, ``\\intertext{...}`` is a note (so is a row that opens
with words, ``&\\text{drop the constants ...}``, Markdown's stand-in for it), and the layout
commands (``\\label``, ``\\tag``, ``\\nonumber``, ``\\MoveEqLeft``, beamer's
``\\visible<2->{...}``, ``\\underbrace{x}_{...}`` kept as ``x``, ``\\boxed``) are removed.  The
rest is split at depth-0 relation symbols: ``a = b \\propto c`` has members a, b, c.  A row whose
first member is empty (``&= ...``) continues the previous row.

A member may say it holds only up to a constant: a last (or first) term ``+ \\text{const}``,
``+ \\mathrm{const}``, ``+ \\text{constant}``, ``+ \\text{const.}`` or ``+ C`` (C used nowhere else
in the member) is removed and the member is marked ``up_to_constant``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Member", "Row", "RELATION_KINDS", "split_rows"]

#: Relation token -> kind.
RELATION_KINDS = {
    "=": "=", ":=": "define", "=:": "define", "\\coloneqq": "define", "\\coloneq": "define",
    "\\triangleq": "define", "\\eqqcolon": "define", "\\equiv": "equiv", "\\approx": "approx",
    "\\simeq": "approx", "\\propto": "propto", "\\le": "le", "\\leq": "le", "\\leqslant": "le",
    "<": "lt", "\\lt": "lt", "\\ge": "ge", "\\geq": "ge", "\\geqslant": "ge", ">": "gt", "\\gt": "gt",
    "\\neq": "neq", "\\ne": "neq", "\\sim": "sim", "\\in": "in",
}
_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|:=|=:|[^\\]", re.S)
_OPEN = {"{", "(", "[", "\\{", "\\langle", "\\lbrace", "\\begin"}
_CLOSE = {"}", ")", "]", "\\}", "\\rangle", "\\rbrace", "\\end"}
_BRACES = ({"{", "\\begin"}, {"}", "\\end"})  # what a row break must be outside of
_LAYOUT_ENVS = re.compile(r"\\(?:begin|end)\{(?:aligned|alignedat|split|gathered)\}(?:\{[^}]*\})?")
_LEADING_OPERATOR = re.compile(r"^\s*(?:\\q?quad\b|\\hspace\*?\{[^}]*\}|\\[,;:!]|\s)*(?:[-+]|\\cdot\b|\\times\b)")
#: Commands removed with their brace argument (and an optional [..] before it).
_DROP_WITH_ARG = ("label", "tag", "tag*", "hphantom", "vphantom", "phantom", "color")
#: Commands removed alone.
_DROP = ("nonumber", "notag", "pause", "displaystyle", "textstyle", "allowdisplaybreaks", "hfill",
         "begin{aligned}", "end{aligned}", "begin{split}", "end{split}", "begin{gathered}", "end{gathered}")
#: Wrappers whose argument is kept: \visible<2->{x} -> x, \underbrace{x}_{note} -> x.
_UNWRAP_OVERLAY = ("visible", "only", "uncover", "onslide", "alert", "invisible")
#: A row that opens with words in the relation column (``&\text{the log of a product ...}``):
#: a note, not a formula.  Words mean a space inside the braces (``&\text{KL}(P \| Q) = ...`` is a
#: formula); a row with a left side (``\text{at } y = 1 &= x``) is a formula holding words (unread).
_PROSE_LEAD = re.compile(r"^\s*&\s*\\(?:text|textrm|mbox)\s*\{(?:[^{}]*\s[^{}]*|[^{}]*\$[^{}]*)\}")
_CONST_WORD = r"(?:\\(?:text|mathrm|textrm|operatorname)\s*\{\s*(?:const\.?|constant|cst\.?)[^{}]*\}|\\const\b)"


@dataclass
class Member:
    """One side in a chain: its LaTeX (cleaned), offset in the display body, constant marker."""

    latex: str
    offset: int
    up_to_constant: bool = False


@dataclass
class Row:
    """A row of a display: members, the relation kinds between them, notes, and its offset."""

    members: list[Member]
    relations: list[str]
    offset: int
    notes: list[str] = field(default_factory=list)

    @property
    def continues(self) -> bool:
        """True when the row starts with a relation (``&= ...``): it continues the previous row."""
        return not self.members[0].latex.strip()


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]


def _brace_end(text: str, start: int) -> int:
    """Index just after the brace group that opens at ``text[start] == '{'`` (or len(text))."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        i += 1
        if depth == 0:
            return i
    return len(text)


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with [start, end) replaced by spaces, newlines kept (offsets stay valid)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _clean(text: str, notes: list[str]) -> str:
    """Layout commands blanked out (offsets kept); notes collected."""
    # \intertext{...} / \shortintertext{...}: a note
    for name in ("intertext", "shortintertext"):
        for m in list(re.finditer(r"\\" + name + r"\s*\{", text)):
            end = _brace_end(text, m.end() - 1)
            notes.append(text[m.end():end - 1])
            text = _blank(text, m.start(), end)
    for name in _DROP_WITH_ARG:
        for m in list(re.finditer(r"\\" + re.escape(name) + r"\s*(\[[^\]]*\])?\s*\{", text)):
            text = _blank(text, m.start(), _brace_end(text, m.end() - 1))
    for name in _DROP:
        text = re.sub(r"\\" + re.escape(name).replace(r"\{", "{").replace(r"\}", "}") + r"(?![A-Za-z])",
                      lambda m: " " * len(m.group(0)), text)
    text = re.sub(r"\\MoveEqLeft(\[[^\]]*\])?", lambda m: " " * len(m.group(0)), text)
    text = re.sub(r"\\\\\s*\[[^\]]*\]", lambda m: "\\\\" + " " * (len(m.group(0)) - 2), text)  # \\[2pt]
    # overlays: \visible<2->{x} -> x
    for m in list(re.finditer(r"\\(" + "|".join(_UNWRAP_OVERLAY) + r")\s*(<[^>]*>)?\s*\{", text)):
        end = _brace_end(text, m.end() - 1)
        text = _blank(_blank(text, end - 1, end), m.start(), m.end())
    # \underbrace{x}_{note} -> x (and \overbrace{x}^{note}), \boxed{x} -> x
    for name, script in (("underbrace", "_"), ("overbrace", "^"), ("boxed", None)):
        while True:
            m = re.search(r"\\" + name + r"\s*\{", text)
            if m is None:
                break
            end = _brace_end(text, m.end() - 1)
            text = _blank(_blank(text, end - 1, end), m.start(), m.end())
            j = _skip_space(text, end)
            if script and j < len(text) and text[j] == script:
                k = _skip_space(text, j + 1)
                stop = _brace_end(text, k) if k < len(text) and text[k] == "{" else k + 1
                notes.append(text[k + 1:stop - 1] if text[k:k + 1] == "{" else text[k:stop])
                text = _blank(text, j, stop)
    return text


def _split_depth0(text: str, separator: str, groups: tuple[set, set] = (_OPEN, _CLOSE)) -> list[tuple[str, int]]:
    """Pieces of ``text`` between depth-0 ``separator`` tokens, with their offsets (depth counts
    the ``groups`` openers and closers)."""
    pieces, depth, start = [], 0, 0
    for tok, pos in _tokens(text):
        if tok in groups[0]:
            depth += 1
        elif tok in groups[1]:
            depth = max(0, depth - 1)
        elif tok == separator and depth == 0:
            pieces.append((text[start:pos], start))
            start = pos + len(tok)
    pieces.append((text[start:], start))
    return pieces


def _strip_trailing(text: str) -> str:
    """Final punctuation and a trailing ``\\quad \\text{...}`` remark removed (blanked)."""
    m = re.search(r"(\\q?quad|\\[,;:]|~)\s*\(?\s*\\text\s*\{[^{}]*\}\s*\)?[\s.,;]*$", text)
    if m:
        text = _blank(text, m.start(), len(text))
    m = re.search(r"[.,;]\s*$", text)
    if m:
        text = _blank(text, m.start(), len(text))
    return text


def _mark_constant(text: str) -> tuple[str, bool]:
    """A ``+ \\text{const}`` / ``+ C`` term removed; True when there was one."""
    patterns = [r"([+-])\s*" + _CONST_WORD + r"\s*$", r"^\s*" + _CONST_WORD + r"\s*([+-])",
                r"([+-])\s*C\s*$"]
    for number, pattern in enumerate(patterns):
        m = re.search(pattern, text)
        if m is None:
            continue
        if number == 2 and re.search(r"(?<![\\A-Za-z])C(?![A-Za-z])", text[:m.start()]):
            continue  # C is a symbol of the formula (a number of classes), not a constant
        if number == 1:  # const + x -> x, const - x -> -x
            return _blank(text, m.start(), m.start(1) + (m.group(1) == "+")), True
        return _blank(text, m.start(), len(text)), True
    return text, False


def _relation_split(text: str, offset: int) -> tuple[list[Member], list[str]]:
    members, relations, depth, start = [], [], 0, 0
    for tok, pos in _tokens(text):
        if tok in _OPEN:
            depth += 1
        elif tok in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and tok in RELATION_KINDS:
            members.append(Member(text[start:pos], offset + start))
            relations.append(RELATION_KINDS[tok])
            start = pos + len(tok)
    members.append(Member(text[start:], offset + start))
    return members, relations


def _bracket_balance(text: str) -> int:
    depth = 0
    for tok, _ in _tokens(text):
        depth += (tok in _OPEN) - (tok in _CLOSE)
    return depth


def _lines(body: str) -> list[tuple[str, int]]:
    """Rows split at ``\\\\`` outside braces; a row that starts with an operator (``&\\quad - x``)
    or follows an unclosed bracket (``\\biggl[ ... \\\\ ... \\biggr]``) joins the row before it."""
    body = _LAYOUT_ENVS.sub(lambda m: " " * len(m.group(0)), body)
    raw = _split_depth0(body, "\\\\", _BRACES)
    merged: list[tuple[str, int]] = []
    for text, offset in raw:
        probe = _clean(text, []).lstrip()
        operator_row = (probe.startswith("&") and _LEADING_OPERATOR.match(probe[1:])) or \
            (_LEADING_OPERATOR.match(probe) and len(_relation_split(probe, 0)[0]) == 1)
        joins = merged and (operator_row or _bracket_balance(merged[-1][0]) > 0) and "\\intertext" not in text
        if joins:
            text = re.sub(r"^(\s*&?\s*)((?:\\q?quad\b|\\hspace\*?\{[^}]*\}|\\[,;:!]|\s)*)",
                          lambda m: m.group(1) + " " * len(m.group(2)), text)
            merged[-1] = (merged[-1][0] + "  " + text, merged[-1][1])
        else:
            merged.append((text, offset))
    return merged


def _drop_notes(cleaned: str, pieces: list[tuple[str, int]], notes: list[str]) -> str:
    """The row's formula: alignment ``&`` blanked; an empty piece after formula text (``&&``)
    starts a note, which ends where a piece starting with an operator resumes the formula (a
    line broken after its note: ``&= a && \\text{...} \\\\ &\\quad + b``)."""
    text, seen, in_note = cleaned, False, False
    for piece, pos in pieces:
        if pos > 0:
            text = text[:pos - 1] + " " + text[pos:]  # the '&' itself
        if in_note and _LEADING_OPERATOR.match(piece):
            in_note = False
        elif not piece.strip() and seen:
            in_note = True
            continue
        if in_note:
            if piece.strip():
                notes.append(piece)
            text = _blank(text, pos, pos + len(piece))
            continue
        seen = seen or bool(piece.strip())
    return text


def split_rows(body: str) -> list[Row]:
    """The rows of a display body (see the module docstring); empty rows are dropped."""
    rows = []
    pending: list[str] = []  # notes on rows of their own, given to the row after them
    for row_text, row_offset in _lines(body):
        notes, pending = pending, []
        row_text = re.sub(r"^\*?\s*\[[-0-9.\s]*[a-z]{2}\]", lambda m: " " * len(m.group(0)), row_text)
        cleaned = _clean(row_text, notes)
        if _PROSE_LEAD.match(cleaned):  # '&\text{drop the constants ...}': Markdown's \intertext
            pending = notes + [cleaned.strip().lstrip("&").strip()]
            continue
        pieces = _split_depth0(cleaned, "&", _BRACES)
        # '&&' leaves an empty piece; everything after the first empty piece that follows
        # formula text is a note (align's annotation column).
        text = _drop_notes(cleaned, pieces, notes)
        text = _strip_trailing(text)
        if not text.strip():
            pending = notes
            continue
        members, relations = _relation_split(text, row_offset)
        for member in members:
            member.latex, member.up_to_constant = _mark_constant(member.latex)
        rows.append(Row(members, relations, row_offset, notes))
    return _join_lone_left_sides(rows)


def _join_lone_left_sides(rows: list[Row]) -> list[Row]:
    """A left side on a row of its own (``\\MoveEqLeft \\bar{\\ell} \\\\ &= ...``) and the row that
    continues it are one row: ``\\bar{\\ell} = ...``."""
    joined: list[Row] = []
    for row in rows:
        before = joined[-1] if joined else None
        if before is not None and row.continues and not before.relations and not before.continues:
            joined[-1] = Row([before.members[0], *row.members[1:]], row.relations, before.offset,
                             before.notes + row.notes)
        else:
            joined.append(row)
    return joined
