"""One step's verdict: the relation between two read members, under the settings.

    =, \\equiv, :=    exact:        a = b on the domain
    = ... + const     constant:     a - b free of the params (either side marked)
    \\propto           proportional: a = c b, c > 0 free of the params
                      (affine, when the document says so: a = c b + g, g free of the params too)
    \\le, <, \\ge, >    a - b of one sign on the domain, decided symbolically; else a point of
                      the domain where it fails (refuted) or sampled points only (evidence)
    \\approx, \\neq     not read (an approximation is not an identity)

Statuses: ``proved`` (a symbolic proof), ``refuted`` (a counterexample, or a symbolic proof that
the relation fails), ``evidence`` (numeric agreement only), ``undecided``, ``unread`` (a member
or the relation could not be read; the detail says how to write it).
"""

from __future__ import annotations

import inspect
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.bounded import bounded
from derive.errors import DeriveError
from derive.verify.settings import Settings

__all__ = ["Outcome", "check_step", "with_assumptions"]

_EXACT = {"=": "exact", "equiv": "exact", "define": "exact"}
_INEQUALITIES = {"le", "lt", "ge", "gt"}
_SYMBOL_ASSUMPTIONS = {
    "positive": {"positive": True}, "nonnegative": {"nonnegative": True, "real": True},
    "negative": {"negative": True}, "integer": {"integer": True}, "real": {"real": True}, "size": {"integer": True, "positive": True},
}


@dataclass(frozen=True)
class Outcome:
    """A step's status, how it was decided, a detail for the reader and the counterexample."""

    status: str
    method: str = ""
    detail: str = ""
    counterexample: dict | None = None


def _symbol_kwargs(kind: object) -> dict:
    return _SYMBOL_ASSUMPTIONS[kind]


def interval_name(name: str) -> str:
    """The positive variable u that stands for ``name`` in (lo, hi): name = lo + (hi - lo)/(1 + u)."""
    return f"{name}__u"


def with_assumptions(expr: sp.Basic, settings: Settings) -> sp.Basic:
    """``expr`` with each assumed symbol (or IndexedBase) replaced by one carrying the assumption.
    A symbol in an interval (lo, hi) becomes lo + (hi - lo)/(1 + u) with u > 0, a bijection, so a
    proof in u is a proof in x and a point u maps back to x."""
    if not settings.assume:
        return expr
    mapping = {}
    for atom in expr.atoms(sp.Symbol, sp.IndexedBase):
        name = str(atom.label) if isinstance(atom, sp.IndexedBase) else atom.name
        kind = settings.assume.get(name)
        if kind is None or isinstance(atom, sp.Dummy):
            continue
        if isinstance(kind, tuple):
            continue
        new = sp.Symbol(name, **_symbol_kwargs(kind))
        mapping[atom] = sp.IndexedBase(new) if isinstance(atom, sp.IndexedBase) else new
    expr = expr.xreplace(mapping)
    for name, kind in settings.assume.items():
        if not isinstance(kind, tuple):
            continue
        lo, hi = sp.Rational(kind[0]), sp.Rational(kind[1])
        u = sp.Symbol(interval_name(name), positive=True)
        ub = sp.IndexedBase(u)
        expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and str(e.base.label) == name,
                            lambda e: lo + (hi - lo) / (1 + ub[e.indices]))
        expr = expr.xreplace({s: lo + (hi - lo) / (1 + u) for s in expr.free_symbols
                              if isinstance(s, sp.Symbol) and s.name == name})
    return expr


def _assume_argument(settings: Settings) -> dict:
    return {name: kind for name, kind in settings.assume.items() if not isinstance(kind, tuple)}


def _equivalent(a: sp.Expr, b: sp.Expr, mode: str, params: list[str] | None, settings: Settings):
    from derive import equivalent

    kwargs = {"params": params, "mode": mode, "timeout": settings.timeout}
    names = {s.name for s in a.free_symbols | b.free_symbols if isinstance(s, sp.Symbol)}
    assume = {k: v for k, v in _assume_argument(settings).items() if k in names}
    if assume and "assume" in inspect.signature(equivalent).parameters:
        try:
            return equivalent(a, b, **kwargs, assume=assume)
        except (DeriveError, TypeError, ValueError):
            pass  # a form of assumption it does not take: the symbols carry them (see with_assumptions)
    return equivalent(a, b, **kwargs)


