"""Memoised functions whose results a build can save to its cache and load back.

    @memo("entropy")
    def entropy_derivation(name): ...        # computed once per process and arguments

    entropy_derivation.known(("normal",))    # True once computed or loaded
    entropy_derivation.load(("normal",), v)  # a result read from the build cache

``functools.cache`` cannot be seeded with a value computed elsewhere (an earlier build, a
worker process); a :class:`Memo` can.  Each memo is registered under its name, so a worker
process (or :mod:`derive.prepare`) calls it by name: ``MEMOS["entropy"]("normal")``.
"""

from __future__ import annotations

from typing import Any, Callable

MEMOS: dict[str, "Memo"] = {}


class Memo:
    """``fn``'s results by positional arguments (hashable), with :meth:`load` to seed them."""

    def __init__(self, name: str, fn: Callable[..., Any]):
        self.name, self.fn, self.values = name, fn, {}
        self.__doc__, self.__wrapped__ = fn.__doc__, fn

    def __call__(self, *args: Any) -> Any:
        if args not in self.values:
            self.values[args] = self.fn(*args)
        return self.values[args]

    def known(self, args: tuple) -> bool:
        return args in self.values

    def load(self, args: tuple, value: Any) -> None:
        self.values[args] = value

    def cache_clear(self) -> None:
        self.values.clear()


def memo(name: str) -> Callable[[Callable[..., Any]], Memo]:
    """Register ``fn`` as the memo ``name`` (one function per name; a module reloaded
    registers its function again)."""
    def wrap(fn: Callable[..., Any]) -> Memo:
        MEMOS[name] = Memo(name, fn)
        return MEMOS[name]
    return wrap
