"""The grammar: recursive descent over a token list into the tree of :mod:`.nodes`
(expressions, terms, factors, scripts, primaries, brackets, bars, commands).  Names and big
operators are in ``heads``, function application in ``calls``, cases, derivatives and
roundings in ``constructs`` (mixins of :class:`Parser`)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from derive.errors import ParseError
from derive.latex.parse.commands import (
    BARS, BIG_OPERATORS, BINOMIALS, BOLD_FONTS, BRACKETS, CLOSERS, CONSTANTS, DIV, FRACTIONS, INEQUALITY,
    LIST_FUNCTIONS, MAX_DEPTH, MAX_DIGITS, MUL, NAME_COMMANDS, NAMED_FUNCTIONS, NON_STARTERS,
    NORM_OPENERS, RELATION_COMMANDS, ROUNDINGS, ROMAN_FONTS, SCRIPT_COMMANDS, SYMBOL_COMMANDS, UNSUPPORTED,
    script_text,
)
from derive.latex.parse.calls import Calls
from derive.latex.parse.constructs import Constructs
from derive.latex.parse.heads import Heads
from derive.latex.parse.nodes import Call, Const, Name, Node, Num, Op, State, TooDeep
from derive.latex.tokens import Token


class Parser(Heads, Calls, Constructs):
    """Recursive descent over one token list (a side of a relation, or a script)."""

    def __init__(self, text: str, tokens: list[Token], state: State, depth: int = 0,
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
        if tok.key in CLOSERS:
            return self.error(f"unmatched '{tok.key}'", tok)
        if tok.key == "=" or tok.kind == "cmd" and tok.value in RELATION_COMMANDS:
            return self.error(f"a relation ('{tok.key}') inside brackets is not supported: a condition is written as an indicator, "
                               "\\mathbb{1}[y = 1]; the probability of an event as p(y \\mid x) with y the value", tok)
        if tok.key in ("<", ">"):
            return self.error(INEQUALITY, tok)
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
            raise TooDeep(self.text, f"formula nested deeper than {MAX_DEPTH} levels", tok.pos if tok else self.end_pos)
        try:
            yield
        finally:
            self.depth -= 1

    def sub_parser(self, tokens: list[Token], end: Token | None) -> Parser:
        end_pos = end.pos if end is not None else (tokens[-1].pos + 1 if tokens else self.end_pos)
        return Parser(self.text, tokens, self.state, self.depth + 1, end_pos)

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
            if (differential or self.state.integrals) and self.at_differential():
                break
            if self.at(*MUL):
                self.next()
                factors.append(self.factor())
            elif self.at("\\otimes"):
                self.next()
                left = factors.pop() if len(factors) == 1 else Op("mul", tuple(factors))
                factors = [Op("kron", (left, self.factor()))]
            elif self.at(*DIV):
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
        if tok.kind in ("letter", "digit") or tok.key in BRACKETS or tok.key == "{":
            return True
        if tok.key in BARS:
            return not (self.closers and self.closers[-1] == tok.key)
        return tok.kind == "cmd" and tok.value not in NON_STARTERS and tok.key not in CLOSERS

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
        return tok is not None and (tok.key in ("\\top", "\\intercal", "T", "\\mathsf", "\\mathrm", "\\text",
                                                "\\textsf", "\\textrm", "\\mathtt")
                                    and (tok.arg is None or tok.arg.strip() == "T"))

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
        if tok.key in BRACKETS:
            return self.bracket(), "group"
        if tok.key == "{" and self.braced_name_with_subscript():
            node = self.braced()
            self.next()
            return Name(node.full, self.make_sub(*self.script_span())), "name"
        if tok.key == "{":
            return self.braced(), "brace"
        if tok.key in BARS:
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
        if len(digits) > MAX_DIGITS:
            raise self.error(f"number longer than {MAX_DIGITS} digits", start)
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
        closer = BRACKETS[opener.key]
        if self.at(closer):
            raise self.error("empty brackets")
        self.closers.append(closer)
        node = self.expr()
        if opener.key == "[" and self.at_condition_operator():
            node = self.iverson(node, opener)
        elif self.at("\\choose"):
            node = self.choose(node, opener)
        self.expect(closer, opener)
        self.closers.pop()
        return node

    def constant(self) -> tuple[Node, str]:
        """``\\pi``, ``\\infty``; ``\\pi`` is a symbol when the caller declares it (a mixture
        weight, a prior), and ``\\pi(\\theta)`` is refused (a prior density or a product?)."""
        tok = self.next()
        if tok.value in self.state.symbols:
            return Name(tok.value), "name"
        if tok.value in self.state.functions and self.at("("):
            return Call(tok.value, self.call_args()), "call"
        if self.at("(") and self.arg_list_length() is not None:
            raise self.error(f"'{tok.key}' followed by (...) is ambiguous (the constant times a bracket, or a "
                             f"function such as a prior {tok.key}(\\theta)): write {tok.key} \\cdot (...) for the "
                             f"product, or declare it (functions={{'{tok.value}'}})", tok)
        return Const(CONSTANTS[tok.value]), "atom"

    def braced_name_with_subscript(self) -> bool:
        """``{p_{q}}_{k}`` at the cursor: a subscripted name, braced, with a further subscript
        (how the printer writes an indexed base whose name has a subscript)."""
        close = self.match.get(self.i)
        if close is None or close + 1 >= len(self.toks) or self.toks[close + 1].key != "_":
            return False
        saved = self.i
        try:
            node = self.braced()
        except TooDeep:
            raise
        except ParseError:
            return False
        finally:
            self.i = saved
        return isinstance(node, Name) and node.sub is not None

    def braced(self) -> Node:
        opener = self.next()
        if self.at("}"):
            raise self.error("empty braces '{}'")
        self.closers.append("}")
        node = self.expr()
        if self.at("\\choose"):
            node = self.choose(node, opener)
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
        if tok.kind == "letter" or tok.kind == "cmd" and tok.value in SYMBOL_COMMANDS:
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
        if tok.kind in ("letter", "digit") or tok.kind == "cmd" and tok.value in SCRIPT_COMMANDS:
            self.i += 1
            return [tok], None
        raise self.error(f"'{tok.key}' cannot be a subscript without braces", tok)

    def bars(self) -> tuple[Node, str]:
        opener = self.next()
        closer = BARS[opener.key]
        self.closers.append(closer)
        inner = self.expr()
        self.expect(closer, opener)
        self.closers.pop()
        if opener.key not in NORM_OPENERS:
            return Op("abs", (inner,)), "bar"
        head = "norm"
        if self.at("_"):
            self.next()
            span, _ = self.script_span()
            text = script_text(span)
            if text != "2":
                head = f"norm_{{{text}}}"
        return Call(head, (inner,)), "bar"

    def command(self) -> tuple[Node, str]:
        tok = self.peek()
        assert tok is not None
        name = tok.value
        if name in ROMAN_FONTS and (tok.arg or "").strip() == "e":
            return self.euler()
        if name in BOLD_FONTS and (tok.arg or "").strip() == "1":
            return self.indicator(self.next()), "call"  # \mathbf{1}[y = 0]
        if name in NAME_COMMANDS:
            return self.name_atom()
        if name == "mathbb":
            return self.expectation(), "call"
        if name == "operatorname":
            return self.operatorname(), "call"
        if name in CONSTANTS:
            return self.constant()
        if name in FRACTIONS:
            self.next()
            if self.is_leibniz():
                return self.leibniz(tok), "bigop"
            return Op("div", (self.script_arg(), self.script_arg())), "atom"
        if name in ("partial", "nabla"):
            return self.partial_operator(), "bigop"
        if tok.key in ROUNDINGS:
            return self.rounding(), "bar"
        if name == "begin" and tok.arg == "cases":
            return self.cases(), "atom"
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
        raise self.error(f"unknown command \\{name}: write a name as \\mathrm{{{name}}} or a function as "
                         f"\\operatorname{{{name}}}(...) (docs/LATEX.md lists the commands read)", tok)
