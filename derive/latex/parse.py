"""Hand-written LaTeX -> SymPy: our own tokenizer and recursive-descent parser.

The pipeline is a straight sequence of small steps, one concern each::

    tokenize -> strip layout -> split relations -> parse (to a small AST)
             -> bind indices -> build SymPy (evaluated, with derive's symbols)

Reading conventions (decisions; see /work/shared/LATEX.md for the traps they avoid):

- ``\\log`` is the natural log unless ``log_base`` says otherwise; ``\\ln`` is always natural;
  ``\\log_2 x`` is ``log(x, 2)``.
- An unparenthesised argument of ``\\log``/``\\ln``/``\\exp``/``\\sin``/... is the next factor
  with its scripts, calls and ``!`` (``\\log\\hat{y}_k``, ``\\log\\sigma(z)``, ``\\log y!``,
  ``\\log\\frac{a}{b}``); further juxtaposed factors continue it (``\\log 2\\pi\\sigma^2`` is
  ``log(2*pi*sigma**2)``); an operator, another named function or a big operator ends it; a
  bracket after it (``\\log x (1-x)``) is refused as ambiguous.  ``\\log\\sum_j ...`` takes
  the whole sum.
- ``\\sqrt`` follows TeX: its argument is a braced group or one token, as it renders
  (``\\sqrt 2\\pi`` is ``sqrt(2)*pi``).
- The summand of ``\\sum``/``\\prod`` is the rest of the term: ``\\sum_i a_i + b`` is
  ``Sum(a_i) + b``.  ``\\sum_k`` without bounds (and ``\\sum_{x \\in S}``, with a note) runs
  over ``(k, 1, N_k)``.  Directly nested sums, and ``\\sum_{i,j}``, become one ``Sum`` with
  several limits (innermost first).
- A subscripted symbol whose subscript mentions a bound index is ``IndexedBase(base)[...]``;
  once a base is indexed, all its subscripted uses are (``-z_y + \\log\\sum_j e^{z_j}`` gives
  ``z[y]``).  A free letter in an index position is ``index(letter)`` (a positive integer),
  unless the formula also uses that letter as a plain symbol.  Other subscripts are part of
  the name (``\\hat{y}_c`` -> ``yhat_c``).  ``y^{(i)}`` is ``y_i``; ``y_{ik}`` is two indices.
- ``n, N, K, D`` and every upper bound of a sum are sizes (positive integers).
- ``e`` alone is Euler's number, ``e^{x}`` is ``exp(x)``, ``e_i`` is a (possibly indexed)
  symbol.  ``\\pi`` is ``pi``, ``\\infty`` is ``oo``.
- Function heads: ``\\sigma(...)`` always applies to any expression; ``p q P Q H f g h L D
  \\ell \\phi \\Phi``, ``\\mathcal{..}``, multi-letter ``\\text{..}`` names (with or without a
  subscript) apply only when the parenthesis holds an argument list (single symbols or
  numbers separated by ``, ; | \\mid \\|``); any name applies before two or more arguments
  (``B(\\alpha, \\beta)``: a product has no commas) and before an argument list that fills the
  left side of a relation (``J(\\theta) = ...``); otherwise juxtaposition multiplies
  (``p(1-p)``, ``J(\\theta)``).  Separators are all read as commas (``p(y \\mid x; \\theta)`` is
  ``p(y, x, theta)``, as in the corpus; a conditioning bar leaves a note).
  ``\\operatorname{f}(...)`` is ``Function('f')``; ``\\mathbb{E}_{s}[...]`` is
  ``Function('mathbb{E}_{s}')``; ``D_{\\mathrm{KL}}(P \\| Q)`` is ``Function('D_{KL}')(P, Q)``.
- Norms: ``\\|x\\|`` and ``\\lVert x \\rVert`` are ``Function('norm')(x)``; a subscript 2 is
  the default and dropped; another subscript ``s`` gives ``Function('norm_{s}')``.
- Transposes (``^\\top``, ``^{\\top}``, ``^T``) are dropped with a note (scalars).  ``^T``
  is a power when ``T`` is used as a symbol elsewhere, and refused when nothing follows it.
- Relations ``=, \\approx, \\equiv, :=, \\coloneqq, \\triangleq, \\propto`` are split at depth 0
  and give a :class:`Relation` (an ``sp.Equality``) whose ``kind`` is ``'='``, ``'approx'``,
  ``'equiv'``, ``'define'`` or ``'propto'``.  A chain ``a = b = c`` is refused.
- Refused with a :class:`~derive.errors.ParseError` naming the problem: a subscript on a
  bracket or a function value (``(a)_i``, ``\\operatorname{softmax}(z)_k``), unknown
  commands (named), inequalities, derivatives (``\\frac{d}{dx}``), ``\\sim`` outside
  ``\\mathbb{E}``, indicators ``\\mathbb{1}[...]``, ``a/b c``, ``1e-3``, multi-line input, numbers
  too large to evaluate, nesting deeper than :data:`MAX_DEPTH`, anything not fully consumed.
- Layout is dropped: ``$``, ``\\[ \\]``, equation/align environments, ``\\label``, ``\\tag``,
  spacing, ``\\left \\right \\big...``, ``\\limits``, ``\\displaystyle``, a trailing ``.``/``,``
  and a trailing prose annotation (``\\quad\\text{(squared error)}``, with a note).

Nothing is kept between calls: every call builds its own tokens, parser and builder.
"""

from __future__ import annotations

import re
import string
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Iterator, Mapping

import sympy as sp

from derive import symbols as dsym
from derive.errors import ParseError

__all__ = [
    "MAX_DEPTH",
    "Approx",
    "Define",
    "Equation",
    "Equiv",
    "Parsed",
    "Propto",
    "RELATIONS",
    "Relation",
    "parse_latex",
    "parse_latex_with_notes",
    "tokenize",
]

#: Deepest nesting of groups/factors accepted (a clean ParseError beyond, never a RecursionError).
MAX_DEPTH = 100
_MAX_DIGITS = 100
_MAX_RESULT_BITS = 100_000
_MAX_FACTORIAL = 1000


# ----------------------------------------------------------------------------------------
# Relations: Equality subclasses that keep the relation as written.
# ----------------------------------------------------------------------------------------


class Relation(sp.Equality):
    """``lhs <rel> rhs`` as written: an ``sp.Eq`` (never evaluated) with the relation kind."""

    __slots__ = ()
    kind: ClassVar[str] = "="  # type: ignore[assignment]

    def __new__(cls, lhs: sp.Basic, rhs: sp.Basic, **options: object) -> sp.Basic:
        options.setdefault("evaluate", False)
        return super().__new__(cls, lhs, rhs, **options)

    @property
    def negated(self) -> sp.Ne:
        """``Ne(lhs, rhs)`` (SymPy looks negations up by class, which misses subclasses)."""
        return sp.Ne(*self.args, evaluate=False)


class Equation(Relation):
    """``a = b``."""

    __slots__ = ()
    kind = "="


class Approx(Relation):
    """``a \\approx b``."""

    __slots__ = ()
    kind = "approx"


class Equiv(Relation):
    """``a \\equiv b``."""

    __slots__ = ()
    kind = "equiv"


class Define(Relation):
    """``a := b``, ``a \\coloneqq b``, ``a \\triangleq b``."""

    __slots__ = ()
    kind = "define"


class Propto(Relation):
    """``a \\propto b``."""

    __slots__ = ()
    kind = "propto"


#: Relation kind -> the class that carries it.
RELATIONS: dict[str, type[Relation]] = {c.kind: c for c in (Equation, Approx, Equiv, Define, Propto)}


@dataclass(frozen=True)
class Parsed:
    """A parse result: the SymPy expression and the notes on what was dropped or assumed."""

    expr: sp.Basic
    notes: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------
