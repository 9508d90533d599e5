"""Function application: the one rule that decides what a name followed by a parenthesis
is (a known function, a declared function, a conventional head, a product, or a refusal),
the argument lists, ``\\operatorname``, ``\\mathbb{E}`` and the indicator (a mixin of
:class:`~derive.latex.parse.grammar.Parser`)."""

from __future__ import annotations

import re

from derive.errors import ParseError
from derive.latex.parse.commands import (
    ACCENTS, ANY_ARG_HEADS, ARG_SEPARATORS, ARGLIST_HEADS, CONDITION_OPERATORS, CONSTANTS, GREEK, IDENT,
    LOGIC_CONNECTIVES, RELATION_COMMANDS,
    NAMED_FUNCTIONS, ROMAN_FONTS, SCRIPT_FONTS, SYMBOL_COMMANDS, script_text,
)
from derive.latex.parse.functions import COMMAND_HEADS, FUNCTIONS, SUBSCRIPTED_HEADS, WORD_HEADS
from derive.latex.parse.nodes import Call, Cmp, Fn, Logic, Name, Node, Num, Op, Sub
from derive.latex.tokens import Token

#: Indicator spellings: \mathbb{1}, \mathbb{I}, \mathbf{1}, \mathds{1}, \mathbbm{1}.
INDICATOR_LETTERS = frozenset({"1", "I"})


def _bessel_order(sub: Sub) -> bool:
    """Is the subscript of ``I_.``/``K_.`` a Bessel order: numbers and Greek letters (``I_0``,
    ``K_\\nu``, ``I_{1/2}``), not a latin letter (``K_h``, a kernel with bandwidth h)?"""
    if sub.items is None or len(sub.items) != 1:
        return False
    leaves = [n for n in _leaves(sub.items[0])]
    return bool(leaves) and all(isinstance(n, Num) or isinstance(n, Name) and n.sub is None and n.name in GREEK
                                for n in leaves)


def _leaves(node: Node):
    if isinstance(node, Op):
        for arg in node.args:
            yield from _leaves(arg)
    else:
        yield node


