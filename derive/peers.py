"""Framework functions that compute a catalogue loss, with the exact relation derived.

A :class:`PeerFunction` is what a framework documents its function to compute, per
example, written once in SymPy in the entry's symbols (``torch.nn.functional.mse_loss``
computes ``(input - target)**2``, with no 1/2).  The relation to the entry's NLL,

    nll == scale * value + offset,   scale > 0 and offset free of the params,

is derived from the derivation (``d.scale``, ``d.loss``, ``d.dropped``), never typed: the
value is matched to the loss as ``value == c * loss + g`` with c, g free of the params
(c from the ratio of derivatives), then scale = d.scale/c and offset = sum(d.dropped) -
d.scale*g/c.  ``condition`` says where the framework's formula is the one written (torch
clamps the variance at eps; ``full=True`` adds Stirling's term only where y > 1).

Each distribution's module registers its peers with :func:`peer`, next to its entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from derive import symbols as dsym
from derive.errors import DeriveError
from derive.stages import onehot_constraint
from derive.symbolic.domains import free_of, split_sums
from derive.symbolic.rules import distribute


@dataclass(frozen=True)
class PeerFunction:
    """One framework function as documented: ``value(symbols)`` builds its per-example
    value from the entry's symbols by name (``symbols["yhat"]``)."""

    entry: str
    function: str  # fully qualified, e.g. "torch.nn.functional.mse_loss"
    call: str  # how it is called on one example, in the entry's names
    value: Callable[[dict], sp.Expr]
    condition: str = ""  # where the documented formula is the one above


@dataclass(frozen=True)
class Peer:
    """A framework function and its derived relation ``nll == scale*value + offset``."""

    function: str
    call: str
    value: sp.Expr
    scale: sp.Expr
    offset: sp.Expr
    condition: str = ""

    def relation(self, nll: sp.Expr) -> sp.Eq:
        return sp.Eq(nll, self.scale * self.value + self.offset, evaluate=False)


_TABLE: list[PeerFunction] = []


def peer(entry: str, function: str, call: str, condition: str = ""):
    """Decorator registering the documented formula of ``function`` for ``entry``."""

    def register(value: Callable[[dict], sp.Expr]) -> Callable[[dict], sp.Expr]:
        if any(p.entry == entry and p.call == call and p.function == function for p in _TABLE):
            raise ValueError(f"peer {function} ({call}) of {entry} is already registered")
        _TABLE.append(PeerFunction(entry, function, call, value, condition))
        return value

    return register


#: The clamps the frameworks apply, where their value leaves the formula (a peer's condition).
TORCH_BCE_CLAMP = "torch clamps each log at -100: equal while yhat and 1 - yhat exceed exp(-100)"
SK_LOG_LOSS_CLIP = "scikit-learn clips yhat to [eps, 1 - eps], eps the float64 machine epsilon: equal inside"

TORCH = "torch.nn.functional."
SK_LOSS = "sklearn._loss.loss."
SK = "sklearn.metrics."


def symbols_of(d) -> dict:
    """The entry's symbols by name (data, params, fixed, link mean, indices and sizes)."""
    a = d.assumption
    found: dict = {}
    exprs = [d.nll, d.loss]
    for e in exprs:
        for s in e.free_symbols | e.atoms(sp.IndexedBase):
            name = str(s.label) if isinstance(s, sp.IndexedBase) else s.name
            found.setdefault(name, s)
    for s in a.symbols:
        name = str(s.label) if isinstance(s, sp.IndexedBase) else s.name
        found[name] = s
    for name in ("j", "k"):
        found.setdefault(name, dsym.index(name))
    for name in ("K", "d", "N"):
        found.setdefault(name, dsym.size(name))
    if a.vector_index is not None:
        found[a.vector_index[0].name] = a.vector_index[0]
        found[str(a.vector_index[2])] = a.vector_index[2]
    found.update(dict(a.given))  # fixed symbols given values stand for their values
    return found


def relate(d, value: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(scale, offset) with nll == scale*value + offset, both free of the params.

    value = c*loss + g with c, g free of the params; c = 1 when the difference is already
    param-free (proved by its derivatives where simplify cannot show it), else the ratio of the derivatives along the first param that moves them."""
    params = d.params
    loss = d.loss
    value = onehot_constraint(split_sums(distribute(value)), d.assumption) if value.has(sp.Sum) else value
    difference = sp.simplify(value - loss) if value != loss else sp.S.Zero
    if difference.has(*params) and not difference.has(sp.Sum):  # free of them, but not visibly so?
        constant = free_of(difference, [p for p in params if difference.has(p)], d.assumption.domains)
        if constant is not None:
            difference = constant
    ratio = sp.simplify(value / loss) if difference.has(*params) else None
    if not difference.has(*params):
        c, g = sp.S.One, difference
    elif not ratio.has(*params):
        c, g = ratio, sp.S.Zero
    else:
        c = None
        for p in _param_atoms(loss, params):
            dl = sp.diff(loss, p).doit()
            if dl == 0:
                continue
            c = sp.simplify(sp.diff(value, p).doit() / dl)
            break
        if c is None or c.has(*params) or c == 0:
            raise DeriveError(f"{d.name}: {value} is not a positive affine map of the loss {loss}")
        g = sp.simplify(value - c * loss)
        if g.has(*params):
            raise DeriveError(f"{d.name}: {value} - {c}*loss depends on the params")
    return sp.simplify(d.scale / c), sp.Add(*d.dropped) - d.scale * g / c


def _param_atoms(expr, params):
    atoms = []
    for p in params:
        if isinstance(p, sp.IndexedBase):
            atoms += sorted((a for a in expr.atoms(sp.Indexed) if a.base == p), key=str)
        else:
            atoms.append(p)
    return atoms


def peers_of(d) -> tuple[Peer, ...]:
    """Every registered framework function of ``d``'s entry, with its derived relation."""
    names = symbols_of(d)
    out = []
    for spec in _TABLE:
        if spec.entry != d.name:
            continue
        value = spec.value(names)
        scale, offset = relate(d, value)
        out.append(Peer(spec.function, spec.call, value, scale, sp.simplify(offset), spec.condition))
    return tuple(out)


def table() -> tuple[PeerFunction, ...]:
    """Every registered framework function, in registration order."""
    return tuple(_TABLE)
