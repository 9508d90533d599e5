"""Index binding: which bases are indexed, which names are sizes, which are plain symbols."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from derive.latex.parse.commands import DEFAULT_SIZES
from derive.latex.parse.nodes import Big, Call, Name, Node, Op, Rel, Sub

@dataclass(frozen=True)
class Binding:
    """What the whole formula says about names: indexed bases, sizes, plain symbols."""

    indexed: frozenset[str]
    sizes: frozenset[str]
    plain: frozenset[str]
    sum_indices: frozenset[str] = frozenset()  # the names some \sum or \prod binds


def walk(node: Node, scope: frozenset[str]) -> Iterator[tuple[Node, frozenset[str]]]:
    """Every node with the summation indices bound at it (subscripts are not entered)."""
    yield node, scope
    if isinstance(node, Big):
        for part in (node.lo, node.hi):
            if part is not None:
                yield from walk(part, scope)
        yield from walk(node.body, scope if node.op == "int" else scope | {node.var})
    elif isinstance(node, (Op, Call)):
        for arg in node.args:
            yield from walk(arg, scope)
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


def bind(tree: Node) -> Binding:
    """Which bases are indexed, which names are sizes, which are used as plain symbols."""
    indexed: set[str] = set()
    sizes: set[str] = set(DEFAULT_SIZES)
    plain: set[str] = set()
    sum_indices: set[str] = set()
    for node, scope in walk(tree, frozenset()):
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
    return Binding(frozenset(indexed), frozenset(sizes), frozenset(plain), frozenset(sum_indices))