# Tables: one place for every command the front-end knows.
# ----------------------------------------------------------------------------------------

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega ell "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
ACCENTS = {
    "hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
    "widetilde": "tilde", "dot": "dot", "ddot": "ddot", "check": "check", "breve": "breve",
    "vec": "vec", "acute": "acute", "grave": "grave",
}
BOLD_FONTS = frozenset({"mathbf", "boldsymbol", "bm", "pmb"})
ROMAN_FONTS = frozenset({"text", "textrm", "textit", "mathrm", "mathit", "mathsf", "mbox"})
SCRIPT_FONTS = frozenset({"mathcal", "mathscr", "mathfrak"})
#: Commands whose brace argument is read raw by the tokenizer (names, not math).
RAW_ARG = BOLD_FONTS | ROMAN_FONTS | SCRIPT_FONTS | {"mathbb", "operatorname", "label", "tag", "begin", "end"}
NAME_COMMANDS = GREEK | frozenset(ACCENTS) | BOLD_FONTS | ROMAN_FONTS | SCRIPT_FONTS

CONSTANTS = {"pi": "pi", "infty": "oo"}
NAMED_FUNCTIONS = {
    "log": "log", "ln": "ln", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "arcsin": "asin", "arccos": "acos",
    "arctan": "atan", "det": "det",
}
LIST_FUNCTIONS = frozenset({"max", "min"})
BIG_OPERATORS = {"sum": "sum", "prod": "prod", "int": "int"}
FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
BINOMIALS = frozenset({"binom", "dbinom", "tbinom"})
#: Roots of names that are functions when followed by an argument list.
ARGLIST_HEADS = frozenset({"p", "q", "P", "Q", "H", "f", "g", "h", "L", "D", "ell", "phi", "varphi", "Phi"})
#: Roots of names that are functions when followed by any parenthesised expression.
ANY_ARG_HEADS = frozenset({"sigma"})
RELATION_COMMANDS = {
    "approx": "approx", "equiv": "equiv", "propto": "propto",
    "coloneqq": "define", "coloneq": "define", "triangleq": "define",
}
_INEQUALITY = "inequalities are not supported"
UNSUPPORTED = {
    **{c: _INEQUALITY for c in ("le", "leq", "ge", "geq", "neq", "ne", "ll", "gg", "leqslant", "geqslant")},
    "sim": "'\\sim' is only understood in a subscript of \\mathbb{E}, as in \\mathbb{E}_{x \\sim p}[...]",
    "mid": "'\\mid' is only understood in an argument list such as p(y \\mid x)",
    "partial": "derivatives are not supported", "nabla": "gradients are not supported",
    "in": "set membership ('\\in') is not supported", "notin": "set membership is not supported",
    "pm": "'\\pm' is not supported", "mp": "'\\mp' is not supported",
    "cdots": "ellipses are not supported: write the sum with \\sum",
    "ldots": "ellipses are not supported: write the sum with \\sum",
    "dots": "ellipses are not supported: write the sum with \\sum",
    "lim": "limits are not supported", "to": "arrows are not supported",
    "rightarrow": "arrows are not supported", "mapsto": "arrows are not supported",
    "langle": "angle brackets are not supported", "rangle": "angle brackets are not supported",
    "underbrace": "\\underbrace is not supported", "overbrace": "\\overbrace is not supported",
    "substack": "\\substack is not supported", "forall": "quantifiers are not supported",
    "exists": "quantifiers are not supported", "top": "'\\top' is only understood as a transpose, x^\\top",
    "operatorname*": "\\operatorname* is not supported",
}
SPACING = frozenset({
    ",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace",
    "negthinspace", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits",
    "nonumber", "notag",
})
SIZERS = frozenset({
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "biggm", "Biggm",
})
_OPENING_SIZERS = frozenset({"left", "bigl", "Bigl", "biggl", "Biggl"})
_CLOSING_SIZERS = frozenset({"right", "bigr", "Bigr", "biggr", "Biggr"})
ENVIRONMENTS = frozenset({
    "equation", "equation*", "align", "align*", "displaymath", "math", "gather", "gather*",
    "multline", "multline*", "split",
})
DEFAULT_SIZES = frozenset({"n", "N", "K", "D"})

_CHARS = frozenset("{}()[]^_+-*/=,;:|!'<>&.~$")
_DELIMITERS = frozenset({
    "(", ")", "[", "]", "|", "\\{", "\\}", "\\|", "\\lvert", "\\rvert", "\\lVert", "\\rVert",
    "\\vert", "\\Vert", "\\langle", "\\rangle", "/",
})
_BRACKETS = {"(": ")", "[": "]", "\\{": "\\}"}
_BARS = {"|": "|", "\\vert": "\\vert", "\\lvert": "\\rvert", "\\|": "\\|", "\\Vert": "\\Vert", "\\lVert": "\\rVert"}
_NORM_OPENERS = frozenset({"\\|", "\\Vert", "\\lVert"})
_OPENERS = frozenset({"{", "(", "[", "\\{"})
_CLOSERS = frozenset({"}", ")", "]", "\\}"})
_MUL = frozenset({"\\cdot", "\\times", "\\ast", "*"})
_DIV = frozenset({"/", "\\div"})
_ARG_SEPARATORS = frozenset({",", ";", "|", "\\mid", "\\|", "\\Vert", "\\vert"})
_NON_STARTERS = frozenset({
    "cdot", "times", "ast", "div", "rvert", "rVert", "mid", *RELATION_COMMANDS,
})
_SYMBOL_COMMANDS = NAME_COMMANDS - frozenset(ACCENTS)  # one token that is a whole symbol
_SCRIPT_COMMANDS = _SYMBOL_COMMANDS | frozenset(CONSTANTS) | {"mathbb"}
_ENDS_LOOSE_ARGUMENT = frozenset(NAMED_FUNCTIONS) | LIST_FUNCTIONS | frozenset(BIG_OPERATORS) | {"operatorname"}
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")


# ----------------------------------------------------------------------------------------
# Tokenizer
# ----------------------------------------------------------------------------------------


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


def tokenize(text: str) -> list[Token]:
    """Split LaTeX math into tokens; whitespace and ``%`` comments are skipped."""
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
            token, i = _read_command(text, i)
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
    if c in _CHARS:
        return "char"
    raise ParseError(text, f"unexpected character {c!r}", i)


def _read_command(text: str, start: int) -> tuple[Token, int]:
    j = start + 1
    if j >= len(text):
        raise ParseError(text, "lone backslash at the end", start)
    if text[j] not in string.ascii_letters:
        return Token("cmd", text[j], start), j + 1
    while j < len(text) and text[j] in string.ascii_letters:
        j += 1
    name = text[start + 1 : j]
    if name not in RAW_ARG:
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


# ----------------------------------------------------------------------------------------
# Layout: delimiters, environments, spacing, sizes, annotations
# ----------------------------------------------------------------------------------------


def _strip_layout(tokens: list[Token], text: str, notes: list[str]) -> list[Token]:
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
    out = []
    for tok in tokens:
        if tok.key in ("\\label", "\\tag"):
            continue
        if tok.key in ("\\begin", "\\end"):
            if (tok.arg or "").strip() not in ENVIRONMENTS:
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
    prose = not _IDENT.fullmatch((last.arg or "").strip())
    spaced = before.key in ("\\quad", "\\qquad", ",", "\\,", "\\;", "\\ ", "~")
    if not (prose or spaced):
        return tokens
    notes.append(f"dropped the annotation \\text{{{last.arg}}}")
    return tokens[: end - 1]


