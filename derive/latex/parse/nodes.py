"""The parser's tree (built into SymPy by :class:`~derive.latex.parse.build.Builder`) and its
per-call state."""

from __future__ import annotations

from dataclasses import dataclass, field

from derive.errors import ParseError

class Node:
    """Base of the parser's tree (built into SymPy by :class:`Builder`)."""


@dataclass(frozen=True)
class Num(Node):
    text: str


@dataclass(frozen=True)
class Const(Node):
    name: str  # 'pi', 'E', 'oo'


@dataclass(frozen=True)
class Sub:
    """A subscript: its canonical text, its items (None if unreadable as math), its letters."""

    text: str
    items: tuple[Node, ...] | None
    letters: tuple[str, ...]
    pos: int


@dataclass(frozen=True)
class Name(Node):
    name: str
    sub: Sub | None = None

    @property
    def full(self) -> str:
        return self.name if self.sub is None else f"{self.name}_{self.sub.text}"


@dataclass(frozen=True)
class Op(Node):
    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    head: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Big(Node):
    op: str  # 'sum', 'prod', 'int'
    var: str
    lo: Node | None
    hi: Node | None
    body: Node
    over: str | None = None  # the set of \sum_{x \in S}, as written


@dataclass(frozen=True)
class Fn(Node):
    """A function of the function table (functions.FUNCTIONS), by key."""

    key: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Cmp(Node):
    """A condition ``a < b``, ``a = b``, ``0 < x \\le 1``: the items and the operators between them."""

    ops: tuple[str, ...]  # '=', '!=', '<', '<=', '>', '>='
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Logic(Node):
    """Conditions joined by ``\\wedge`` (op 'and') or ``\\vee`` (op 'or')."""

    op: str
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Cases(Node):
    """``\\begin{cases}``: (value, condition) rows; a condition None is 'otherwise'."""

    rows: tuple[tuple[Node, Node | None], ...]


@dataclass(frozen=True)
class Deriv(Node):
    """A derivative of ``body`` in ``wrt`` (names, with their orders); ``label`` when the body
    is a bare name written as the numerator (a quantity that depends on the variables)."""

    body: Node
    wrt: tuple[tuple[Node, int], ...]
    label: bool = False


@dataclass(frozen=True)
class Rel(Node):
    kind: str
    lhs: Node
    rhs: Node


class TooDeep(ParseError):
    """Nesting beyond MAX_DEPTH (never swallowed by a fallback)."""


@dataclass
class State:
    """Per-call state shared by a parser and its sub-parsers (never global)."""

    notes: list[str] = field(default_factory=list)
    t_is_symbol: bool = False
    calls: dict[tuple[str, int], bool] = field(default_factory=dict)  # (head, arity) -> with a bar?
    integrals: int = 0  # how many integrands the cursor is in (a differential dx ends a term there)
    functions: frozenset[str] = frozenset()  # names the caller declares as (opaque) functions
    symbols: frozenset[str] = frozenset()  # names the caller declares as symbols (never functions)
