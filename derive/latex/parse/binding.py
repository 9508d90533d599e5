"""Index binding: which bases are indexed, which names are sizes, which are plain symbols."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

from derive.latex.parse.commands import DEFAULT_SIZES
from derive.latex.parse.nodes import Big, Call, Cases, Cmp, Deriv, Fn, Logic, Name, Node, Op, Rel, Sub


@dataclass(frozen=True)
class Binding:
    """What the whole formula says about names: indexed bases, sizes, plain symbols."""

    indexed: frozenset[str]
    sizes: frozenset[str]
    plain: frozenset[str]
    sum_indices: frozenset[str] = frozenset()  # the names some \sum or \prod binds
    bounds: Mapping[Big, str] = field(default_factory=dict)  # the size an unbounded sum runs to


def walk(node: Node, scope: frozenset[str]) -> Iterator[tuple[Node, frozenset[str]]]:
    """Every node with the summation indices bound at it (subscripts are not entered)."""
    yield node, scope
    if isinstance(node, Big):
        for part in (node.lo, node.hi):
            if part is not None:
                yield from walk(part, scope)
        yield from walk(node.body, scope if node.op == "int" else scope | {node.var})
    elif isinstance(node, (Op, Call, Fn)):
        for arg in node.args:
            yield from walk(arg, scope)
    elif isinstance(node, Cmp):
        for item in node.items:
            yield from walk(item, scope)
    elif isinstance(node, Logic):
        for part in node.parts:
            yield from walk(part, scope)
    elif isinstance(node, Cases):
        for value, cond in node.rows:
            yield from walk(value, scope)
            if cond is not None:
                yield from walk(cond, scope)
    elif isinstance(node, Deriv):
        yield from walk(node.body, scope)
        for var, _ in node.wrt:
            yield from walk(var, scope)
    elif isinstance(node, Rel):
        yield from walk(node.lhs, scope)
        yield from walk(node.rhs, scope)


def _mentions(sub: Sub, scope: frozenset[str]) -> bool:
    if sub.letters:
        return any(letter in scope for letter in sub.letters)
    if sub.items is None:
        return False
    return any(
        isinstance(node, Name) and node.sub is None and node.name in scope
        for item in sub.items
        for node, _ in walk(item, frozenset())
    )


def bind_all(trees: list[Node]) -> Binding:
    """The binding of several members read as one formula (a chain)."""
    chained = trees[-1]
    for tree in reversed(trees[:-1]):
        chained = Rel("=", tree, chained)
    return bind(chained)


def bind(tree: Node) -> Binding:
    """Which bases are indexed, which names are sizes, which are used as plain symbols."""
    indexed: set[str] = set()
    sizes: set[str] = set(DEFAULT_SIZES)
    plain: set[str] = set()
    sum_indices: set[str] = set()
    bounds: dict[Big, str] = {}
    for node, scope in walk(tree, frozenset()):
        if isinstance(node, Name):
            if node.sub is None and node.name not in scope:
                plain.add(node.name)
            elif node.sub is not None and _mentions(node.sub, scope):
                indexed.add(node.name)
        elif isinstance(node, Fn) and node.key in ("softmax", "logsumexp") and len(node.args) <= 2:
            vector = node.args[0]
            if isinstance(vector, Name) and vector.sub is None:
                indexed.add(vector.name)  # softmax(z)_k, logsumexp(z): z is a vector of entries z_j
        elif isinstance(node, Big) and node.op != "int":
            sum_indices.add(node.var)
            if node.hi is None:
                bounds[node] = unbounded_size(node)
                sizes.add(bounds[node])
            else:  # the names of an upper bound are sizes: n, T in T - 1 (not an outer index)
                sizes.update(part.full for part, inner in walk(node.hi, scope)
                             if isinstance(part, Name) and part.name not in inner)
    return Binding(frozenset(indexed), frozenset(sizes), frozenset(plain), frozenset(sum_indices), bounds)


def unbounded_size(node: Big) -> str:
    """The size an unbounded ``\\sum_k`` runs to, named after what it ranges over, never after
    its letter (renaming the index changes nothing): ``N_{S}`` over a set ``\\sum_{x \\in S}``;
    else ``N_{y,yhat}`` after the bases it indexes (``y:2`` when it is their second index) and
    the functions it is the argument of (``\\sum_x P(x)``: ``N_{P}``); ``N_{sum}`` when nothing."""
    if node.over is not None:
        return f"N_{{{node.over}}}"
    tags: set[str] = set()
    for inner, scope in walk(node.body, frozenset({node.var})):
        if node.var not in scope:
            continue  # an inner sum rebinds the letter
        if isinstance(inner, Name) and inner.sub is not None:
            position = _position(inner.sub, node.var)
            if position:
                tags.add(inner.name if position == 1 else f"{inner.name}:{position}")
        elif isinstance(inner, Call):
            for position, arg in enumerate(inner.args, start=1):
                if isinstance(arg, Name) and arg.sub is None and arg.name == node.var:
                    tags.add(inner.head if position == 1 else f"{inner.head}:{position}")
    return f"N_{{{','.join(sorted(tags))}}}" if tags else "N_{sum}"


def _position(sub: Sub, var: str) -> int:
    """Which index of a subscript (1-based) is the letter ``var`` (0: none)."""
    if sub.letters:
        return sub.letters.index(var) + 1 if var in sub.letters else 0
    for number, item in enumerate(sub.items or (), start=1):
        if any(isinstance(n, Name) and n.sub is None and n.name == var for n, _ in walk(item, frozenset())):
            return number
    return 0