def _strip_spacing(tokens: list[Token], text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if _is_spacing(tok) or tok.key in ("~", "&"):
            continue
        if tok.kind == "cmd" and tok.value in SIZERS:
            i = _sized_delimiter(tokens, i, tok, out, text)
            continue
        if tok.key == "\\\\":
            if all(_is_spacing(t) or t.key in (".", ",", "~", "&", "\\\\") for t in tokens[i:]):
                break
            raise ParseError(text, "a line break '\\\\': multi-line formulas are not supported", tok.pos)
        out.append(tok)
    return out


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
    if delim.key not in _DELIMITERS:
        raise ParseError(text, f"\\{sizer.value} must be followed by a delimiter", delim.pos)
    side = "l" if sizer.value in _OPENING_SIZERS else "r" if sizer.value in _CLOSING_SIZERS else ""
    if side and delim.key in ("|", "\\vert"):
        delim = Token("cmd", side + "vert", delim.pos)
    elif side and delim.key in ("\\|", "\\Vert"):
        delim = Token("cmd", side + "Vert", delim.pos)
    out.append(delim)
    return i + 1


def _t_is_symbol(tokens: list[Token]) -> bool:
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


def _split_relations(tokens: list[Token], text: str) -> tuple[list[list[Token]], list[tuple[str, Token]]]:
    """The sides of the formula and the relations between them (split at bracket depth 0)."""
    sides: list[list[Token]] = [[]]
    relations: list[tuple[str, Token]] = []
    depth, i = 0, 0
    while i < len(tokens):
        tok = tokens[i]
        depth += (tok.key in _OPENERS) - (tok.key in _CLOSERS)
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


# ----------------------------------------------------------------------------------------
# AST
# ----------------------------------------------------------------------------------------


class Node:
    """Base of the parser's tree (built into SymPy by :class:`_Builder`)."""


@dataclass(frozen=True)
class Num(Node):
    text: str


@dataclass(frozen=True)
class Const(Node):
    name: str  # 'pi', 'E', 'oo'


@dataclass(frozen=True)
class Sub:
    """A subscript: its canonical text, its items (None if unreadable as math), its letters."""

    text: str
    items: tuple[Node, ...] | None
    letters: tuple[str, ...]
    pos: int


@dataclass(frozen=True)
class Name(Node):
    name: str
    sub: Sub | None = None

    @property
    def full(self) -> str:
        return self.name if self.sub is None else f"{self.name}_{self.sub.text}"


@dataclass(frozen=True)
class Op(Node):
    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    head: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Big(Node):
    op: str  # 'sum', 'prod', 'int'
    var: str
    lo: Node | None
    hi: Node | None
    body: Node


@dataclass(frozen=True)
class Rel(Node):
    kind: str
    lhs: Node
    rhs: Node


# ----------------------------------------------------------------------------------------
# Parser
# ----------------------------------------------------------------------------------------


class _TooDeep(ParseError):
    """Nesting beyond MAX_DEPTH (never swallowed by a fallback)."""


@dataclass
class _State:
    """Per-call state shared by a parser and its sub-parsers (never global)."""

    notes: list[str] = field(default_factory=list)
    t_is_symbol: bool = False


class _Parser:
    """Recursive descent over one token list (a side of a relation, or a script)."""

    def __init__(self, text: str, tokens: list[Token], state: _State, depth: int = 0,
                 end_pos: int | None = None, is_lhs: bool = False):
        self.text = text
        self.is_lhs = is_lhs  # the left side of a relation: f(x) = ... defines a function
        self.toks = tokens
        self.state = state
        self.i = 0
        self.depth = depth
        self.end_pos = len(text) if end_pos is None else end_pos
        self.closers: list[str] = []
        self.match = self._brace_matches()

    # -- cursor ----------------------------------------------------------------------------

    def _brace_matches(self) -> dict[int, int]:
        stack, match = [], {}
        for idx, tok in enumerate(self.toks):
            if tok.key == "{":
                stack.append(idx)
            elif tok.key == "}":
                if not stack:
                    raise ParseError(self.text, "unmatched '}'", tok.pos)
                match[stack.pop()] = idx
        if stack:
            raise ParseError(self.text, "unbalanced '{'", self.toks[stack[-1]].pos)
        return match

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def at(self, *keys: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.key in keys

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end of formula")
        self.i += 1
        return tok

    def error(self, reason: str, tok: Token | None = None) -> ParseError:
        tok = tok or self.peek()
        return ParseError(self.text, reason, tok.pos if tok is not None else self.end_pos)

    def unexpected(self, tok: Token) -> ParseError:
        if tok.key in _CLOSERS:
            return self.error(f"unmatched '{tok.key}'", tok)
        if tok.key == "=" or tok.kind == "cmd" and tok.value in RELATION_COMMANDS:
            return self.error(f"a relation ('{tok.key}') inside brackets is not supported", tok)
        if tok.key in ("<", ">"):
            return self.error(_INEQUALITY, tok)
        if tok.kind == "cmd" and tok.value in UNSUPPORTED:
            return self.error(UNSUPPORTED[tok.value], tok)
        return self.error(f"unexpected '{tok.key}'", tok)

    def expect(self, key: str, opener: Token) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.error(f"missing '{key}' to close '{opener.key}' at position {opener.pos}")
        if tok.key != key:
            if tok.key == "=" or tok.kind == "cmd" and tok.value in RELATION_COMMANDS:
                raise self.unexpected(tok)
            raise self.error(f"expected '{key}' to close '{opener.key}' at position {opener.pos}, found '{tok.key}'", tok)
        return self.next()

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            tok = self.peek()
            raise _TooDeep(self.text, f"formula nested deeper than {MAX_DEPTH} levels", tok.pos if tok else self.end_pos)
        try:
            yield
        finally:
            self.depth -= 1

    def sub_parser(self, tokens: list[Token], end: Token | None) -> _Parser:
        end_pos = end.pos if end is not None else (tokens[-1].pos + 1 if tokens else self.end_pos)
        return _Parser(self.text, tokens, self.state, self.depth + 1, end_pos)

    # -- grammar: expressions ----------------------------------------------------------------

    def parse(self) -> Node:
        """The whole token list as one expression."""
        node = self.expr()
        if self.peek() is not None:
            raise self.unexpected(self.peek())
        return node

    def item_list(self) -> tuple[Node, ...]:
        """Comma-separated expressions filling the whole token list."""
        items = [self.expr()]
        while self.at(","):
            self.next()
            items.append(self.expr())
        if self.peek() is not None:
            raise self.unexpected(self.peek())
        return tuple(items)

    def expr(self) -> Node:
        with self.nested():
            terms = [self.signed_term()]
            while self.at("+", "-"):
                terms.append(self.signed_term())
            return terms[0] if len(terms) == 1 else Op("add", tuple(terms))

    def signed_term(self, differential: bool = False) -> Node:
        if self.at("+"):
            self.next()
        elif self.at("-"):
            self.next()
            return Op("neg", (self.term(differential),))
        return self.term(differential)

    def term(self, differential: bool = False) -> Node:
        factors = [self.factor()]
        while self.peek() is not None:
            if differential and self.at_differential():
                break
            if self.at(*_MUL):
                self.next()
                factors.append(self.factor())
            elif self.at(*_DIV):
                self.next()
                factors.append(Op("recip", (self.factor(),)))
                if self.starts_factor():
                    raise self.error("ambiguous juxtaposition after '/': write \\frac{...}{...}")
            elif self.starts_factor():
                factors.append(self.factor())
            else:
                break
        return factors[0] if len(factors) == 1 else Op("mul", tuple(factors))

    def starts_factor(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if tok.kind in ("letter", "digit") or tok.key in _BRACKETS or tok.key == "{":
            return True
        if tok.key in _BARS:
            return not (self.closers and self.closers[-1] == tok.key)
        return tok.kind == "cmd" and tok.value not in _NON_STARTERS and tok.key not in _CLOSERS

    def starts_factor_at(self, idx: int) -> bool:
        saved, self.i = self.i, idx
        try:
            return self.starts_factor()
        finally:
            self.i = saved

    def factor(self) -> Node:
        with self.nested():
            if self.peek() is None:
                raise self.error("unexpected end of formula (a term is missing)")
            node, kind = self.primary()
            return self.postfix(node, kind)

    def postfix(self, node: Node, kind: str) -> Node:
        """Scripts and ``!`` after a primary; ``kind`` says which are still allowed."""
        if kind == "bigop":
            return node
        if self.at("_"):
            raise self.error(self._subscript_refusal(node, kind))
        if self.at("^"):
            if kind == "power":
                raise self.error("double superscript")
            if kind == "brace":
                raise self.error("a superscript on a brace group '{...}^' is ambiguous: use parentheses")
            self.next()
            exponent = self.superscript()
            node = Op("transpose", (node,)) if exponent is None else Op("pow", (node, exponent))
            kind = "power"
        if self.at("_"):
            raise self.error(self._subscript_refusal(node, kind))
        if self.at("^"):
            raise self.error("double superscript")
        if self.at("!"):
            if kind == "power":
                raise self.error("a factorial after a superscript is ambiguous: use parentheses")
            self.next()
            node = Op("factorial", (node,))
            if self.at("!"):
                raise self.error("double factorial is not supported")
        return node

    @staticmethod
    def _subscript_refusal(node: Node, kind: str) -> str:
        if isinstance(node, Call):
            return (f"a subscript on the function value {node.head}(...)_ is not supported: "
                    "write the component explicitly")
        if kind == "group":
            return ("a subscript on a parenthesised group '(...)_' is not supported: "
                    "index the symbols inside, e.g. (y_i - t_i)")
        return "a subscript here is not supported: only symbols take subscripts"

    def superscript(self) -> Node | None:
        """The exponent after ``^`` (None for a transpose)."""
        if self.transpose_marker():
            return None
        return self.script_arg()

    def transpose_marker(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if self._is_transpose(tok):
            end = self.i + 1
        elif tok.key == "{" and self.match.get(self.i) == self.i + 2 and self._is_transpose(self.peek(1)):
            end = self.i + 3
        else:
            return False
        marker = self.toks[end - 2] if end - self.i == 3 else tok
        if marker.key == "T":
            if self.state.t_is_symbol:
                return False
            if not self.starts_factor_at(end):
                raise self.error("ambiguous '^T' (transpose or power?): write ^\\top for a transpose", tok)
        self.i = end
        return True

    @staticmethod
    def _is_transpose(tok: Token | None) -> bool:
        return tok is not None and (tok.key in ("\\top", "\\intercal", "T") or tok.key == "\\mathsf" and tok.arg == "T")

    # -- grammar: primaries ----------------------------------------------------------------

    def primary(self) -> tuple[Node, str]:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "digit":
            return self.number(), "atom"
        if tok.kind == "letter":
            if tok.value == "e":
                return self.euler()
            return self.name_atom()
        if tok.key in _BRACKETS:
            return self.bracket(), "group"
        if tok.key == "{":
            return self.braced(), "brace"
        if tok.key in _BARS:
            return self.bars()
        if tok.kind == "cmd":
            return self.command()
        raise self.unexpected(tok)

    def number(self) -> Num:
        start = self.peek()
        digits = []
        while self.peek() is not None and self.peek().kind == "digit":
            digits.append(self.next().value)
        if self.at(".") and self.peek(1) is not None and self.peek(1).kind == "digit":
            digits.append(self.next().value)
            while self.peek() is not None and self.peek().kind == "digit":
                digits.append(self.next().value)
        if len(digits) > _MAX_DIGITS:
            raise self.error(f"number longer than {_MAX_DIGITS} digits", start)
        if self._scientific_notation():
            raise self.error("scientific notation ('1e-3') is not supported: write 10^{-3}")
        return Num("".join(digits))

    def _scientific_notation(self) -> bool:
        """``1e-3`` / ``2e5`` right after a number (``e`` touching the last digit)."""
        e, after = self.peek(), self.peek(1)
        if e is None or e.key not in ("e", "E") or e.pos != self.toks[self.i - 1].pos + 1 or after is None:
            return False
        if after.key in ("+", "-"):
            after = self.peek(2)
        return after is not None and after.kind == "digit"

    def euler(self) -> tuple[Node, str]:
        """``e^{x}`` -> exp; ``e_i`` -> a symbol; ``e`` alone -> Euler's number."""
        if self.peek(1) is not None and self.peek(1).key == "_":
            return self.name_atom()
        self.next()
        if self.at("^"):
            self.next()
            if self.transpose_marker():
                return Op("transpose", (Const("E"),)), "power"
            return Op("exp", (self.script_arg(),)), "power"
        return Const("E"), "atom"

    def bracket(self) -> Node:
        opener = self.next()
        closer = _BRACKETS[opener.key]
        if self.at(closer):
            raise self.error("empty brackets")
        self.closers.append(closer)
        node = self.expr()
        self.expect(closer, opener)
        self.closers.pop()
        return node

    def braced(self) -> Node:
        opener = self.next()
        if self.at("}"):
            raise self.error("empty braces '{}'")
        self.closers.append("}")
        node = self.expr()
        self.expect("}", opener)
        self.closers.pop()
        return node

    def script_arg(self) -> Node:
        """A macro or script argument: a braced group or a single token (TeX's rule)."""
        tok = self.peek()
        if tok is None:
            raise self.error("missing argument at the end of the formula")
        if tok.key == "{":
            return self.braced()
        if tok.kind == "digit":
            self.next()
            return Num(tok.value)
        if tok.kind == "letter" and tok.value == "e":
            self.next()
            return Const("E")
        if tok.kind == "letter" or tok.kind == "cmd" and tok.value in _SYMBOL_COMMANDS:
            name, _, _ = self.name_base()
            return Name(name)
        if tok.kind == "cmd" and tok.value in CONSTANTS:
            self.next()
            return Const(CONSTANTS[tok.value])
        raise self.error(f"'{tok.key}' cannot be an argument without braces: write {{{tok.key}...}}", tok)

    def script_span(self) -> tuple[list[Token], Token | None]:
        """The tokens of a script (after ``_``), and the closing brace if braced."""
        tok = self.peek()
        if tok is None:
            raise self.error("missing subscript at the end of the formula")
        if tok.key == "{":
            close = self.match[self.i]
            span = self.toks[self.i + 1 : close]
            if not span:
                raise self.error("empty subscript '{}'", tok)
            self.i = close + 1
            return span, self.toks[close]
        if tok.kind in ("letter", "digit") or tok.kind == "cmd" and tok.value in _SCRIPT_COMMANDS:
            self.i += 1
            return [tok], None
        raise self.error(f"'{tok.key}' cannot be a subscript without braces", tok)

    def bars(self) -> tuple[Node, str]:
        opener = self.next()
        closer = _BARS[opener.key]
        self.closers.append(closer)
        inner = self.expr()
        self.expect(closer, opener)
        self.closers.pop()
        if opener.key not in _NORM_OPENERS:
            return Op("abs", (inner,)), "bar"
        head = "norm"
        if self.at("_"):
            self.next()
            span, _ = self.script_span()
            text = _script_text(span)
            if text != "2":
                head = f"norm_{{{text}}}"
        return Call(head, (inner,)), "bar"

    def command(self) -> tuple[Node, str]:
        tok = self.peek()
        assert tok is not None
        name = tok.value
        if name in ROMAN_FONTS and (tok.arg or "").strip() == "e":
            return self.euler()
        if name in NAME_COMMANDS:
            return self.name_atom()
        if name == "mathbb":
            return self.expectation(), "call"
        if name == "operatorname":
            return self.operatorname(), "call"
        if name in CONSTANTS:
            self.next()
            return Const(CONSTANTS[name]), "atom"
        if name in FRACTIONS:
            self.next()
            if self.is_leibniz():
                raise self.error("derivatives are not supported (\\frac{d}{dx})", tok)
            return Op("div", (self.script_arg(), self.script_arg())), "atom"
        if name == "sqrt":
            return self.square_root(), "atom"
        if name in BINOMIALS:
            self.next()
            return Op("binomial", (self.script_arg(), self.script_arg())), "atom"
        if name in NAMED_FUNCTIONS:
            return self.named_function(self.next(), NAMED_FUNCTIONS[name]), "call"
        if name in LIST_FUNCTIONS:
            return self.list_function(), "call"
        if name in BIG_OPERATORS:
            return self.big_operator(), "bigop"
        if name in UNSUPPORTED or name in RELATION_COMMANDS:
            raise self.unexpected(tok)
        raise self.error(f"unknown command \\{name}", tok)

    def is_leibniz(self) -> bool:
        """Is the ``\\frac`` at the cursor ``\\frac{d...}{dx}``? (d/dx is not a quotient)"""
        if not self.at("{"):
            return False
        den = self.match[self.i] + 1
        toks = self.toks

        def is_d(idx: int) -> bool:
            tok = toks[idx] if idx < len(toks) else None
            return tok is not None and (tok.key == "\\partial" or _is_d(tok))

        return (is_d(self.i + 1) and den + 2 < len(toks) and toks[den].key == "{" and is_d(den + 1)
                and _is_index_token(toks[den + 2]))

    # -- names, subscripts and function heads ------------------------------------------------

    def name_base(self) -> tuple[str, str, Sub | None]:
        """(name, root, subscript inside an accent) of the symbol at the cursor."""
        tok = self.next()
        if tok.kind == "letter":
            return tok.value, tok.value, None
        if tok.kind == "cmd" and tok.value in GREEK:
            return tok.value, tok.value, None
        if tok.kind == "cmd" and tok.value in ACCENTS:
            with self.nested():
                name, root, sub = self.accent_arg(tok)
            return name + ACCENTS[tok.value], root, sub
        if tok.kind == "cmd" and tok.value in BOLD_FONTS:
            letter = self.font_letter(tok)
            return letter + "bold", letter, None
        if tok.kind == "cmd" and tok.value in SCRIPT_FONTS:
            return f"{tok.value}{{{self.font_letter(tok)}}}", tok.value, None
        if tok.kind == "cmd" and tok.value in ROMAN_FONTS:
            word = (tok.arg or "").strip()
            if not _IDENT.fullmatch(word):
                raise self.error(f"prose \\{tok.value}{{{tok.arg}}} inside a formula is not supported", tok)
            return word, word, None
        raise self.error(f"expected a symbol, found '{tok.key}'", tok)

    def font_letter(self, tok: Token) -> str:
        arg = (tok.arg or "").strip()
        if len(arg) == 1 and arg in string.ascii_letters:
            return arg
        if arg.startswith("\\") and arg[1:] in GREEK:
            return arg[1:]
        raise self.error(f"\\{tok.value}{{{tok.arg}}} must hold one letter or Greek symbol", tok)

    def accent_arg(self, accent: Token) -> tuple[str, str, Sub | None]:
        if not self.at("{"):
            if not _starts_name(self.peek()):
                raise self.error(f"\\{accent.value} must be applied to a symbol", accent)
            return self.name_base()
        self.next()
        if not _starts_name(self.peek()):
            raise self.error(f"\\{accent.value}{{...}} must hold one symbol (optionally subscripted)", accent)
        name, root, sub = self.name_base()
        if self.at("_") and sub is None:
            self.next()
            sub = self.make_sub(*self.script_span())
        if not self.at("}"):
            raise self.error(f"\\{accent.value}{{...}} must hold one symbol (optionally subscripted)", accent)
        self.next()
        return name, root, sub

    def make_sub(self, span: list[Token], end: Token | None) -> Sub:
        letters = tuple(t.value for t in span) if len(span) > 1 and all(t.kind == "letter" for t in span) else ()
        try:
            items: tuple[Node, ...] | None = self.sub_parser(span, end).item_list()
        except _TooDeep:
            raise
        except ParseError:
            items = None  # not math (e.g. x \sim p): the subscript is only part of a name
        return Sub(_script_text(span), items, letters, span[0].pos)

    def paren_index(self) -> Sub | None:
        """``^{(i)}`` at the cursor (after ``^``): the index as a subscript."""
        close = self.match.get(self.i)
        if close is None or close - self.i < 4 or self.toks[self.i + 1].key != "(" or self.toks[close - 1].key != ")":
            return None
        span = self.toks[self.i + 2 : close - 1]
        if not all(t.kind in ("letter", "digit") or t.kind == "cmd" and t.value in GREEK for t in span):
            return None
        self.i = close + 1
        return self.make_sub(span, self.toks[close - 1])

    def name_atom(self) -> tuple[Node, str]:
        """A symbol with its scripts, or a function applied to it."""
        start = self.i
        name, root, sub = self.name_base()
        while self.at("'"):
            self.next()
            name += "prime"
        sup: Node | None = None
        used_sup = transposed = False
        while self.at("_", "^"):
            if self.next().key == "_":
                if sub is not None:
                    raise self.error("double subscript")
                sub = self.make_sub(*self.script_span())
                continue
            if used_sup:
                raise self.error("double superscript")
            used_sup = True
            index = self.paren_index()
            if index is not None:
                if sub is not None:
                    raise self.error("double subscript (a subscript and a superscript index (i))")
                sub = index
            elif self.transpose_marker():
                transposed = True
            else:
                sup = self.script_arg()
        if not used_sup and self.at("("):
            call = self.function_call(name, root, sub, start)
            if call is not None:
                return call, "call"
        node: Node = Name(name, sub)
        if sup is not None:
            return Op("pow", (node, sup)), "power"
        if transposed:
            return Op("transpose", (node,)), "power"
        return node, "power" if used_sup else "name"

    def function_call(self, name: str, root: str, sub: Sub | None, start: int) -> Node | None:
        """``name(...)`` as a function application, or None when it is a product.

        A call when: ``\\sigma(anything)``; a function-like head before an argument list; any
        name before two or more arguments (``B(\\alpha, \\beta)``: a product has no commas);
        any name before an argument list filling the left side of a relation (``J(\\theta) = ...``).
        """
        head = name if sub is None else f"{name}_{{{sub.text}}}"
        if root == "Gamma" and sub is None:
            args = self.call_args()
            if len(args) != 1:
                raise self.error("\\Gamma takes one argument")
            return Op("gamma", args)
        if root in ANY_ARG_HEADS and sub is None:
            return Call(head, self.call_args())
        count = self.arg_list_length()
        if count is None:
            return None
        is_head = root in ARGLIST_HEADS or root in SCRIPT_FONTS or (len(root) > 1 and root not in GREEK)
        whole_lhs = self.is_lhs and start == 0 and self._skip_parens(self.i) == len(self.toks)
        if is_head or count > 1 or whole_lhs:
            return Call(head, self.arg_list())
        return None

    def call_args(self) -> tuple[Node, ...]:
        """``(expr, expr, ...)`` at the cursor."""
        opener = self.next()
        self.closers.append(")")
        args = [self.expr()]
        while self.at(","):
            self.next()
            args.append(self.expr())
        self.expect(")", opener)
        self.closers.pop()
        return tuple(args)

    def arg_list(self) -> tuple[Node, ...]:
        """``(a, b \\mid c; d)`` at the cursor: single symbols separated by , ; | \\mid \\|."""
        opener = self.next()
        self.closers.append(")")
        args = []
        while True:
            negative = self.at("-")
            if negative:
                self.next()
            item = self.factor()
            args.append(Op("neg", (item,)) if negative else item)
            if self.at(")"):
                break
            if not self.at(*_ARG_SEPARATORS):
                raise self.error("cannot read the arguments of a function: expected ',' or ')'")
            if self.at("|", "\\mid", "\\vert"):
                self.state.notes.append(f"read the conditioning bar '{self.peek().key}' in a function's arguments as ','")
            self.next()
        self.expect(")", opener)
        self.closers.pop()
        return tuple(args)

    def arg_list_length(self) -> int | None:
        """How many arguments the parenthesis at the cursor holds, None if it is not an
        argument list (single symbols or numbers and separators; a scan, no parsing)."""
        j, count = self.i + 1, 1
        while True:
            j = self._scan_atom(j)
            if j is None or j >= len(self.toks):
                return None
            if self.toks[j].key == ")":
                return count
            if self.toks[j].key not in _ARG_SEPARATORS:
                return None
            j, count = j + 1, count + 1

    def _scan_atom(self, j: int) -> int | None:
        toks = self.toks
        if j < len(toks) and toks[j].key == "-":
            j += 1
        if j >= len(toks):
            return None
        tok = toks[j]
        if tok.kind == "digit":
            while j < len(toks) and (toks[j].kind == "digit" or toks[j].key == "."):
                j += 1
            return j
        head = tok.value in ARGLIST_HEADS or tok.kind == "cmd" and tok.value in ANY_ARG_HEADS | SCRIPT_FONTS
        if tok.kind == "letter" or tok.kind == "cmd" and (tok.value in _SYMBOL_COMMANDS or tok.value in CONSTANTS):
            j += 1
        elif tok.kind == "cmd" and tok.value in ACCENTS:
            j = self._skip_arg(j + 1)
        else:
            return None
        while j is not None and j < len(toks) and toks[j].key == "'":
            j += 1
        for _ in range(2):
            if j is not None and j < len(toks) and toks[j].key in ("_", "^"):
                j = self._skip_arg(j + 1)
        if j is not None and head and j < len(toks) and toks[j].key == "(":
            j = self._skip_parens(j)
        return j

    def _skip_arg(self, j: int) -> int | None:
        if j >= len(self.toks):
            return None
        if self.toks[j].key == "{":
            return self.match[j] + 1
        if self.toks[j].kind in ("letter", "digit", "cmd"):
            return j + 1
        return None

    def _skip_parens(self, j: int) -> int | None:
        depth = 0
        for k in range(j, len(self.toks)):
            depth += (self.toks[k].key == "(") - (self.toks[k].key == ")")
            if depth == 0:
                return k + 1
        return None

    def expectation(self) -> Node:
        """``\\mathbb{E}_{x \\sim p}[...]`` -> Call('mathbb{E}_{x sim p}', (...))."""
        tok = self.next()
        if (tok.arg or "").strip().isdigit():
            raise self.error(f"indicator functions (\\mathbb{{{tok.arg}}}[...]) are not supported", tok)
        letter = self.font_letter(tok)
        head = f"mathbb{{{letter}}}"
        if self.at("_"):
            self.next()
            span, _ = self.script_span()
            head += f"_{{{_script_text(span)}}}"
        if not self.at("[", "("):
            raise self.error(f"\\mathbb{{{letter}}} must be followed by [...] or (...)")
        return Call(head, (self.bracket(),))

    def operatorname(self) -> Node:
        tok = self.next()
        word = (tok.arg or "").strip()
        if not _IDENT.fullmatch(word):
            raise self.error(f"\\operatorname{{{tok.arg}}} is not a name", tok)
        if word in NAMED_FUNCTIONS:
            return self.named_function(tok, NAMED_FUNCTIONS[word])
        if self.at("_"):
            self.next()
            span, _ = self.script_span()
            word = f"{word}_{{{_script_text(span)}}}"
        if not self.at("("):
            raise self.error(f"\\operatorname{{{tok.arg}}} must be followed by (...)")
        return Call(word, self.call_args())

    # -- functions, roots, big operators -----------------------------------------------------

    def named_function(self, tok: Token, fname: str) -> Node:
        """``\\log``, ``\\exp``, ``\\sin``...: optional base and power, then the argument."""
        label = tok.value if tok.value != "operatorname" else (tok.arg or "").strip()
        base = power = None
        while self.at("_", "^"):
            if self.next().key == "_":
                if fname != "log" or base is not None:
                    raise self.error(f"a subscript on \\{label} is not supported")
                base = self.script_arg()
            else:
                if power is not None:
                    raise self.error("double superscript")
                power = self.script_arg()
                if not (isinstance(power, Num) and power.text.isdigit()):
                    raise self.error(f"only a positive integer power of \\{label} is supported "
                                     f"(\\{label}^{{-1}} is ambiguous)")
        if self.at("(", "["):
            arg = self.bracket()
        else:
            arg = self.loose_argument(label)
        node = Op(fname, (arg,)) if base is None else Op("logb", (arg, base))
        return node if power is None else Op("pow", (node, power))

    def loose_argument(self, label: str) -> Node:
        """The unparenthesised argument of a named function (see the module docstring)."""
        if not self.starts_factor():
            raise self.error(f"\\{label} needs an argument")
        first = self.peek()
        factors = [self.factor()]
        if first is not None and first.kind == "cmd" and first.value in BIG_OPERATORS:
            return factors[0]
        while self.starts_factor():
            tok = self.peek()
            if tok.kind == "cmd" and tok.value in _ENDS_LOOSE_ARGUMENT:
                break
            if tok.key in _BRACKETS or tok.key in _BARS:
                raise self.error(f"ambiguous argument of \\{label}: parenthesise it, e.g. \\{label}(...)")
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else Op("mul", tuple(factors))

    def list_function(self) -> Node:
        tok = self.next()
        if self.at("_"):
            raise self.error(f"\\{tok.value} with a subscript (an optimisation over a set) is not supported")
        if not self.at("(", "[", "\\{"):
            raise self.error(f"\\{tok.value} needs parenthesised arguments: \\{tok.value}(a, b)")
        opener = self.next()
        closer = _BRACKETS[opener.key]
        self.closers.append(closer)
        args = [self.expr()]
        while self.at(","):
            self.next()
            args.append(self.expr())
        self.expect(closer, opener)
        self.closers.pop()
        return Op(tok.value, tuple(args))

    def square_root(self) -> Node:
        self.next()
        if self.at("["):
            degree = self.bracket()
            return Op("root", (self.script_arg(), degree))
        return Op("sqrt", (self.script_arg(),))

    def big_operator(self) -> Node:
        tok = self.next()
        op = BIG_OPERATORS[tok.value]
        lower: tuple[list[Token], Token | None] | None = None
        hi: Node | None = None
        seen_hi = False
        while self.at("_", "^"):
            if self.next().key == "_":
                if lower is not None:
                    raise self.error("double subscript")
                lower = self.script_span()
            else:
                if seen_hi:
                    raise self.error("double superscript")
                seen_hi = True
                hi = self.script_arg()
        if op == "int":
            return self.integral(tok, lower, hi)
        if lower is None:
            raise self.error(f"\\{tok.value} without an index: write \\{tok.value}_{{i=1}}^{{n}} or \\{tok.value}_i", tok)
        names, lo = self.sum_index(tok, *lower)
        if lo is not None and hi is None:
            raise self.error(f"\\{tok.value} has a lower bound but no upper bound", tok)
        if len(names) > 1 and hi is not None:
            raise self.error(f"\\{tok.value} over several indices takes no bounds", tok)
        if not (self.at("+", "-") or self.starts_factor()):
            raise self.error(f"\\{tok.value} has no summand", tok)
        node = self.signed_term()
        for name in reversed(names[1:]):  # \sum_{i,j} f == \sum_i \sum_j f
            node = Big(op, name, None, None, node)
        return Big(op, names[0], lo, hi, node)

    def sum_index(self, tok: Token, span: list[Token], end: Token | None) -> tuple[list[str], Node | None]:
        """``i``, ``i=1`` or ``i,j`` under a big operator: the index names and the lower bound."""
        unsupported = f"unsupported index '{_script_text(span)}' under \\{tok.value}: write i=1, i or i,j"
        if not _is_index_token(span[0]) or len(span) > 1 and span[1].key not in (",", "=", "\\in"):
            raise self.error(unsupported, span[0])
        if len(span) == 1:
            return [span[0].value], None
        if span[1].key == "\\in" and len(span) > 2:
            self.state.notes.append(f"read \\{tok.value}_{{{_script_text(span)}}} as a sum over {span[0].value} = 1..N_{span[0].value}")
            return [span[0].value], None
        if span[1].key == "=":
            return [span[0].value], self.sub_parser(span[2:], end).parse()
        if len(span) % 2 == 1 and all(_is_index_token(t) if n % 2 == 0 else t.key == "," for n, t in enumerate(span)):
            return [t.value for t in span[::2]], None
        raise self.error(unsupported, span[0])

    def integral(self, tok: Token, lower: tuple[list[Token], Token | None] | None, hi: Node | None) -> Node:
        lo = self.sub_parser(*lower).parse() if lower is not None else None
        if (lo is None) != (hi is None):
            raise self.error("\\int needs both bounds or none", tok)
        if not (self.at("+", "-") or self.starts_factor()):
            raise self.error("\\int has no integrand", tok)
        body = self.signed_term(differential=True)
        if not self.at_differential():
            raise self.error("\\int without a differential (write dx or \\mathrm{d}x at the end)", tok)
        self.next()
        var, _, _ = self.name_base()
        return Big("int", var, lo, hi, body)

    def at_differential(self) -> bool:
        tok, following = self.peek(), self.peek(1)
        return tok is not None and _is_d(tok) and following is not None and _is_index_token(following)


def _is_index_token(tok: Token) -> bool:
    """A letter or a Greek command: what can name an index or a variable."""
    return tok.kind == "letter" or tok.kind == "cmd" and tok.value in GREEK


def _starts_name(tok: Token | None) -> bool:
    return tok is not None and (tok.kind == "letter" or tok.kind == "cmd" and tok.value in NAME_COMMANDS)


def _is_d(tok: Token) -> bool:
    """``d`` or ``\\mathrm{d}`` (a differential when a variable follows it, inside \\int)."""
    return tok.key == "d" or tok.key == "\\mathrm" and (tok.arg or "").strip() == "d"


def _script_text(tokens: list[Token]) -> str:
    """Canonical text of a script: ``x \\sim p`` -> 'x sim p', ``\\mathrm{KL}`` -> 'KL'."""
    text, after_word = "", False
    for tok in tokens:
        word = tok.kind == "cmd" and tok.arg is None  # \sim, \theta: a word of its own
        if tok.kind != "cmd":
            piece = tok.value
        elif tok.arg is not None:
            piece = "".join(tok.arg.replace("\\", "").split())
        else:
            piece = tok.value
        if (word or after_word) and text[-1:].isalnum() and piece[:1].isalnum():
            text += " "
        text += piece
        after_word = word
    return text


# ----------------------------------------------------------------------------------------
# Index binding
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Binding:
    """What the whole formula says about names: indexed bases, sizes, plain symbols."""

    indexed: frozenset[str]
    sizes: frozenset[str]
    plain: frozenset[str]
    sum_indices: frozenset[str] = frozenset()  # the names some \sum or \prod binds


def _walk(node: Node, scope: frozenset[str]) -> Iterator[tuple[Node, frozenset[str]]]:
    """Every node with the summation indices bound at it (subscripts are not entered)."""
    yield node, scope
    if isinstance(node, Big):
        for part in (node.lo, node.hi):
            if part is not None:
                yield from _walk(part, scope)
        yield from _walk(node.body, scope if node.op == "int" else scope | {node.var})
    elif isinstance(node, (Op, Call)):
        for arg in node.args:
            yield from _walk(arg, scope)
    elif isinstance(node, Rel):
        yield from _walk(node.lhs, scope)
        yield from _walk(node.rhs, scope)


def _mentions(sub: Sub, scope: frozenset[str]) -> bool:
    if sub.letters:
        return any(letter in scope for letter in sub.letters)
    if sub.items is None:
        return False
    return any(
        isinstance(node, Name) and node.sub is None and node.name in scope
        for item in sub.items
        for node, _ in _walk(item, frozenset())
    )


def _bind(tree: Node) -> _Binding:
    """Which bases are indexed, which names are sizes, which are used as plain symbols."""
    indexed: set[str] = set()
    sizes: set[str] = set(DEFAULT_SIZES)
    plain: set[str] = set()
    sum_indices: set[str] = set()
    for node, scope in _walk(tree, frozenset()):
        if isinstance(node, Name):
            if node.sub is None and node.name not in scope:
                plain.add(node.name)
            elif node.sub is not None and _mentions(node.sub, scope):
                indexed.add(node.name)
        elif isinstance(node, Big) and node.op != "int":
            sum_indices.add(node.var)
            if node.hi is None:
                sizes.add(f"N_{node.var}")
            elif isinstance(node.hi, Name):
                sizes.add(node.hi.full)
    return _Binding(frozenset(indexed), frozenset(sizes), frozenset(plain), frozenset(sum_indices))


# ----------------------------------------------------------------------------------------
# Building SymPy (name mapping lives here)
# ----------------------------------------------------------------------------------------


def _index_from(name: str, lower: sp.Expr) -> sp.Symbol:
    """A summation index with the sign its lower bound gives it: positive from 1 (derive's
    index), non-negative from 0, any integer otherwise (sum_{j=0} |j - 1| is not sum (j - 1))."""
    if lower.is_integer and lower.is_positive:
        return dsym.index(name)
    if lower.is_integer and lower.is_nonnegative:
        return sp.Symbol(name, integer=True, nonnegative=True)
    return sp.Symbol(name, integer=True)


class _Builder:
    """AST -> evaluated SymPy, with derive's symbols (domains), indices and sizes."""

    _FUNCTIONS: ClassVar[dict[str, Callable[..., sp.Basic]]] = {
        "abs": sp.Abs, "exp": sp.exp, "ln": sp.log, "sqrt": sp.sqrt, "root": sp.root,
        "max": sp.Max, "min": sp.Min, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asin": sp.asin, "acos": sp.acos,
        "atan": sp.atan, "logb": sp.log,
        "det": lambda x: sp.Determinant(x) if isinstance(x, sp.MatrixExpr) else x,  # det of a scalar: itself
    }

    def __init__(self, text: str, binding: _Binding, overrides: Mapping[str, sp.Basic], log_base: sp.Expr | None,
                 notes: list[str]):
        self.text = text
        self.binding = binding
        self.overrides = overrides
        self.log_base = log_base
        self.notes = notes
        self.index_lower: dict[str, sp.Expr] = {}  # the lower bound of each enclosing sum's index
        self.cache: dict[object, sp.Basic] = {}

    def refuse(self, reason: str, pos: int | None = None) -> ParseError:
        return ParseError(self.text, reason, pos)

    def build(self, node: Node, scope: frozenset[str] = frozenset()) -> sp.Basic:
        if isinstance(node, Num):
            return sp.Rational(node.text) if "." in node.text else sp.Integer(node.text)
        if isinstance(node, Const):
            return {"pi": sp.pi, "E": sp.E, "oo": sp.oo}[node.name]
        if isinstance(node, Name):
            return self.name(node, scope)
        if isinstance(node, Op):
            return self.op(node, scope)
        if isinstance(node, Call):
            return sp.Function(node.head)(*(self.build(a, scope) for a in node.args))
        if isinstance(node, Big):
            return self.big(node, scope)
        if isinstance(node, Rel):
            return RELATIONS[node.kind](self.build(node.lhs, scope), self.build(node.rhs, scope))
        raise TypeError(f"unknown node {node!r}")  # pragma: no cover - parser invariant

    # -- names -------------------------------------------------------------------------------

    def symbol(self, name: str, scope: frozenset[str]) -> sp.Basic:
        """The symbol for a name: caller's override, bound index, size, or derive's symbol."""
        if name in self.overrides:
            return self.overrides[name]
        if name in scope:
            return _index_from(name, self.index_lower.get(name, sp.S.One))
        if name in self.binding.sizes:
            return dsym.size(name)
        if name not in self.cache:  # derive.symbols.symbol computes a domain: once per name
            self.cache[name] = dsym.symbol(name)
        return self.cache[name]

    def indexed_base(self, name: str) -> sp.IndexedBase:
        given = self.overrides.get(name)
        if isinstance(given, sp.IndexedBase):
            return given
        if isinstance(given, sp.Symbol):
            return sp.IndexedBase(name, **given._assumptions_orig)
        key = ("indexed", name)
        if key not in self.cache:
            self.cache[key] = dsym.indexed_base(name)
        return self.cache[key]

    def index_symbol(self, letter: str, scope: frozenset[str]) -> sp.Basic:
        if letter in self.overrides or letter in scope or letter in self.binding.plain:
            return self.symbol(letter, scope)
        if letter in self.binding.sum_indices:  # \sum_i y_i + y_i: the second y_i is outside the sum
            raise self.refuse(f"the index {letter} of a \\sum is used outside it: a sum takes only the "
                              f"product that follows it; bracket the summand, \\sum_{{{letter}}} \\left( ... \\right)")
        return dsym.index(letter)

    def index_item(self, item: Node, scope: frozenset[str]) -> sp.Basic:
        if isinstance(item, Name) and item.sub is None:
            return self.index_symbol(item.name, scope)
        return self.build(item, scope)

    def name(self, node: Name, scope: frozenset[str]) -> sp.Basic:
        if node.sub is None:
            return self.symbol(node.name, scope)
        if node.name not in self.binding.indexed:
            return self.symbol(node.full, scope)
        sub = node.sub
        if sub.items is None:
            raise self.refuse(f"cannot read the subscript '{sub.text}' of the indexed symbol {node.name}", sub.pos)
        if sub.letters:
            indices = [self.index_symbol(letter, scope) for letter in sub.letters]
        else:
            indices = [self.index_item(item, scope) for item in sub.items]
        return self.indexed_base(node.name)[tuple(indices)]

    # -- operations --------------------------------------------------------------------------

    def op(self, node: Op, scope: frozenset[str]) -> sp.Basic:
        args = [self.build(a, scope) for a in node.args]
        kind = node.op
        if kind == "add":
            return sp.Add(*args)
        if kind == "mul":
            return sp.Mul(*args)
        if kind == "neg":
            return -args[0]
        if kind == "recip":
            return self.power(args[0], sp.Integer(-1))
        if kind == "div":
            return args[0] * self.power(args[1], sp.Integer(-1))
        if kind == "pow":
            return self.power(*args)
        if kind == "transpose":
            return self.transpose(args[0])
        if kind == "logb" and args[1].is_number and not (args[1].is_positive and args[1] != 1):
            raise self.refuse(f"a log to the base {args[1]}: a base must be positive and not 1")
        if kind == "log":
            return sp.log(args[0]) if self.log_base is None else sp.log(args[0], self.log_base)
        if kind in ("factorial", "binomial", "gamma"):
            return self.combinatorial(kind, args)
        return self._FUNCTIONS[kind](*args)

    def transpose(self, value: sp.Basic) -> sp.Basic:
        """``x^T``: the transpose of a matrix (a ``MatrixSymbol`` given in ``symbols``);
        dropped, with a note, on a scalar."""
        if isinstance(value, sp.MatrixExpr):
            return value.T
        self.notes.append("dropped a transpose (^T) on a scalar")
        return value

    def power(self, base: sp.Basic, exponent: sp.Basic) -> sp.Basic:
        """``base**exponent``, refusing numbers too large to evaluate."""
        if base.is_Rational and exponent.is_Rational and base not in (0, 1, -1):
            bits = max(abs(base.p).bit_length(), base.q.bit_length())
            if bits * abs(exponent) > _MAX_RESULT_BITS or exponent.q > _MAX_FACTORIAL:
                raise self.refuse("a number too large to evaluate")
        return base**exponent

    def combinatorial(self, kind: str, args: list[sp.Basic]) -> sp.Basic:
        if any(a.is_Number and abs(a) > _MAX_FACTORIAL for a in args):
            raise self.refuse(f"{kind} of a number larger than {_MAX_FACTORIAL}")
        return {"factorial": sp.factorial, "binomial": sp.binomial, "gamma": sp.gamma}[kind](*args)

    def big(self, node: Big, scope: frozenset[str]) -> sp.Basic:
        if node.op == "int":
            var = self.symbol(node.var, scope)
            body = self.build(node.body, scope)
            if node.lo is None:
                return sp.Integral(body, var)
            return sp.Integral(body, (var, self.build(node.lo, scope), self.build(node.hi, scope)))
        inner = scope | {node.var}
        lo = self.build(node.lo, scope) if node.lo is not None else sp.Integer(1)
        hi = self.build(node.hi, scope) if node.hi is not None else self.symbol(f"N_{node.var}", scope)
        outer = self.index_lower.get(node.var)
        self.index_lower[node.var] = lo
        try:
            var = self.symbol(node.var, inner)
            body = self.build(node.body, inner)
        finally:
            if outer is None:
                del self.index_lower[node.var]
            else:
                self.index_lower[node.var] = outer
        cls = sp.Sum if node.op == "sum" else sp.Product
        if isinstance(node.body, Big) and node.body.op == node.op and isinstance(body, cls):
            return cls(body.function, *body.limits, (var, lo, hi))
        return cls(body, (var, lo, hi))


# ----------------------------------------------------------------------------------------
# Public entry points
# ----------------------------------------------------------------------------------------


def _log_base(text: str, log_base: object) -> sp.Expr | None:
    if log_base in ("e", sp.E):
        return None
    if isinstance(log_base, (int, sp.Integer)) and not isinstance(log_base, bool) and log_base >= 2:
        return sp.Integer(log_base)
    raise ParseError(text, f"log_base must be 'e' or an integer >= 2, not {log_base!r}")


def _overrides(text: str, symbols: Mapping[str, sp.Basic] | None) -> dict[str, sp.Basic]:
    overrides = dict(symbols or {})
    for name, value in overrides.items():
        if not isinstance(name, str) or not isinstance(value, sp.Basic):
            raise ParseError(text, f"symbols must map names to SymPy objects, got {name!r}: {value!r}")
    return overrides


def _parse_tree(text: str, state: _State) -> Node:
    tokens = _strip_layout(tokenize(text), text, state.notes)
    state.t_is_symbol = _t_is_symbol(tokens)
    sides, relations = _split_relations(tokens, text)
    if len(relations) > 1:
        raise ParseError(text, "a chain of relations ('a = b = c') is not supported: give one relation", relations[1][1].pos)
    for number, side in enumerate(sides):
        if not side:
            _, rel = relations[0]
            raise ParseError(text, f"nothing on the {'left' if number == 0 else 'right'} of '{rel.key}'", rel.pos)
    trees = [_Parser(text, side, state, is_lhs=bool(relations) and number == 0).parse()
             for number, side in enumerate(sides)]
    if relations:
        return Rel(relations[0][0], trees[0], trees[1])
    return trees[0]


def parse_latex_with_notes(text: str, *, log_base: str | int = "e", symbols: Mapping[str, sp.Basic] | None = None) -> Parsed:
    """Like :func:`parse_latex`, also returning the notes (dropped transposes, annotations)."""
    if not isinstance(text, str):
        raise ParseError(repr(text), "the formula must be a string")
    base = _log_base(text, log_base)
    overrides = _overrides(text, symbols)
    state = _State()
    try:
        tree = _parse_tree(text, state)
        expr = _Builder(text, _bind(tree), overrides, base, state.notes).build(tree)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(text, "formula nested too deeply") from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ParseError(text, f"cannot build the expression: {exc}") from exc
    if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.nan, sp.S.ComplexInfinity):
        raise ParseError(text, "the formula divides by zero (or is otherwise undefined) as written")
    if isinstance(expr, sp.Basic) and expr.has(sp.I):
        raise ParseError(text, "the formula is not real as written (a square root or log of a negative "
                               "number, or a log to a base that is not positive)")
    return Parsed(expr, tuple(state.notes))


def parse_latex(text: str, *, log_base: str | int = "e", symbols: Mapping[str, sp.Basic] | None = None) -> sp.Basic:
    """Hand-written LaTeX -> an evaluated SymPy expression, or a :class:`Relation`.

    ``log_base``: what ``\\log`` means ('e', the default, or an integer such as 2 or 10);
    ``\\ln`` is always natural.  ``symbols``: ``{name: Symbol}`` overriding derive's symbols
    (``name`` as the parser spells it, e.g. 'yhat', 'sigma_1', 'mathcal{L}').
    Raises :class:`~derive.errors.ParseError` (with the position) for anything it cannot read.
    """
    return parse_latex_with_notes(text, log_base=log_base, symbols=symbols).expr
