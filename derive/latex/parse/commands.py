"""The command tables: one place for every command and name the reader knows, and the
predicates on tokens that use them."""

from __future__ import annotations

import re

from derive.latex.tokens import Token

#: Deepest nesting of groups/factors accepted (a clean ParseError beyond, never a RecursionError).
MAX_DEPTH = 100
MAX_DIGITS = 100
MAX_RESULT_BITS = 100_000
MAX_FACTORIAL = 1000


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
    "arctan": "atan", "det": "det", "csc": "csc", "sec": "sec", "cot": "cot",
}
LIST_FUNCTIONS = frozenset({"max", "min"})
BIG_OPERATORS = {"sum": "sum", "prod": "prod", "int": "int"}
FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
BINOMIALS = frozenset({"binom", "dbinom", "tbinom"})
#: Roots of names that are functions when followed by an argument list.
ARGLIST_HEADS = frozenset({"p", "q", "P", "Q", "H", "f", "g", "h", "F", "G", "K", "L", "D", "ell", "phi", "varphi", "Phi"})
#: Roots of names that are functions when followed by any parenthesised expression.
ANY_ARG_HEADS = frozenset({"sigma"})
RELATION_COMMANDS = {
    "approx": "approx", "equiv": "equiv", "propto": "propto",
    "coloneqq": "define", "coloneq": "define", "triangleq": "define",
}
INEQUALITY = ("inequalities are not supported: a comparison is read only as a condition, "
              "in an indicator \\mathbb{1}[x > 0] or a row of cases")
UNSUPPORTED = {
    **{c: INEQUALITY for c in ("le", "leq", "ge", "geq", "neq", "ne", "ll", "gg", "leqslant", "geqslant")},
    "sim": "'\\sim' is only understood in a subscript of \\mathbb{E}, as in \\mathbb{E}_{x \\sim p}[...]",
    "mid": "'\\mid' is only understood in an argument list such as p(y \\mid x)",
    "partial": "a derivative is written \\frac{\\partial f}{\\partial x} or \\partial_x f",
    "nabla": "a gradient is written \\nabla_\\theta f (with the variable as a subscript)",
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
OPENING_SIZERS = frozenset({"left", "bigl", "Bigl", "biggl", "Biggl"})
CLOSING_SIZERS = frozenset({"right", "bigr", "Bigr", "biggr", "Biggr"})
ENVIRONMENTS = frozenset({
    "equation", "equation*", "align", "align*", "displaymath", "math", "gather", "gather*",
    "multline", "multline*", "split", "aligned", "gathered", "alignat", "alignat*", "eqnarray", "eqnarray*",
})
DEFAULT_SIZES = frozenset({"n", "N", "K", "D"})
#: Environments that are mathematics: a function by cases.
CASES_ENVIRONMENTS = frozenset({"cases", "dcases", "cases*"})

DELIMITERS = frozenset({
    "(", ")", "[", "]", "|", "\\{", "\\}", "\\|", "\\lvert", "\\rvert", "\\lVert", "\\rVert",
    "\\vert", "\\Vert", "\\langle", "\\rangle", "/", "\\lfloor", "\\rfloor", "\\lceil", "\\rceil",
})
#: Floor and ceiling brackets -> (closer, function-table key).
ROUNDINGS = {"\\lfloor": ("\\rfloor", "floor"), "\\lceil": ("\\rceil", "ceil")}
BRACKETS = {"(": ")", "[": "]", "\\{": "\\}"}
BARS = {"|": "|", "\\vert": "\\vert", "\\lvert": "\\rvert", "\\|": "\\|", "\\Vert": "\\Vert", "\\lVert": "\\rVert"}
NORM_OPENERS = frozenset({"\\|", "\\Vert", "\\lVert"})
OPENERS = frozenset({"{", "(", "[", "\\{"})
CLOSERS = frozenset({"}", ")", "]", "\\}"})
MUL = frozenset({"\\cdot", "\\times", "\\ast", "*"})
DIV = frozenset({"/", "\\div"})
ARG_SEPARATORS = frozenset({",", ";", "|", "\\mid", "\\|", "\\Vert", "\\vert"})
#: Comparison operators of a condition (indicator, cases, Iverson bracket) -> their kind.
CONDITION_OPERATORS = {
    "=": "=", "<": "<", ">": ">", "\\neq": "!=", "\\ne": "!=", "\\le": "<=", "\\leq": "<=",
    "\\leqslant": "<=", "\\ge": ">=", "\\geq": ">=", "\\geqslant": ">=",
}
#: Connectives between conditions (``a \\ge 0 \\wedge b \\le 1``).
LOGIC_CONNECTIVES = {"\\wedge": "and", "\\land": "and", "\\vee": "or", "\\lor": "or"}
NON_STARTERS = frozenset({
    "cdot", "times", "ast", "div", "otimes", "rvert", "rVert", "rfloor", "rceil", "mid", *RELATION_COMMANDS,
    *(key[1:] for key in CONDITION_OPERATORS if key.startswith("\\")), "end", "\\", "choose",
    *(key[1:] for key in LOGIC_CONNECTIVES),
})
SYMBOL_COMMANDS = NAME_COMMANDS - frozenset(ACCENTS)  # one token that is a whole symbol
SCRIPT_COMMANDS = SYMBOL_COMMANDS | frozenset(CONSTANTS) | {"mathbb"}
ENDS_LOOSE_ARGUMENT = frozenset(NAMED_FUNCTIONS) | LIST_FUNCTIONS | frozenset(BIG_OPERATORS) | {"operatorname"}
IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def is_index_token(tok: Token) -> bool:
    """A letter or a Greek command: what can name an index or a variable."""
    return tok.kind == "letter" or tok.kind == "cmd" and tok.value in GREEK


def starts_name(tok: Token | None) -> bool:
    return tok is not None and (tok.kind == "letter" or tok.kind == "cmd" and tok.value in NAME_COMMANDS)


def is_differential_d(tok: Token) -> bool:
    """``d`` or ``\\mathrm{d}`` (a differential when a variable follows it, inside \\int)."""
    return tok.key == "d" or tok.key == "\\mathrm" and (tok.arg or "").strip() == "d"


def script_text(tokens: list[Token]) -> str:
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
