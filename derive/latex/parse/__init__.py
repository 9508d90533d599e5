"""Hand-written LaTeX -> SymPy: our own tokenizer and recursive-descent parser.

The pipeline is a straight sequence of small steps, one module each::

    tokenize (derive.latex.tokens) -> strip layout, split relations (layout)
             -> parse to a small tree (grammar, heads, nodes) -> bind indices (binding)
             -> build SymPy, evaluated, with derive's symbols (build)

The reading conventions and the function table are in docs/LATEX.md.  Nothing is kept
between calls: every call builds its own tokens, parser and builder.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Union

import sympy as sp
from sympy.matrices.exceptions import ShapeError as MatrixShapeError

from derive.errors import ParseError
from derive.latex.parse.binding import bind_all
from derive.latex.parse.build import Builder
from derive.latex.parse.commands import MAX_DEPTH
from derive.latex.parse.grammar import Parser
from derive.latex.parse.layout import refuse_pi_as_probability, split_relations, strip_layout, t_is_symbol, tokenize
from derive.latex.parse.nodes import Node, State
from derive.latex.parse.readback import printed_name, readback_functions, readback_symbols
from derive.latex.parse.relations import RELATIONS, Approx, Define, Equation, Equiv, Parsed, Propto, Relation
from derive.latex.tokens import Token

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
    "parse_chain",
    "parse_latex",
    "parse_latex_with_notes",
    "printed_name",
    "readback_functions",
    "readback_symbols",
    "tokenize",
]


#: ``functions=``: names read as opaque functions, or names mapped to SymPy functions.
Functions = Union[Iterable[str], Mapping[str, Callable[..., sp.Basic]], None]


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


def _functions(text: str, functions: Functions) -> dict[str, Callable[..., sp.Basic]]:
    """``functions=``: names (opaque functions), or names mapped to what they mean."""
    if functions is None:
        return {}
    if isinstance(functions, str) or not all(isinstance(f, str) for f in functions):
        raise ParseError(text, f"functions must be a collection of names, got {functions!r}")
    if isinstance(functions, Mapping):
        if not all(callable(f) for f in functions.values()):
            raise ParseError(text, f"functions must map names to SymPy functions, got {functions!r}")
        return dict(functions)
    return {name: sp.Function(name) for name in functions}


def _parse_trees(text: str, state: State) -> tuple[list[Node], list[tuple[str, Token]]]:
    """The members of the formula (one, two sides of a relation, or a chain) and the relations."""
    tokens = strip_layout(tokenize(text), text, state.notes)
    state.t_is_symbol = t_is_symbol(tokens)
    if "pi" not in state.symbols:
        refuse_pi_as_probability(tokens, text)
    sides, relations = split_relations(tokens, text)
    for number, side in enumerate(sides):
        if not side:
            _, rel = relations[max(number - 1, 0)]
            raise ParseError(text, f"nothing on the {'left' if number == 0 else 'right'} of '{rel.key}'", rel.pos)
    trees = [Parser(text, side, state, is_lhs=bool(relations) and number == 0).parse()
             for number, side in enumerate(sides)]
    return trees, relations


def _chain_kind(text: str, relations: list[tuple[str, Token]]) -> str:
    """The relation between the first and the last member of a chain ``a = b \\approx c``."""
    kinds = {kind for kind, _ in relations}
    for kind, allowed in (("=", {"="}), ("define", {"define", "="}), ("equiv", {"equiv", "="}),
                          ("approx", {"approx", "=", "equiv", "define"}), ("propto", {"propto", "="})):
        if kinds <= allowed and kind in kinds:
            return kind
    _, tok = next((k, tok) for k, tok in relations if k != relations[0][0])
    raise ParseError(text, "a chain that mixes these relations has no single meaning: "
                           "give one relation, or a chain of '=' and one other kind", tok.pos)


def _read(text: str, log_base: object, symbols: Mapping[str, sp.Basic] | None,
          functions: Functions) -> tuple[list[tuple[str | None, sp.Basic]], list[str], str | None]:
    """The members of a formula with the relation before each, the notes, and the relation
    between the first and the last member of a chain (None for one relation or none)."""
    if not isinstance(text, str):
        raise ParseError(repr(text), "the formula must be a string")
    base = _log_base(text, log_base)
    overrides = _overrides(text, symbols)
    declared = _functions(text, functions)
    state = State(functions=frozenset(declared), symbols=frozenset(overrides))
    try:
        trees, relations = _parse_trees(text, state)
        kind = _chain_kind(text, relations) if len(relations) > 1 else None
        builder = Builder(text, bind_all(trees), overrides, base, state.notes, declared)
        members = [builder.build(tree) for tree in trees]
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(text, "formula nested too deeply") from exc
    except MatrixShapeError as exc:
        raise ParseError(text, f"the shapes of the matrices do not fit: {exc}") from exc
    except NotImplementedError as exc:
        raise ParseError(text, f"cannot combine these terms (a matrix with a number?): {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise ParseError(text, f"cannot build the expression: {exc}") from exc
    for expr in members:
        if isinstance(expr, sp.Basic) and expr.has(sp.zoo, sp.nan, sp.S.ComplexInfinity):
            raise ParseError(text, "the formula divides by zero (or is otherwise undefined) as written")
        if isinstance(expr, sp.Basic) and expr.has(sp.I):
            raise ParseError(text, "the formula is not real as written (a square root or log of a negative "
                                   "number, or a log to a base that is not positive)")
    kinds: list[str | None] = [None] + [kind for kind, _ in relations]
    return list(zip(kinds, members)), state.notes, kind


def parse_latex_with_notes(text: str, *, log_base: str | int = "e", symbols: Mapping[str, sp.Basic] | None = None,
                           functions: Functions = None) -> Parsed:
    """Like :func:`parse_latex`, also returning the notes (dropped transposes, annotations)."""
    members, notes, kind = _read(text, log_base, symbols, functions)
    if len(members) == 1:
        return Parsed(members[0][1], tuple(notes))
    if len(members) == 2:
        return Parsed(RELATIONS[members[1][0]](members[0][1], members[1][1]), tuple(notes))
    notes.append(f"read a chain of {len(members)} members as its first and last (derive.parse_chain gives them all)")
    return Parsed(RELATIONS[kind or "="](members[0][1], members[-1][1]), tuple(notes))


def parse_latex(text: str, *, log_base: str | int = "e", symbols: Mapping[str, sp.Basic] | None = None,
                functions: Functions = None) -> sp.Basic:
    """Hand-written LaTeX -> an evaluated SymPy expression, or a :class:`Relation`.

    ``log_base``: what ``\\log`` means ('e', the default, or an integer such as 2 or 10);
    ``\\ln`` is always natural.  ``symbols``: ``{name: Symbol}`` overriding derive's symbols
    (``name`` as the parser spells it, e.g. 'yhat', 'sigma_1', 'mathcal{L}'); a name given
    here is never read as a function.  ``functions``: names to read as functions before a
    parenthesis, opaque (``functions={"f"}``: ``f(x + 1)`` is ``Function('f')(x + 1)``) or
    with a meaning (``functions={"delta": sympy.DiracDelta}``).
    A chain ``a = b = c`` (a multi-line display) gives the relation between its first and
    last members (:func:`parse_chain` gives every member).
    Raises :class:`~derive.errors.ParseError` (with the position) for anything it cannot read.
    """
    return parse_latex_with_notes(text, log_base=log_base, symbols=symbols, functions=functions).expr


def parse_chain(text: str, *, log_base: str | int = "e", symbols: Mapping[str, sp.Basic] | None = None,
                functions: Functions = None) -> list[tuple[str | None, sp.Basic]]:
    """The members of a formula or a chain of relations, each with the relation written
    before it (None for the first): ``a &= b \\\\ &= c`` -> ``[(None, a), ('=', b), ('=', c)]``.
    A formula without a relation is one member.  Same options as :func:`parse_latex`."""
    return _read(text, log_base, symbols, functions)[0]
