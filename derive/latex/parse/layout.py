"""Layout: what is typesetting, not mathematics (delimiters, environments, spacing, sizes,
annotations), and the split of a formula at its relations (depth 0, by us)."""

from __future__ import annotations

from derive.errors import ParseError
from derive.latex.parse.commands import (
    BIG_OPERATORS, CASES_ENVIRONMENTS, CLOSERS, CLOSING_SIZERS, DELIMITERS, ENVIRONMENTS, IDENT, OPENERS, OPENING_SIZERS,
    RAW_ARG, RELATION_COMMANDS, SIZERS, SPACING,
)
from derive.latex.tokens import Token
from derive.latex.tokens import tokenize as tokenize_tex

def tokenize(text: str) -> list[Token]:
    """The formula's tokens (the raw-argument commands of the tables read as names)."""
    return tokenize_tex(text, RAW_ARG)


def strip_layout(tokens: list[Token], text: str, notes: list[str]) -> list[Token]:
    """Drop everything that is layout, not mathematics."""
    tokens = _strip_environments(tokens, text)
    tokens = _strip_math_delimiters(tokens, text)
    tokens = _strip_annotation(tokens, notes)
    tokens = _strip_spacing(tokens, text)
    while tokens and tokens[-1].key in (".", ","):
        tokens = tokens[:-1]
    if not tokens:
        raise ParseError(text, "empty formula", 0)
    return tokens


def _strip_environments(tokens: list[Token], text: str) -> list[Token]:
    """Drop display environments, ``\\label`` and ``\\tag``; keep ``cases`` (mathematics)."""
    out = []
    for tok in tokens:
        if tok.key in ("\\label", "\\tag"):
            continue
        if tok.key in ("\\begin", "\\end"):
            name = (tok.arg or "").strip()
            if name in CASES_ENVIRONMENTS:
                out.append(Token(tok.kind, tok.value, tok.pos, "cases"))
                continue
            if name not in ENVIRONMENTS:
                raise ParseError(text, f"environment '{tok.arg}' is not supported", tok.pos)
            continue
        out.append(tok)
    return out


def _strip_math_delimiters(tokens: list[Token], text: str) -> list[Token]:
    lead = 0
    while lead < len(tokens) and tokens[lead].key == "$":
        lead += 1
    if lead == len(tokens) and lead % 2 == 0:
        return []
    trail = 0
    while trail < len(tokens) - lead and tokens[-1 - trail].key == "$":
        trail += 1
    if lead != trail:
        raise ParseError(text, "unbalanced '$'", tokens[0].pos if lead else tokens[-1].pos)
    tokens = tokens[lead : len(tokens) - trail]
    for opener, closer in (("\\[", "\\]"), ("\\(", "\\)")):
        if tokens and tokens[0].key == opener:
            if tokens[-1].key != closer:
                raise ParseError(text, f"'{opener}' without '{closer}'", tokens[0].pos)
            tokens = tokens[1:-1]
    for tok in tokens:
        if tok.key in ("$", "\\[", "\\]", "\\(", "\\)"):
            raise ParseError(text, f"'{tok.key}' inside the formula", tok.pos)
    return tokens


def _strip_annotation(tokens: list[Token], notes: list[str]) -> list[Token]:
    """Drop a trailing prose annotation such as ``\\quad\\text{(squared error)}``."""
    end = len(tokens)
    while end and (_is_spacing(tokens[end - 1]) or tokens[end - 1].key in (".", ",", "~")):
        end -= 1
    if end < 2 or tokens[end - 1].key not in ("\\text", "\\textrm", "\\textit", "\\mbox"):
        return tokens
    last, before = tokens[end - 1], tokens[end - 2]
    prose = not IDENT.fullmatch((last.arg or "").strip())
    spaced = before.key in ("\\quad", "\\qquad", ",", "\\,", "\\;", "\\ ", "~")
    if not (prose or spaced):
        return tokens
    notes.append(f"dropped the annotation \\text{{{last.arg}}}")
    return tokens[: end - 1]


def _strip_spacing(tokens: list[Token], text: str) -> list[Token]:
    """Drop spacing, alignment ``&`` and sizes; join the lines of a multi-line display.

    Inside ``cases`` the ``&`` and ``\\\\`` are kept (they separate values, conditions and
    rows).  Elsewhere a line break must continue a relation chain or a term: the next line
    starts with a relation or an operator (``&= ...``, ``+ ...``), or the line before ends
    with one; trailing ``,`` or ``.`` of a line are dropped.  Two lines that are not joined
    so (``a \\\\ b``, two equations) are refused: they are not one formula."""
    out: list[Token] = []
    cases = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.key == "\\begin" and tok.arg == "cases":
            cases += 1
        elif tok.key == "\\end" and tok.arg == "cases":
            cases -= 1
        if cases and tok.key in ("&", "\\\\"):
            if not (tok.key == "\\\\" and _continues_value(tokens, i, out)):
                out.append(tok)
            continue
        if _is_spacing(tok) or tok.key in ("~", "&"):
            continue
        if tok.kind == "cmd" and tok.value in SIZERS:
            i = _sized_delimiter(tokens, i, tok, out, text)
            continue
        if tok.key == "\\\\":
            while out and out[-1].key in (".", ","):
                out.pop()
            rest = [t for t in tokens[i:] if not (_is_spacing(t) or t.key in ("~", "&", "\\\\"))]
            if all(t.key in (".", ",") for t in rest):
                break
            if not out or not (_joins(out[-1]) or _joins(rest[0])):
                raise ParseError(text, "a line break '\\\\' between two expressions: a multi-line display must "
                                       "continue a chain (the next line starts with &= or an operator)", tok.pos)
            continue
        out.append(tok)
    return out