class Calls:
    """Grammar rules for function application (needs the cursor of ``Parser``)."""

    def function_call(self, name: str, root: str, sub: Sub | None, start: int) -> Node | None:
        """``name(...)`` at the cursor: a function value, or None when it is a product.

        The rule, in order (docs/LATEX.md prints it with the function table):
        1. a name the caller declares a function (``functions=``) applies to any argument;
           a name the caller declares a symbol (``symbols=``) multiplies;
        2. a known function of the table (``\\psi``, ``\\Gamma``, ``\\Gamma_p``, ``I_\\nu``,
           ``\\mathrm{tr}``, ...) applies to its arguments;
        3. ``\\sigma(...)`` is the opaque function sigma of any argument;
        4. a conventional head (``p q P Q H f g h L D \\ell \\phi``, ``\\mathcal{..}``, a word) before an
           argument list (single symbols separated by ``, ; | \\mid``) is an opaque function;
           any name before two or more arguments, or before an argument list filling the left
           side of a relation (``J(\\theta) = ...``), is one too;
        5. any other name before a parenthesised expression with an operator is a product
           (``\\alpha(1 - p)``), and so is a conventional head whose own name occurs inside
           (``p(1 - p)``); a conventional head before another expression (``f(x + 1)``), and
           any name before a one-item argument list (``J(\\theta)``), is ambiguous and refused
           with how to write it either way.
        """
        head = name if sub is None else f"{name}_{{{sub.text}}}"
        first = self.toks[start]
        if head in self.state.functions or name in self.state.functions:
            return Call(head, self.call_args())
        if head in self.state.symbols or name in self.state.symbols:
            return None
        known = self.known_head(first, name, sub)
        if known is not None:
            if self.name_inside(start):  # \psi(1 - \psi): psi is a parameter here, or digamma?
                raise self.ambiguous_call(start, head)
            return self.known_call(known, sub, first)
        if root in ANY_ARG_HEADS and sub is None:
            return Call(head, self.call_args())
        count = self.arg_list_length()
        is_head = root in ARGLIST_HEADS or root in SCRIPT_FONTS or (len(root) > 1 and root not in GREEK)
        whole_lhs = count is not None and self.is_lhs and start == 0 and self._skip_parens(self.i) == len(self.toks)
        if count is not None and (is_head or count > 1 or whole_lhs):
            return Call(head, self.arg_list(head))
        if count is None and self.comma_inside():
            return Call(head, self.call_args())  # B(\nu/2, 1/2): a product has no commas
        if count is None and (not is_head or self.name_inside(start)):
            return None  # alpha(1 - p), p(1 - p): a product
        self.refuse_relation_inside()
        raise self.ambiguous_call(start, head)

    def name_inside(self, start: int) -> bool:
        """Does the name written from ``start`` to the cursor occur inside the parenthesis at the
        cursor (``p(1 - p)``, ``\\hat{p}(1 - \\hat{p})``)?  A function is not applied to an
        expression of its own name: that is a product."""
        name = [t.key for t in self.toks[start : self.i]]
        end = self._skip_parens(self.i) or len(self.toks)
        inside = [t.key for t in self.toks[self.i + 1 : end - 1]]
        return any(inside[k : k + len(name)] == name for k in range(len(inside) - len(name) + 1))

    def refuse_relation_inside(self) -> None:
        """``p(y = 1 | x)``: a relation inside the parenthesis at the cursor is refused as such."""
        depth = 0
        for tok in self.toks[self.i :]:
            depth += (tok.key in ("(", "[", "{")) - (tok.key in (")", "]", "}"))
            if depth == 0:
                return
            if depth == 1 and (tok.key == "=" or tok.kind == "cmd" and tok.value in RELATION_COMMANDS):
                raise self.error(f"a relation ('{tok.key}') inside brackets is not supported: a condition is written as an indicator, "
                               "\\mathbb{1}[y = 1]; the probability of an event as p(y \\mid x) with y the value", tok)

    def ambiguous_call(self, start: int, head: str) -> ParseError:
        shown = re.sub(r"\\(left|bigl|Bigl|biggl|Biggl|big|Big|bigg|Bigg)\s*$", "",
                       self.text[self.toks[start].pos : self.peek().pos]).strip()
        return self.error(
            f"'{shown}(...)' is ambiguous (a function value or a product): declare the function "
            f"(parse_latex(..., functions={{'{head}'}})) or write the product as {shown} \\cdot (...)")

    @staticmethod
    def known_head(first: Token, name: str, sub: Sub | None) -> str | None:
        """The function-table key of the name starting at ``first``, or None."""
        if first.kind == "cmd" and first.value in ROMAN_FONTS:
            return WORD_HEADS.get(name) if sub is None else None
        if sub is None:
            return COMMAND_HEADS.get(name) if first.kind == "cmd" and first.key == "\\" + name else None
        if (first.kind == "cmd" or name in ("I", "K")) and first.key.lstrip("\\") == name:
            if name in ("I", "K") and not _bessel_order(sub):
                return None  # K_h(x - x_i): a kernel, not a Bessel function
            return SUBSCRIPTED_HEADS.get(name)
        return None

    def known_call(self, key: str, sub: Sub | None, first: Token) -> Node:
        """A known function applied to the parenthesised arguments at the cursor."""
        spec = FUNCTIONS[key]
        shown = self.text[first.pos : self.peek().pos].strip()
        args = self.call_args()
        if spec.arity != (0,) and len(args) not in spec.arity:
            wanted = " or ".join(str(a) for a in spec.arity)
            raise self.error(f"{shown} takes {wanted} argument{'s' if spec.arity != (1,) else ''}", first)
        if spec.parameter:
            if sub is None or sub.items is None or len(sub.items) != 1:
                raise self.error(f"cannot read the subscript of {first.key}_{{...}} as one parameter", first)
            return Fn(key, (sub.items[0], *args))
        if key == "softmax":
            return self.softmax_component(args, first)
        return Fn(key, args)

    def polygamma_call(self, order: Sub, first: Token) -> Node:
        """``\\psi^{(m)}(x)``."""
        if order.items is None or len(order.items) != 1:
            raise self.error("cannot read the order m of \\psi^{(m)}", first)
        args = self.call_args()
        if len(args) != 1:
            raise self.error("\\psi^{(m)} takes 1 argument", first)
        return Fn("polygamma", (order.items[0], args[0]))

    def softmax_component(self, args: tuple[Node, ...], first: Token) -> Node:
        """``\\operatorname{softmax}(z)_k`` -> exp(z[k]) / Sum_j exp(z[j])."""
        if len(args) != 1 or not isinstance(args[0], Name) or args[0].sub is not None:
            raise self.error("softmax takes one vector, written as a plain name: \\operatorname{softmax}(z)_k", first)
        if not self.at("_"):
            raise self.error("softmax needs a component: write \\operatorname{softmax}(z)_k, "
                             "or \\frac{e^{z_k}}{\\sum_{j} e^{z_j}}", first)
        self.next()
        span, end = self.script_span()
        component = self.sub_parser(span, end).parse()
        return Fn("softmax", (args[0], component))

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

    def comma_inside(self) -> bool:
        """Does the parenthesis at the cursor hold a comma at its own depth?"""
        depth = 0
        for tok in self.toks[self.i :]:
            depth += (tok.key in ("(", "[", "{", "\\{")) - (tok.key in (")", "]", "}", "\\}"))
            if depth == 0:
                return False
            if depth == 1 and tok.key == ",":
                return True
        return False

    def arg_list(self, head: str) -> tuple[Node, ...]:
        """``(a, b \\mid c; d)`` at the cursor: single symbols separated by , ; | \\mid \\|.
        A conditioning bar reads as a comma; a formula that also applies the same head to as
        many arguments without a bar (``p(x \\mid y)`` and ``p(x, y)``) is refused, since the
        two would read the same."""
        opener = self.next()
        conditional = False
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
            if not self.at(*ARG_SEPARATORS):
                raise self.error("cannot read the arguments of a function: expected ',' or ')'")
            if self.at("|", "\\mid", "\\vert"):
                conditional = True
                self.state.notes.append(f"read the conditioning bar '{self.peek().key}' in a function's arguments as ','")
            self.next()
        self.expect(")", opener)
        self.closers.pop()
        other = self.state.calls.setdefault((head, len(args)), conditional)
        if other != conditional:
            raise self.error(f"{head}(... | ...) and {head}(..., ...) in one formula would read as the same function "
                             f"(a conditioning bar reads as a comma): give the conditional its own name, "
                             f"e.g. {head}_{{Y|X}}(y, x)", opener)
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
            if self.toks[j].key not in ARG_SEPARATORS:
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
        head = tok.value in ARGLIST_HEADS or tok.kind == "cmd" and (
            tok.value in ANY_ARG_HEADS | SCRIPT_FONTS | ROMAN_FONTS or tok.value == "operatorname")
        if tok.kind == "letter" or tok.kind == "cmd" and (
                tok.value in SYMBOL_COMMANDS or tok.value in CONSTANTS or tok.value == "operatorname"):
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
        """``\\mathbb{E}_{x \\sim p}[...]`` -> Call('mathbb{E}_{x sim p}', (...)); ``\\mathbb{1}[...]``
        and ``\\mathbb{I}[...]`` are indicators."""
        tok = self.next()
        arg = (tok.arg or "").strip()
        if arg in INDICATOR_LETTERS:
            return self.indicator(tok)
        letter = self.font_letter(tok)
        head = f"mathbb{{{letter}}}"
        if self.at("_"):
            self.next()
            span, _ = self.script_span()
            head += f"_{{{script_text(span)}}}"
        if not self.at("[", "("):
            raise self.error(f"\\mathbb{{{letter}}} must be followed by [...] or (...)")
        return Call(head, (self.bracket(),))

    def indicator(self, tok: Token) -> Node:
        """``\\mathbb{1}[c]``, ``\\mathbb{1}\\{c\\}``, ``\\mathbb{1}(c)``, ``\\mathbb{1}_{c}``: 1 where c holds, else 0."""
        shown = f"\\{tok.value}{{{(tok.arg or '').strip()}}}"
        how = f"write {shown}[y = 0] or {shown}_{{y = 0}}"
        if self.at("_"):
            self.next()
            span, end = self.script_span()
            if len(span) > 2 and span[0].key == "\\{" and span[-1].key == "\\}":
                span, end = span[1:-1], span[-1]  # \mathbb{1}_{\{y = k\}}: the condition as a set
            return Fn("indicator", (self.sub_parser(span, end).whole_condition(shown, how),))
        if not self.at("[", "(", "\\{"):
            raise self.error(f"the indicator {shown} needs its condition: {how}", tok)
        opener = self.next()
        closer = {"[": "]", "(": ")", "\\{": "\\}"}[opener.key]
        self.closers.append(closer)
        cond = self.condition(shown, how)
        self.expect(closer, opener)
        self.closers.pop()
        return Fn("indicator", (cond,))

    def at_condition_operator(self) -> bool:
        tok = self.peek()
        return tok is not None and tok.key in CONDITION_OPERATORS

    def condition(self, what: str, how: str) -> Node:
        """``a = b``, ``a \\neq b``, ``a < b \\le c`` at the cursor (a relation inside a construct)."""
        return self.condition_from(self.expr(), what, how)

    def condition_from(self, first: Node, what: str, how: str) -> Node:
        """The rest of a condition whose first item has been read."""
        items, ops = [first], []
        while self.at_condition_operator():
            ops.append(CONDITION_OPERATORS[self.next().key])
            items.append(self.expr())
        if not ops:
            raise self.error(f"{what} needs a condition such as y = 0 or x > 1: {how}")
        cond: Node = Cmp(tuple(ops), tuple(items))
        tok = self.peek()
        connective = None if tok is None else LOGIC_CONNECTIVES.get(tok.key) or (
            "and" if tok.kind == "cmd" and tok.value in ROMAN_FONTS and (tok.arg or "").strip() == "and" else None)
        if connective is None:
            return cond
        self.next()
        rest = self.condition(what, how)
        if isinstance(rest, Logic) and rest.op == connective:
            return Logic(connective, (cond, *rest.parts))
        return Logic(connective, (cond, rest))

    def whole_condition(self, what: str, how: str) -> Node:
        cond = self.condition(what, how)
        if self.peek() is not None:
            raise self.unexpected(self.peek())
        return cond

    def operatorname(self) -> Node:
        """``\\operatorname{name}(...)``: a named function, a known function, or (with a
        warning-free reading) the opaque function ``name``."""
        tok = self.next()
        word = (tok.arg or "").strip()
        if not IDENT.fullmatch(word):
            raise self.error(f"\\operatorname{{{tok.arg}}} is not a name", tok)
        if word in NAMED_FUNCTIONS:
            return self.named_function(tok, NAMED_FUNCTIONS[word])
        if word in WORD_HEADS and not self.at("_"):
            if not self.at("("):
                raise self.error(f"\\operatorname{{{word}}} must be followed by (...)")
            return self.known_call(WORD_HEADS[word], None, tok)
        if word == "E":
            word = "mathbb{E}"  # \operatorname{E}[X]: the expectation, as \mathbb{E}[X]
        if self.at("_"):
            self.next()
            span, _ = self.script_span()
            word = f"{word}_{{{script_text(span)}}}"
        if self.at("["):
            return Call(word, (self.bracket(),))  # \operatorname{Var}[X]
        if not self.at("("):
            raise self.error(f"\\operatorname{{{tok.arg}}} must be followed by (...) or [...]")
        return Call(word, self.call_args())