def format_point(point: dict) -> str:
    """``{'y': 1, 'a': 2.5, 'b': 3}`` -> ``y = 1; left = 2.5, right = 3``."""
    shown = {k: v for k, v in point.items() if k not in ("a", "b", "others", "reason")}
    text = ", ".join(f"{k} = {_short(v)}" for k, v in shown.items())
    if "a" in point and "b" in point:
        text += f"; left = {_short(point['a'])}, right = {_short(point['b'])}"
    if point.get("reason"):
        text += f" ({point['reason']})"
    return text


def _short(value: object) -> str:
    try:
        number = sp.sympify(value)
        if number.is_Number and not number.is_Rational:
            return f"{float(number):.6g}"
    except (sp.SympifyError, TypeError, ValueError):
        pass
    return str(value)


def _from_verdict(verdict, what: str) -> Outcome:
    method = getattr(verdict, "method", "")
    if verdict.holds is True and not getattr(verdict, "numerical", False):
        return Outcome("proved", method, what)
    if verdict.holds is True:
        return Outcome("evidence", method, f"{what}: agrees numerically, not a proof")
    if verdict.holds is False:
        point = verdict.counterexample or {}
        return Outcome("refuted", method, f"{what} fails", {str(k): v for k, v in point.items()})
    evidence = getattr(verdict, "evidence", None)
    if evidence:
        return Outcome("evidence", method, f"{what}: agrees numerically, not a proof ({evidence})")
    return Outcome("undecided", method, f"{what}: {method}")


def _params_in(a: sp.Expr, b: sp.Expr, settings: Settings) -> list[str] | None:
    """The declared params that occur in a or b; None when none are declared (every symbol)."""
    if not settings.params:
        return None
    names = {str(s) for s in (a.free_symbols | b.free_symbols)}
    names |= {str(x.label) for x in (a.atoms(sp.IndexedBase) | b.atoms(sp.IndexedBase))}
    found = []
    for p in settings.params:
        for name in (p, interval_name(p)):
            if name in names:
                found.append(name)
    return found


def _proportional(a: sp.Expr, b: sp.Expr, params: list[str] | None, settings: Settings) -> Outcome:
    verdict = _equivalent(a, b, "affine", params, settings)
    if settings.propto == "affine" or verdict.holds is not True:
        what = "same minimisers (a positive factor and an added term free of the params)" \
            if settings.propto == "affine" else "proportional (a positive factor free of the params)"
        return _from_verdict(verdict, what)
    offset = getattr(verdict, "offset", None)
    if offset is None:
        return Outcome("evidence", verdict.method, "proportional: agrees numerically, not a proof")
    status, offset = bounded(sp.simplify, (offset,), settings.timeout)
    if status != "ok":
        return Outcome("undecided", verdict.method, f"proportional: could not simplify the added term {offset}")
    if offset == 0:
        return Outcome("proved", verdict.method, f"proportional, factor {sp.sstr(verdict.scale)}")
    return Outcome("refuted", verdict.method,
                   f"not proportional: left = ({sp.sstr(verdict.scale)}) * right + ({sp.sstr(offset)}), an added "
                   "term; write '= c (...) + \\text{const}', or say '% derive: propto affine' if \\propto "
                   "means 'same minimisers' in this document")


def _sample(symbol: sp.Symbol, rng: random.Random) -> sp.Rational:
    if symbol.is_integer:
        return sp.Integer(rng.randint(1 if symbol.is_positive else (0 if symbol.is_nonnegative else -6), 8))
    magnitude = sp.Rational(Fraction(rng.choice([1, 2, 3, 5, 7, 10, 100])) / rng.choice([1, 2, 3, 8, 1000]))
    if symbol.is_positive or symbol.is_nonnegative:
        return magnitude
    if symbol.is_negative:
        return -magnitude
    return magnitude if rng.random() < 0.5 else -magnitude