def _continues_value(tokens: list[Token], i: int, out: list[Token]) -> bool:
    """A line break inside ``cases`` that continues the row's value: the next line starts with an
    operator and the row has no ``&`` yet (a long value broken over lines, its condition last)."""
    following = next((t for t in tokens[i:] if not _is_spacing(t)), None)
    if following is None or not _joins(following):
        return False
    for tok in reversed(out):
        if tok.key == "&":
            return False
        if tok.key == "\\\\" or (tok.key == "\\begin" and tok.arg == "cases"):
            return True
    return True


def _joins(tok: Token) -> bool:
    """Can a line end or start with ``tok`` in a multi-line display (a relation or an operator)?"""
    return tok.key in ("=", "+", "-", "<", ">", ":") or tok.kind == "cmd" and (
        tok.value in RELATION_COMMANDS or tok.value in ("cdot", "times"))


def _is_spacing(tok: Token) -> bool:
    return tok.kind == "cmd" and tok.value in SPACING


def _sized_delimiter(tokens: list[Token], i: int, sizer: Token, out: list[Token], text: str) -> int:
    """Handle ``\\left( \\right. \\bigl|`` ...: keep the delimiter (sided when it is a bar)."""
    if i >= len(tokens):
        raise ParseError(text, f"\\{sizer.value} without a delimiter", sizer.pos)
    delim = tokens[i]
    if delim.key == ".":
        if sizer.value not in ("left", "right"):
            raise ParseError(text, f"\\{sizer.value} must be followed by a delimiter", delim.pos)
        return i + 1
    if delim.key not in DELIMITERS:
        raise ParseError(text, f"\\{sizer.value} must be followed by a delimiter", delim.pos)
    side = "l" if sizer.value in OPENING_SIZERS else "r" if sizer.value in CLOSING_SIZERS else ""
    if side and delim.key in ("|", "\\vert"):
        delim = Token("cmd", side + "vert", delim.pos)
    elif side and delim.key in ("\\|", "\\Vert"):
        delim = Token("cmd", side + "Vert", delim.pos)
    out.append(delim)
    return i + 1


def refuse_pi_as_probability(tokens: list[Token], text: str) -> None:
    """``(1 - \\pi)``: a textbook's mixing or zero-inflation probability, not 3.14159...
    Refused (silently reading the constant would be wrong); the caller declares the symbol."""
    for k in range(len(tokens) - 2):
        if [t.key for t in tokens[k : k + 3]] == ["1", "-", "\\pi"] and (
                k == 0 or tokens[k - 1].key in ("(", "{", "[", "+", "-", "=")) and (
                k + 3 == len(tokens) or tokens[k + 3].kind != "digit"):
            raise ParseError(text, "\\pi is the constant 3.14159... but 1 - \\pi reads as a probability: name the "
                                   "probability with another letter, or declare it (symbols={'pi': Symbol('pi')})",
                             tokens[k + 2].pos)


def t_is_symbol(tokens: list[Token]) -> bool:
    """Is the letter ``T`` used as a symbol (so that ``^T`` is a power, not a transpose)?"""
    for idx, tok in enumerate(tokens):
        if tok.key != "T":
            continue
        caret = None
        if idx >= 1 and tokens[idx - 1].key == "^":
            caret = idx - 1
        elif [t.key for t in tokens[max(idx - 2, 0) : idx + 2]] == ["^", "{", "T", "}"]:
            caret = idx - 2
        if caret is None or _scripts_a_big_operator(tokens, caret):
            return True
    return False


def _scripts_a_big_operator(tokens: list[Token], caret: int) -> bool:
    j = caret - 1
    if j >= 0 and tokens[j].key == "}":
        depth = 0
        while j >= 0:
            depth += {"}": 1, "{": -1}.get(tokens[j].key, 0)
            if depth == 0:
                break
            j -= 1
        j = j - 2 if j >= 1 and tokens[j - 1].key == "_" else caret - 1
    elif j >= 1 and tokens[j - 1].key == "_":
        j -= 2
    return j >= 0 and tokens[j].kind == "cmd" and tokens[j].value in BIG_OPERATORS


# ----------------------------------------------------------------------------------------
# Relations: split at depth 0, by us
# ----------------------------------------------------------------------------------------


def split_relations(tokens: list[Token], text: str) -> tuple[list[list[Token]], list[tuple[str, Token]]]:
    """The sides of the formula and the relations between them (split at bracket depth 0; the
    conditions of cases, ``y = 0``, are inside its ``\\begin``/``\\end``)."""
    sides: list[list[Token]] = [[]]
    relations: list[tuple[str, Token]] = []
    depth, i = 0, 0
    while i < len(tokens):
        tok = tokens[i]
        depth += (tok.key in OPENERS or tok.key == "\\begin") - (tok.key in CLOSERS or tok.key == "\\end")
        if depth < 0:
            raise ParseError(text, f"unmatched '{tok.key}'", tok.pos)
        kind = None
        if depth == 0:
            if tok.key == ":" and i + 1 < len(tokens) and tokens[i + 1].key == "=":
                kind, i = "define", i + 1
            elif tok.key == "=":
                kind = "="
            elif tok.kind == "cmd" and tok.value in RELATION_COMMANDS:
                kind = RELATION_COMMANDS[tok.value]
        if kind is None:
            sides[-1].append(tok)
        else:
            relations.append((kind, tok))
            sides.append([])
        i += 1
    return sides, relations
