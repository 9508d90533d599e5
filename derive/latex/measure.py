"""How wide and how tall a piece of our own LaTeX prints, estimated without TeX.

:func:`tex_width` adds up estimated widths (in em) of the tokens of a display-math or text
fragment; :func:`tex_height` estimates a display row's height after TeX's rules for fractions,
scripts and limits.  Both read; they never rewrite.  :func:`tex_tokens` is the reader's
tokenizer (control words, brace groups, single characters).
"""

from __future__ import annotations

from collections.abc import Iterator

from derive.latex.tokens import next_tex_token, tex_argument

_TEXT_CHAR = 0.47  # average width of a roman text character, in em
_MATH_CHAR = 0.55  # average width of a math italic letter or digit, in em
_SYMBOL_WIDTHS = {
    "+": 1.25, "-": 1.25, "=": 1.35, "<": 1.35, ">": 1.35, ",": 0.45, ";": 0.45, ":": 0.6,
    "(": 0.4, ")": 0.4, "[": 0.3, "]": 0.3, "|": 0.3, "/": 0.5, "'": 0.3, "!": 0.3, ".": 0.3,
}
_COMMAND_WIDTHS = {
    "log": 1.55, "ln": 1.0, "exp": 1.65, "sin": 1.5, "cos": 1.6, "tanh": 2.2, "max": 2.0,
    "min": 1.9, "arg": 1.6, "sum": 1.5, "prod": 1.5, "int": 0.7, "cdot": 0.8, "times": 1.25,
    "pm": 1.25, "mid": 0.85, "propto": 1.35, "sim": 1.35, "approx": 1.35, "equiv": 1.35,
    "neq": 1.35, "leq": 1.35, "geq": 1.35, "le": 1.35, "ge": 1.35, "in": 1.25, "to": 1.55,
    "mapsto": 1.55, "infty": 1.05, "dots": 1.3, "ldots": 1.3, "cdots": 1.3, "quad": 1.0,
    "qquad": 2.0, ",": 0.17, ";": 0.28, ":": 0.22, "!": -0.17, " ": 0.33, "{": 0.5, "}": 0.5,
    "|": 0.5, "\\": 0.0, "displaystyle": 0.0, "textstyle": 0.0, "nonumber": 0.0, "notag": 0.0,
    "left": 0.1, "right": 0.1, "bigl": 0.05, "bigr": 0.05, "Bigl": 0.1, "Bigr": 0.1,
    "biggl": 0.15, "biggr": 0.15, "big": 0.05, "Big": 0.1, "theta": 0.5, "ell": 0.45,
    "partial": 0.6, "nabla": 0.85, "KL": 1.6,
}
_ACCENTS = {"hat", "bar", "tilde", "vec", "dot", "ddot", "check", "breve", "widehat", "widetilde",
            "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "boldsymbol", "mathbb", "mathcal",
            "mathscr", "mathfrak", "bm"}
_TEXT_COMMANDS = {"text", "textrm", "textit", "textbf", "mbox", "operatorname", "mathrm"}
_SIZES = {"small": 0.91, "footnotesize": 0.82, "scriptsize": 0.73, "tiny": 0.55, "normalsize": 1.0}