def _inequality(a: sp.Expr, b: sp.Expr, kind: str) -> Outcome:
    """a <= b (le) etc.: the sign of d = b - a (le, lt) or a - b (ge, gt)."""
    d = (b - a) if kind in ("le", "lt") else (a - b)
    strict = kind in ("lt", "gt")
    what = {"le": "left <= right", "lt": "left < right", "ge": "left >= right", "gt": "left > right"}[kind]
    if d.atoms(sp.Sum, sp.Product, sp.Indexed, sp.Integral) or d.atoms(sp.core.function.AppliedUndef):
        return Outcome("unread", "", f"{what}: an inequality with sums, indexed symbols or unknown functions "
                       "is not decided yet; check it by hand or write it as an equality")
    for form in (d, sp.factor(d), sp.simplify(d)):
        sign = form.is_positive if strict else form.is_nonnegative
        if sign:
            return Outcome("proved", "sign", f"{what} (the difference is {'positive' if strict else 'non-negative'})")
    rng = random.Random(12345)
    symbols = sorted(d.free_symbols, key=sp.default_sort_key)
    tried = 0
    for _ in range(200):
        point = {s: _sample(s, rng) for s in symbols}
        value = d.xreplace(point)
        value = value.evalf(50) if not value.is_Rational else value
        if not (value.is_real and value.is_finite):
            continue
        tried += 1
        if value < (0 if value.is_Rational else -1e-40) or (strict and value == 0):
            shown = {str(s): v for s, v in point.items()}
            shown.update(a=a.xreplace(point).evalf(15), b=b.xreplace(point).evalf(15))
            return Outcome("refuted", "point", f"{what} fails", shown)
    if tried == 0:
        return Outcome("undecided", "", f"{what}: no point of the domain where both sides are real")
    return Outcome("evidence", "sampled", f"{what}: holds at {tried} sampled points, not a proof")


def _map_back(outcome: Outcome, settings: Settings) -> Outcome:
    """A counterexample in the interval variables u, also given in the document's symbols."""
    point = outcome.counterexample
    if not point:
        return outcome
    extra = {}
    for key, value in point.items():
        head, _, rest = key.partition("__u")
        if rest.startswith("[") or (not rest and key.endswith("__u")):
            kind = settings.assume.get(head)
            if isinstance(kind, tuple):
                lo, hi = sp.Rational(kind[0]), sp.Rational(kind[1])
                try:
                    extra[head + rest] = lo + (hi - lo) / (1 + sp.sympify(value))
                except (sp.SympifyError, TypeError):
                    continue
    if not extra:
        return outcome
    kept = {k: v for k, v in point.items() if "__u" not in k}
    return Outcome(outcome.status, outcome.method, outcome.detail, {**extra, **kept})


_CACHE: dict[tuple, Outcome] = {}
_CACHE_SIZE = 4096


def check_step(a: sp.Expr, b: sp.Expr, kind: str, up_to_constant: bool, settings: Settings) -> Outcome:
    """The verdict on ``a <kind> b`` (members already read, labels substituted).  The same step
    under the same settings is decided once per process (a book repeats its steps in slides)."""
    key = (a, b, kind, up_to_constant, settings.params, tuple(sorted(settings.assume.items(), key=str)),
           settings.propto, settings.timeout)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = _map_back(_check_step(a, b, kind, up_to_constant, settings), settings)
    return _CACHE[key]


def _check_step(a: sp.Expr, b: sp.Expr, kind: str, up_to_constant: bool, settings: Settings) -> Outcome:
    a, b = with_assumptions(a, settings), with_assumptions(b, settings)
    try:
        if kind in _INEQUALITIES:
            status, result = bounded(_inequality, (a, b, kind), settings.timeout)
            return result if status == "ok" else Outcome("undecided", "", f"the inequality {status} {result}")
        if kind == "approx":
            return Outcome("unread", "", "\\approx is an approximation, not checked; write = if the step is exact")
        if kind in ("neq", "sim", "in"):
            return Outcome("unread", "", f"the relation {kind} is a statement, not a step")
        params = _params_in(a, b, settings)
        if params == [] and (kind == "propto" or up_to_constant):
            return Outcome("unread", "", f"the step involves none of the params ({', '.join(settings.params)}); "
                           "up to a constant or a factor in them any two formulas agree")
        if kind == "propto" and up_to_constant:  # a \propto b + const: same minimisers
            return _from_verdict(_equivalent(a, b, "affine", params, settings),
                                 "a positive factor and an added term free of the params (\\propto ... + const)")
        if kind == "propto":
            return _proportional(a, b, params, settings)
        mode = "constant" if up_to_constant else _EXACT[kind]
        what = "equal up to a term free of the params" if up_to_constant else "equal"
        if up_to_constant and params is None:
            what = "equal up to a constant (a number: no params declared)"
        return _from_verdict(_equivalent(a, b, mode, params, settings), what)
    except DeriveError as exc:
        return Outcome("unread", "", f"cannot compare the sides: {exc}")
