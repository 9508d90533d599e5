"""Hand-written LaTeX -> SymPy: our own tokenizer and recursive-descent parser.

The pipeline is a straight sequence of small steps, one module each::

    tokenize (derive.latex.tokens) -> strip layout, split relations (layout)
             -> parse to a small tree (grammar, heads, nodes) -> bind indices (binding)
             -> build SymPy, evaluated, with derive's symbols (build)

The reading conventions and the function table are in docs/LATEX.md.  Nothing is kept
between calls: every call builds its own tokens, parser and builder.
"""

from __future__ import annotations

from typing import Mapping

import sympy as sp

from derive.errors import ParseError
from derive.latex.parse.binding import bind
from derive.latex.parse.build import Builder
from derive.latex.parse.commands import MAX_DEPTH
from derive.latex.parse.grammar import Parser
from derive.latex.parse.layout import split_relations, strip_layout, t_is_symbol, tokenize
from derive.latex.parse.nodes import Node, Rel, State
from derive.latex.parse.relations import RELATIONS, Approx, Define, Equation, Equiv, Parsed, Propto, Relation

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


def _parse_tree(text: str, state: State) -> Node:
    tokens = strip_layout(tokenize(text), text, state.notes)
    state.t_is_symbol = t_is_symbol(tokens)
    sides, relations = split_relations(tokens, text)
    if len(relations) > 1:
        raise ParseError(text, "a chain of relations ('a = b = c') is not supported: give one relation", relations[1][1].pos)
    for number, side in enumerate(sides):
        if not side:
            _, rel = relations[0]
            raise ParseError(text, f"nothing on the {'left' if number == 0 else 'right'} of '{rel.key}'", rel.pos)
    trees = [Parser(text, side, state, is_lhs=bool(relations) and number == 0).parse()
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
    state = State()
    try:
        tree = _parse_tree(text, state)
        expr = Builder(text, bind(tree), overrides, base, state.notes).build(tree)
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