class Measure:
    """A small reader of our own LaTeX output that adds up estimated widths in em of the
    current font.  It reads; it never rewrites."""

    def __init__(self, tex: str):
        self.tex = tex
        self.pos = 0

    def _peek(self) -> str:
        return self.tex[self.pos] if self.pos < len(self.tex) else ""

    def _token(self) -> str:
        """The next token: a control sequence, a group ``{...}``, or one character (the TeX
        tokenizer the LaTeX reader uses, :func:`derive.latex.tokens.next_tex_token`)."""
        token, self.pos = next_tex_token(self.tex, self.pos)
        return token

    def _argument(self) -> str:
        argument, self.pos = tex_argument(self.tex, self.pos)
        return argument

    def _skip_overlay(self) -> None:
        if self._peek() == "<":
            end = self.tex.find(">", self.pos)
            self.pos = end + 1 if end >= 0 else len(self.tex)

    def math(self, size: float = 1.0, display: bool = True) -> float:
        width = 0.0
        last = 0.0  # width of the last atom, for limits placed under and over it
        limits = False
        while self.pos < len(self.tex):
            char = self._peek()
            if char in "^_":
                self.pos += 1
                script = Measure(self._argument()).math(size * 0.7, False)
                if limits:
                    if script > last:
                        width += script - last
                        last = script
                else:
                    width += script * (0.75 if char == "_" else 1.0)
                continue
            if char in " &~" or char == "\n":
                self.pos += 1
                continue
            token = self._token()
            if token == "\\limits":  # \int\limits: the scripts go above and below
                limits = display
                continue
            limits = False
            if token.startswith("{"):
                last = Measure(token[1:-1]).math(size, display)
            elif token == "\\begin":
                last = self._environment(size)
            elif token.startswith("\\"):
                name = token[1:]
                last = self._command(name, size, display)
                limits = display and name in ("sum", "prod", "underbrace", "lim", "max", "min")
            else:
                last = _SYMBOL_WIDTHS.get(token, _MATH_CHAR) * size
            width += last
        return width

    def _environment(self, size: float) -> float:
        """``\\begin{cases}...\\end{cases}`` and the like: the widest row, cells in text
        style, plus the delimiter."""
        name = self._argument()
        end = self.tex.find("\\end{%s}" % name, self.pos)
        end = len(self.tex) if end < 0 else end
        body = self.tex[self.pos:end]
        self.pos = min(len(self.tex), end + len("\\end{%s}" % name))
        widest = 0.0
        for row in body.split("\\\\"):
            cells = row.split("&")
            widest = max(widest, sum(Measure(c).math(size, False) for c in cells) + 1.6 * (len(cells) - 1))
        return widest + 1.4 * size

    def _command(self, name: str, size: float, display: bool) -> float:
        if name in ("frac", "dfrac", "tfrac"):
            inner = size if (display or name == "dfrac") and name != "tfrac" else size * 0.7
            top = Measure(self._argument()).math(inner, False)
            bottom = Measure(self._argument()).math(inner, False)
            return max(top, bottom) + 0.25 * size
        if name == "sqrt":
            if self._peek() == "[":
                self.pos = self.tex.find("]", self.pos) + 1
            return Measure(self._argument()).math(size, display) + 0.85 * size
        if name in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big"):
            delimiter = self._token()
            return (_COMMAND_WIDTHS[name] + (0.0 if delimiter == "." else 0.4)) * size
        if name in _TEXT_COMMANDS:
            return Measure(self._argument()).text(size)
        if name in _ACCENTS:
            return Measure(self._argument()).math(size, display) * (1.25 if name == "mathcal" else 1.0)
        if name == "boxed":
            return Measure(self._argument()).math(size, display) + 1.0 * size
        if name in ("underbrace", "overbrace"):
            return Measure(self._argument()).math(size, display)
        if name in ("visible", "uncover", "only"):
            self._skip_overlay()
            return Measure(self._argument()).math(size, display)
        if name in ("mathrlap", "rlap", "phantom", "vphantom"):
            self._argument()
            return 0.0
        if name in ("hspace", "hspace*"):
            self._argument()
            return 1.0
        if name in _SIZES:
            return 0.0
        if name in ("operatorname",):
            return Measure(self._argument()).text(size)
        return _COMMAND_WIDTHS.get(name, 0.62) * size

    def text(self, size: float = 1.0) -> float:
        width = 0.0
        while self.pos < len(self.tex):
            char = self._peek()
            if char == "$":
                end = self.tex.find("$", self.pos + 1)
                end = len(self.tex) if end < 0 else end
                width += Measure(self.tex[self.pos + 1:end]).math(size, False)
                self.pos = end + 1
                continue
            token = self._token()
            if token.startswith("{"):
                width += Measure(token[1:-1]).text(size)
            elif token.startswith("\\"):
                name = token[1:]
                if name in _SIZES:
                    size = size * _SIZES[name]
                elif name in ("visible", "uncover", "only"):
                    self._skip_overlay()
                    width += Measure(self._argument()).text(size)
                elif name in ("textit", "textbf", "emph", "textrm", "text"):
                    width += Measure(self._argument()).text(size)
                else:
                    width += _COMMAND_WIDTHS.get(name, _TEXT_CHAR) * size
            elif token == " ":
                width += 0.33 * size
            else:
                width += _TEXT_CHAR * size
        return width


def tex_tokens(tex: str) -> Iterator[str]:
    """The top-level tokens of ``tex``: control sequences, brace groups ``{...}`` (whole) and
    single characters, in order; joined they give ``tex`` back."""
    reader = Measure(tex)
    while reader.pos < len(tex):
        yield reader._token()


def tex_width(tex: str, mode: str = "math") -> float:
    """Estimated width, in em of the surrounding font, of a display-math (``mode="math"``) or
    text (``mode="text"``) LaTeX fragment.  Deliberately a little generous."""
    reader = Measure(tex)
    return reader.math() if mode == "math" else reader.text()


