"""Constructs beyond arithmetic: functions by cases, derivatives and gradients, floor and
ceiling, ``\\choose``, the Iverson bracket (a mixin of
:class:`~derive.latex.parse.grammar.Parser`)."""

from __future__ import annotations

from derive.latex.parse.commands import GREEK, ROMAN_FONTS, ROUNDINGS, is_differential_d, is_index_token
from derive.latex.parse.nodes import Cases, Deriv, Fn, Name, Node, Num, Op
from derive.latex.tokens import Token

#: Words that introduce the condition of a row of ``cases``; words that mean "every other case".
CASE_WORDS = frozenset({"if", "for", "when", "where", "whenever", "if}", "for all"})
OTHERWISE_WORDS = frozenset({"otherwise", "else", "o.w.", "elsewhere"})


def _is_leibniz_d(tok: Token | None) -> bool:
    return tok is not None and (tok.key == "\\partial" or is_differential_d(tok))


class Constructs:
    """Grammar rules for cases, derivatives, roundings and binomials (needs ``Parser``)."""

    # -- cases ----------------------------------------------------------------------------

    def cases(self) -> Node:
        r"""``\begin{cases} v_1 & \text{if } c_1 \\ v_2 & \text{otherwise} \end{cases}``."""
        begin = self.next()
        rows: list[tuple[Node, Node | None]] = []
        how = r"write each row as value & \text{if } condition, and the last as value & \text{otherwise}"
        while True:
            if self.at("\\end"):
                raise self.error(f"an empty row in cases: {how}")
            value = self.expr()
            if self.at(","):
                self.next()
            if not self.at("&"):
                raise self.error(f"a row of cases without its condition ('&'): {how}")
            self.next()
            cond = self.case_condition(how)
            if rows and rows[-1][1] is None:
                raise self.error(f"a row after the 'otherwise' row of cases: {how}")
            rows.append((value, cond))
            while self.at(",", "."):
                self.next()
            if self.at("\\\\"):
                self.next()
                if not self.at("\\end"):
                    continue
            if self.at("\\end"):
                self.next()
                break
            tok = self.peek()
            if tok is None:
                raise self.error(f"missing \\end{{cases}} for the \\begin{{cases}} at position {begin.pos}")
            raise self.unexpected(tok)
        return Cases(tuple(rows))

    def case_condition(self, how: str) -> Node | None:
        """The condition after ``&`` (None for 'otherwise')."""
        tok = self.peek()
        if tok is not None and tok.kind == "cmd" and tok.value in ROMAN_FONTS:
            word = " ".join((tok.arg or "").split()).rstrip(",.") or (tok.arg or "").strip()
            if word in OTHERWISE_WORDS:
                self.next()
                return None
            if word in CASE_WORDS:
                self.next()
            elif word:
                raise self.error(f"cannot read the condition \\{tok.value}{{{tok.arg}}} in cases: {how}", tok)
        return self.condition("a row of cases", how)

    # -- derivatives ----------------------------------------------------------------------

    def is_leibniz(self) -> bool:
        """Is the ``\\frac`` at the cursor ``\\frac{d...}{d x}`` (a derivative, not a quotient)?"""
        if not self.at("{"):
            return False
        den = self.match[self.i] + 1
        toks = self.toks
        var = toks[den + 2] if den + 2 < len(toks) else None
        return (_is_leibniz_d(toks[self.i + 1]) and den + 2 < len(toks) and toks[den].key == "{"
                and _is_leibniz_d(toks[den + 1]) and var is not None
                and (is_index_token(var) or var.kind == "cmd" and var.key not in ("\\partial", "}")))

    def leibniz(self, frac: Token) -> Node:
        r"""``\frac{\partial f}{\partial x}``, ``\frac{d^2 f}{dx^2}``, ``\frac{\partial}{\partial x} f``."""
        num_open = self.i
        num_close = self.match[num_open]
        den_open = num_close + 1
        den_close = self.match[den_open]
        num = self.toks[num_open + 1 : num_close]
        den = self.toks[den_open + 1 : den_close]
        self.i = den_close + 1
        sub = self.sub_parser(den, self.toks[den_close])
        wrt = sub.differentials(frac)
        order = sum(n for _, n in wrt)
        body_toks = num[1:]
        if body_toks and body_toks[0].key == "^":  # \partial^2 f
            head = self.sub_parser(body_toks[1:], self.toks[num_close])
            written = head.script_arg()
            if not (isinstance(written, Num) and written.text.isdigit() and int(written.text) == order):
                raise self.error("the order in the numerator of a derivative must be the sum of the "
                                 "orders in its denominator, e.g. \\frac{\\partial^2 f}{\\partial x \\partial y}", frac)
            body_toks = head.toks[head.i :]
        elif order != 1 and body_toks is not None:
            raise self.error("a derivative of order %d needs the order in its numerator too: \\frac{d^%d f}{dx^%d}"
                             % (order, order, order), frac)
        if body_toks:
            body = self.sub_parser(body_toks, self.toks[num_close]).parse()
            return Deriv(body, wrt, label=isinstance(body, Name))
        return self.derivative_of_what_follows(wrt, frac)

    def differentials(self, frac: Token) -> tuple[tuple[Node, int], ...]:
        """The denominator of a derivative: ``\\partial x``, ``dx^2``, ``\\partial x \\partial y``."""
        wrt: list[tuple[Node, int]] = []
        while self.peek() is not None:
            d = self.next()
            if not _is_leibniz_d(d):
                raise self.error("the denominator of a derivative must be \\partial x or dx (one per variable)", d)
            if not (self.peek() is not None and (is_index_token(self.peek()) or self.peek().key.startswith("\\")
                                                 and self.peek().kind == "cmd")):
                raise self.error("a derivative needs its variable after d or \\partial", d)
            var = self.variable()
            order = 1
            if self.at("^"):
                self.next()
                written = self.script_arg()
                if not (isinstance(written, Num) and written.text.isdigit() and int(written.text) >= 1):
                    raise self.error("the order of a derivative must be a positive integer", d)
                order = int(written.text)
            wrt.append((var, order))
        if not wrt:
            raise self.error("a derivative needs its variable: \\frac{\\partial f}{\\partial x}", frac)
        return tuple(wrt)

    def variable(self) -> Node:
        """A variable of differentiation: a symbol with an optional subscript."""
        name, _, sub = self.name_base()
        if self.at("_") and sub is None:
            self.next()
            sub = self.make_sub(*self.script_span())
        return Name(name, sub)

    def derivative_of_what_follows(self, wrt: tuple[tuple[Node, int], ...], op: Token) -> Node:
        """The operator form: the derivative of the rest of the term (``\\frac{d}{dx} x^2 y``)."""
        if not self.starts_factor():
            raise self.error(f"the derivative {op.key}... has nothing to differentiate: "
                             "write \\frac{\\partial f}{\\partial x} or \\frac{\\partial}{\\partial x} f", op)
        start = self.peek()
        body = self.term()
        if isinstance(body, Name) and not any(isinstance(v, Name) and v == body for v, _ in wrt):
            shown = self.text[start.pos : self.peek().pos if self.peek() is not None else self.end_pos].strip()
            raise self.error(f"the derivative of the bare name {shown} is ambiguous (a quantity that depends on the "
                             f"variable, or a constant): write it as a fraction, \\frac{{d {shown}}}{{d x}}, for "
                             "a quantity, or write out the expression it stands for", start)
        return Deriv(body, wrt)

    def partial_operator(self) -> Node:
        r"""``\partial_x f`` and ``\nabla_\theta f``: the derivative of the rest of the term."""
        op = self.next()
        if not self.at("_"):
            raise self.error(f"{op.key} needs its variable as a subscript: {op.key}_x f "
                             "(or write \\frac{\\partial f}{\\partial x})", op)
        self.next()
        span, end = self.script_span()
        sub = self.sub_parser(span, end)
        if not (span and (is_index_token(span[0]) or span[0].kind == "cmd" and span[0].value not in GREEK)):
            raise self.error(f"{op.key}_{{...}} must name one variable", op)
        var = sub.variable()
        if sub.peek() is not None:
            raise self.error(f"{op.key}_{{...}} must name one variable", op)
        return self.derivative_of_what_follows(((var, 1),), op)

    # -- roundings, binomials, Iverson ------------------------------------------------------

    def rounding(self) -> Node:
        r"""``\lfloor x \rfloor``, ``\lceil x \rceil``."""
        opener = self.next()
        closer, key = ROUNDINGS[opener.key]
        self.closers.append(closer)
        inner = self.expr()
        self.expect(closer, opener)
        self.closers.pop()
        return Fn(key, (inner,))

    def choose(self, top: Node, opener: Token) -> Node:
        r"""``{n \choose k}`` after its top has been read (at ``\choose``)."""
        self.next()
        if not self.starts_factor() and not self.at("-"):
            raise self.error("\\choose needs its lower entry: {n \\choose k}", opener)
        return Op("binomial", (top, self.expr()))

    def iverson(self, inner: Node, opener: Token) -> Node:
        """``[y = 0]``: the Iverson bracket (1 where the condition holds, else 0)."""
        return Fn("indicator", (self.condition_from(inner, "the Iverson bracket", "write [y = 0]"),))
