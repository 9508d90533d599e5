"""Names and their scripts, named functions (``\\log``, ``\\exp``, ...), roots, big operators
and integrals: the part of the grammar that reads what a name or a command starts (a mixin
of :class:`~derive.latex.parse.grammar.Parser`; function application is in ``calls``)."""

from __future__ import annotations

import string

from derive.errors import ParseError
from derive.latex.parse.commands import (
    ACCENTS, ANY_ARG_HEADS, ARGLIST_HEADS, BARS, BIG_OPERATORS, BOLD_FONTS, BRACKETS, ENDS_LOOSE_ARGUMENT,
    GREEK, IDENT, ROMAN_FONTS, SCRIPT_FONTS, is_differential_d, is_index_token, script_text, starts_name,
)
from derive.latex.parse.nodes import Big, Call, Const, Name, Node, Num, Op, Sub, TooDeep
from derive.latex.tokens import Token


class Heads:
    """Grammar rules for names and commands (needs the cursor of ``Parser``)."""

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
            if not IDENT.fullmatch(word):
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
            if not starts_name(self.peek()):
                raise self.error(f"\\{accent.value} must be applied to a symbol", accent)
            return self.name_base()
        self.next()
        if not starts_name(self.peek()):
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
        # x_{ij}, \alpha_{2i}: one index per single letter or digit (all digits: one number, x_{12})
        several = len(span) > 1 and all(t.kind in ("letter", "digit") for t in span) and any(t.kind == "letter" for t in span)
        letters = tuple(t.value for t in span) if several else ()
        try:
            items: tuple[Node, ...] | None = self.sub_parser(span, end).item_list()
        except TooDeep:
            raise
        except ParseError:
            items = None  # not math (e.g. x \sim p): the subscript is only part of a name
        return Sub(script_text(span), items, letters, span[0].pos)

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
        if self.at("^") and self.starred():
            name += "^*"
        sup: Node | None = None
        used_sup = transposed = False
        order: Sub | None = None  # \psi^{(m)}
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
            if index is not None and name == "psi" and self.toks[start].key == "\\psi" and self.at("("):
                order = index
            elif index is not None:
                if sub is not None:
                    raise self.error("double subscript (a subscript and a superscript index (i))")
                sub = index
            elif self.transpose_marker():
                transposed = True
            else:
                sup = self.script_arg()
        if order is not None:
            return self.polygamma_call(order, self.toks[start]), "call"
        first = self.toks[start]
        if self.at("[") and not used_sup and (name == "E" or first.kind == "cmd" and first.value in ROMAN_FONTS):
            # E[X], E_{x \sim p}[...], \mathrm{E}[X], \operatorname{Var}[X]: an expectation or a moment
            head = "mathbb{E}" if name == "E" else name
            if sub is not None:
                head += f"_{{{sub.text}}}"
            return Call(head, (self.bracket(),)), "call"
        if self.at("("):
            if not used_sup:
                call = self.function_call(name, root, sub, start)
                if call is not None:
                    return call, "call"
            elif sup is not None and self.superscript_before_call(name, root, sub, start, sup):
                raise self.error(
                    f"a superscript on the function {self.text[self.toks[start].pos:self.peek().pos].strip()} before (...) "
                    "is ambiguous (a power, an inverse or an order?): write the power of the value, "
                    "(f(x))^{2}, or declare the symbol (symbols=) to multiply")
        node: Node = Name(name, sub)
        if sup is not None:
            return Op("pow", (node, sup)), "power"
        if transposed:
            return Op("transpose", (node,)), "power"
        return node, "power" if used_sup else "name"

    def starred(self) -> bool:
        """``^*`` or ``^{*}`` at the cursor (consumed): a decoration of the name (``k^*``)."""
        keys = [t.key for t in self.toks[self.i : self.i + 4]]
        for pattern in (["^", "*"], ["^", "{", "*", "}"]):
            if keys[: len(pattern)] == pattern:
                self.i += len(pattern)
                return True
        return False

    def superscript_before_call(self, name: str, root: str, sub: Sub | None, start: int, sup: Node) -> bool:
        """Is ``name^{sup}(...)`` a function with a superscript (refused) rather than a power
        times a bracket?  True for known and declared functions; for ``\\sigma`` unless the
        power is a positive integer (``\\sigma^2(1 - p)``); for the other heads before an
        argument list or with the power -1 (``g^{-1}(\\mu)``), not before an expression
        (``p^{y}(1 - p)^{1 - y}``)."""
        if name in self.state.symbols:
            return False
        if name in self.state.functions or self.known_head(self.toks[start], name, sub) is not None:
            return True
        inverse = isinstance(sup, Op) and sup.op == "neg" and sup.args == (Num("1"),)
        if root in ANY_ARG_HEADS:
            return not (isinstance(sup, Num) and sup.text.isdigit())
        is_head = root in ARGLIST_HEADS or root in SCRIPT_FONTS or (len(root) > 1 and root not in GREEK)
        return is_head and (inverse or self.arg_list_length() is not None)  # g^{-1}(...), f^2(x); not p^{y}(1-p)

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
            if self.at("^") and power is None and self.power_then_factor():
                raise self.error(f"ambiguous power after \\{label}(...): does \\{label} take what follows? write "
                                 f"\\{label}\\left((...)^{{n}} ...\\right), or (\\{label}(...))^{{n}} for the power of the value")
        else:
            arg = self.loose_argument(label)
        node = Op(fname, (arg,)) if base is None else Op("logb", (arg, base))
        return node if power is None else Op("pow", (node, power))

    def power_then_factor(self) -> bool:
        """``^{n}`` at the cursor followed by a juxtaposed factor (``\\log(2\\pi e)^n |\\Sigma|``)?"""
        saved = self.i
        try:
            self.next()
            self.script_arg()
            return self.starts_factor()
        except ParseError:
            return False
        finally:
            self.i = saved

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
            if tok.kind == "cmd" and tok.value in ENDS_LOOSE_ARGUMENT or self.state.integrals and self.at_differential():
                break
            if tok.key in BRACKETS or tok.key in BARS:
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
        closer = BRACKETS[opener.key]
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
        names, lo, over = self.sum_index(tok, *lower)
        if lo is not None and hi is None:
            raise self.error(f"\\{tok.value} has a lower bound but no upper bound", tok)
        if len(names) > 1 and hi is not None:
            raise self.error(f"\\{tok.value} over several indices takes no bounds", tok)
        if not (self.at("+", "-") or self.starts_factor()):
            raise self.error(f"\\{tok.value} has no summand", tok)
        node = self.signed_term()
        for name in reversed(names[1:]):  # \sum_{i,j} f == \sum_i \sum_j f
            node = Big(op, name, None, None, node)
        return Big(op, names[0], lo, hi, node, over)

    def sum_index(self, tok: Token, span: list[Token], end: Token | None) -> tuple[list[str], Node | None, str | None]:
        """``i``, ``i=1``, ``i,j`` or ``x \\in S`` under a big operator: the index names, the lower
        bound and the set."""
        unsupported = f"unsupported index '{script_text(span)}' under \\{tok.value}: write i=1, i or i,j"
        if not is_index_token(span[0]) or len(span) > 1 and span[1].key not in (",", "=", "\\in"):
            raise self.error(unsupported, span[0])
        if len(span) == 1:
            return [span[0].value], None, None
        if span[1].key == "\\in" and len(span) > 2:
            over = script_text(span[2:])
            self.state.notes.append(f"read \\{tok.value}_{{{script_text(span)}}} as a sum over {span[0].value} = 1..N_{{{over}}}")
            return [span[0].value], None, over
        if span[1].key == "=":
            return [span[0].value], self.sub_parser(span[2:], end).parse(), None
        if len(span) % 2 == 1 and all(is_index_token(t) if n % 2 == 0 else t.key == "," for n, t in enumerate(span)):
            return [t.value for t in span[::2]], None, None
        raise self.error(unsupported, span[0])

    def integral(self, tok: Token, lower: tuple[list[Token], Token | None] | None, hi: Node | None) -> Node:
        if lower is not None and hi is None and [(t.key, (t.arg or "").strip()) for t in lower[0]] == [("\\mathbb", "R")]:
            lower, hi = None, Const("oo")  # \int_{\mathbb{R}}: over the real line
            lo: Node | None = Op("neg", (Const("oo"),))
        else:
            lo = self.sub_parser(*lower).parse() if lower is not None else None
        if (lo is None) != (hi is None):
            raise self.error("\\int needs both bounds or none", tok)
        if not (self.at("+", "-") or self.starts_factor()):
            raise self.error("\\int has no integrand", tok)
        self.state.integrals += 1
        try:
            body = self.signed_term(differential=True)
        finally:
            self.state.integrals -= 1
        if not self.at_differential():
            raise self.error("\\int without a differential (write dx or \\mathrm{d}x at the end)", tok)
        self.next()
        var, _, _ = self.name_base()
        return Big("int", var, lo, hi, body)

    def at_differential(self) -> bool:
        tok, following = self.peek(), self.peek(1)
        return tok is not None and is_differential_d(tok) and following is not None and is_index_token(following)