class Vertical(Measure):
    """Height and depth, in em, of our own display-math LaTeX, after TeX's rules for
    fractions (numerator up 0.68 em, denominator down 0.69 em in display style; 0.39 and
    0.35 in text style), scripts and limits."""

    def box(self, size: float = 1.0, display: bool = True) -> tuple[float, float]:
        height, depth = 0.7 * size, 0.2 * size
        last = (0.0, 0.0)
        limits = False
        while self.pos < len(self.tex):
            char = self._peek()
            if char in "^_":
                self.pos += 1
                sh, sd = Vertical(self._argument()).box(size * 0.7, False)
                if limits and char == "^":
                    height = max(height, last[0] + 0.1 * size + sh + sd)
                elif limits:
                    depth = max(depth, last[1] + 0.1 * size + sh + sd)
                elif char == "^":  # raised 0.35 em, and its depth clear of the baseline
                    height = max(height, 0.35 * size + sh, 0.1 * size + sh + sd)
                else:  # lowered 0.2 em, and its top under the x-height
                    depth = max(depth, 0.2 * size + sd, sh + sd - 0.35 * size)
                continue
            if char in " &~\n":
                self.pos += 1
                continue
            token = self._token()
            if token == "\\limits":  # \int\limits: the scripts go above and below
                limits = True
                continue
            limits = False
            if token.startswith("{"):
                last = Vertical(token[1:-1]).box(size, display)
            elif token == "\\begin":
                name = self._argument()
                end = self.tex.find("\\end{%s}" % name, self.pos)
                end = len(self.tex) if end < 0 else end
                rows = self.tex[self.pos:end].count("\\\\") + 1
                self.pos = min(len(self.tex), end + len("\\end{%s}" % name))
                last = (0.6 * rows * size + 0.1, 0.6 * rows * size + 0.1)
            elif token.startswith("\\"):
                last, limits = self._vertical_command(token[1:], size, display)
            else:
                last = (0.7 * size, 0.2 * size)
            height, depth = max(height, last[0]), max(depth, last[1])
        return height, depth

    def _vertical_command(self, name: str, size: float, display: bool):
        if name in ("frac", "dfrac", "tfrac", "binom"):
            full = (display or name == "dfrac") and name != "tfrac"
            inner = size if full else size * 0.7
            nh, nd = Vertical(self._argument()).box(inner, False)
            dh, dd = Vertical(self._argument()).box(inner, False)
            up, down = (0.68, 0.69) if full else (0.39, 0.35)
            return (up * size + nh, down * size + dd + dh * 0.0), False
        if name == "sqrt":
            if self._peek() == "[":
                self.pos = self.tex.find("]", self.pos) + 1
            h, d = Vertical(self._argument()).box(size, display)
            return (h + 0.2 * size, d), False
        if name in ("sum", "prod"):
            return ((0.85, 0.45) if display else (0.75, 0.25)), display
        if name == "int":
            return ((1.05, 0.65) if display else (0.75, 0.25)), False  # bounds beside, unless \limits
        if name in ("bigl", "bigr", "big"):
            self._token()
            return (0.85 * size, 0.35 * size), False
        if name in ("Bigl", "Bigr", "Big"):
            self._token()
            return (1.15 * size, 0.65 * size), False
        if name in ("biggl", "biggr", "bigg"):
            self._token()
            return (1.45 * size, 0.95 * size), False
        if name == "left":
            # \left...\right grow symmetrically about the math axis (0.25 em up).
            self._token()
            start, depth_count = self.pos, 1
            while self.pos < len(self.tex) and depth_count:
                token = self._token()
                depth_count += {"\\left": 1, "\\right": -1}.get(token, 0)
            inner = self.tex[start:self.pos - len("\\right")]
            self._token()  # the closing delimiter
            h, d = Vertical(inner).box(size, display)
            half = max(h - 0.25 * size, d + 0.25 * size) + 0.1 * size
            return (0.25 * size + half, half - 0.25 * size), False
        if name == "right":
            self._token()
            return (0.0, 0.0), False
        if name == "underbrace":
            h, d = Vertical(self._argument()).box(size, display)
            return (h, d + 0.55 * size), True
        if name in _TEXT_COMMANDS or name in _ACCENTS or name == "boxed":
            h, d = Vertical(self._argument()).box(size, display)
            return (h + (0.25 if name in ("hat", "bar", "tilde", "boxed") else 0.0) * size,
                    d + (0.25 if name == "boxed" else 0.0) * size), False
        if name in ("visible", "uncover", "only"):
            self._skip_overlay()
            return Vertical(self._argument()).box(size, display), False
        return (0.7 * size, 0.2 * size), False


def tex_height(tex: str) -> float:
    """Estimated height in lines (of 1.2 em) of a display-math row, the row skip (0.3 em)
    included."""
    height, depth = Vertical(tex).box()
    return (max(height + depth, 1.2) * 1.05 + 0.3) / 1.2
