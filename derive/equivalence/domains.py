"""Where each variable lives, and why: the assumptions a verdict rests on.

A variable is a real number unless something says otherwise, in this order:

1. ``assume=`` (the caller's, or a catalogue entry's declared domains): a dict
   ``{name: domain}`` (a SymPy set, ``"positive"``, ``"nonnegative"``, ``"real"``, ``"unit"``
   for (0, 1), ``"binary"`` for {0, 1}, ``"size"`` / ``"index"`` for the integers >= 1,
   ``"integer"``, or ``(lo, hi)`` for an open interval), or a string of comparisons such as
   ``"sigma > 0, 0 < p < 1"``; ``"conventions"`` opts in to the old domains by name
   (:func:`derive.symbols.default_domain`: sigma > 0, p in (0, 1), ...);
2. the SymPy assumptions of a symbol handed in as SymPy (sizes and indices of sums are
   integers; the parser gives every other symbol only ``real``);
3. the natural domain, when both sides have the same one: the box where every ``log u`` and
   ``u^r`` (r not an integer) with u linear in one variable is defined;
4. otherwise the reals.

Every domain is listed in the verdict (``Verdict.assumptions``) with its source.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

import sympy as sp

from derive import symbols as dsym
from derive.errors import DeriveError

REALS = sp.S.Reals
POSITIVE = sp.Interval.open(0, sp.oo)
SIZES = sp.Range(1, sp.oo)
NONZERO = REALS - sp.FiniteSet(0)

_WORDS: dict[str, sp.Set] = {
    "real": REALS, "reals": REALS, "positive": POSITIVE, "nonnegative": sp.Interval(0, sp.oo),
    "negative": sp.Interval.open(-sp.oo, 0), "unit": sp.Interval.open(0, 1), "probability": sp.Interval.open(0, 1),
    "binary": sp.FiniteSet(0, 1), "size": SIZES, "index": SIZES, "integer": sp.S.Integers,
    "count": sp.Range(0, sp.oo), "counts": sp.Range(0, sp.oo),
}


@dataclass(frozen=True)
class Assume:
    """What the caller (or an entry) declares: ``domains`` by name, and ``conventions``: the old
    name-based domains for every name not declared."""

    domains: Mapping[str, sp.Set]
    conventions: bool = False
    source: str = "given"


def read_assume(assume: Any, source: str = "given") -> Assume:
    """``assume=`` as an :class:`Assume` (see the module docstring); a bad spec raises DeriveError."""
    if assume is None:
        return Assume({}, source=source)
    if isinstance(assume, Assume):
        return assume
    if isinstance(assume, str):
        if assume.strip() == "conventions":
            return Assume({}, conventions=True, source=source)
        return Assume(_comparisons(assume), source=source)
    if not isinstance(assume, Mapping):
        raise DeriveError(f"assume: expected a dict, a string of comparisons or 'conventions', got {assume!r}")
    domains: dict[str, sp.Set] = {}
    for key, spec in assume.items():
        name = key if isinstance(key, str) else _key_name(key)
        domain = _domain_spec(name, spec)
        domains[name] = domains[name].intersect(domain) if name in domains else domain
    return Assume(domains, source=source)


def _key_name(key: Any) -> str:
    if isinstance(key, sp.IndexedBase):
        return str(key.label)
    if isinstance(key, (sp.Symbol, sp.MatrixSymbol)):
        return key.name
    raise DeriveError(f"assume: {key!r} is not a name, Symbol or IndexedBase")


def _domain_spec(name: str, spec: Any) -> sp.Set:
    if isinstance(spec, sp.Set):
        return spec
    if isinstance(spec, str) and spec.strip().lower() in _WORDS:
        return _WORDS[spec.strip().lower()]
    if isinstance(spec, tuple) and len(spec) == 2:
        try:
            lo, hi = (sp.sympify(v, strict=True) for v in spec)
        except (sp.SympifyError, TypeError):
            lo = hi = None
        if lo is not None and lo.is_extended_real and hi.is_extended_real and lo < hi:
            return sp.Interval.open(lo, hi)
    raise DeriveError(f"assume: cannot read the domain {spec!r} of {name}; use a SymPy set, (lo, hi), or one of "
                      f"{', '.join(sorted(_WORDS))}")


_RELATION = re.compile(r"(<=|>=|\\leq?|\\geq?|≤|≥|<|>)")
_OPEN = {"<": True, ">": True, "<=": False, ">=": False, r"\le": False, r"\leq": False, r"\ge": False,
         r"\geq": False, "≤": False, "≥": False}


def _comparisons(text: str) -> dict[str, sp.Set]:
    """``"sigma > 0, 0 < p < 1, n >= 1"`` as domains by name (names may be LaTeX: ``\\sigma``)."""
    domains: dict[str, sp.Set] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        pieces = _RELATION.split(item)
        if len(pieces) < 3 or len(pieces) % 2 == 0:
            raise DeriveError(f"assume: cannot read {item!r}; write comparisons such as 'sigma > 0, 0 < p < 1'")
        terms, relations = pieces[::2], pieces[1::2]
        for (left, right), rel in zip(zip(terms, terms[1:]), relations):
            name, bound, below = _name_and_bound(left, right, item)
            less = rel in ("<", "<=", r"\le", r"\leq", "≤")
            upper = less if below else not less  # name < bound, or bound > name
            interval = (sp.Interval(-sp.oo, bound, right_open=_OPEN[rel]) if upper
                        else sp.Interval(bound, sp.oo, left_open=_OPEN[rel]))
            domains[name] = domains.get(name, REALS).intersect(interval)
    return domains


def _name_and_bound(left: str, right: str, item: str) -> tuple[str, sp.Expr, bool]:
    """(name, bound, name is on the left) of one comparison."""
    values = [_number(left), _number(right)]
    if (values[0] is None) == (values[1] is None):
        raise DeriveError(f"assume: {item!r}: each comparison needs one name and one number")
    if values[1] is not None:
        return _symbol_name(left, item), values[1], True
    return _symbol_name(right, item), values[0], False


def _number(text: str) -> sp.Expr | None:
    try:
        value = sp.sympify(text.strip().replace("^", "**")) if text.strip() else None
    except Exception:  # noqa: BLE001 - sympify of a name such as 'lambda' raises anything
        return None
    return value if isinstance(value, sp.Expr) and value.is_number and value.is_extended_real else None


def _symbol_name(text: str, item: str) -> str:
    """A plain name (``sigma``, ``y_1``) as it is; LaTeX (``\\sigma``, ``\\hat{y}``) as the parser names it."""
    from derive.latex.parse import parse_latex

    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", text.strip()):
        return text.strip()

    try:
        parsed = parse_latex(text.strip())
    except DeriveError:
        parsed = None
    if isinstance(parsed, sp.Symbol):
        return parsed.name
    if isinstance(parsed, sp.Indexed):
        return str(parsed.base.label)
    raise DeriveError(f"assume: {item!r}: {text.strip()!r} is not a variable name")


# --------------------------------------------------------------------------- domains of symbols


@functools.lru_cache(maxsize=1024)
def by_assumptions(atom: sp.Basic) -> sp.Set:
    """The domain that a Symbol's (or an IndexedBase's elements') SymPy assumptions state; never
    from its name."""
    probe = atom[1] if isinstance(atom, sp.IndexedBase) else atom
    if probe.is_integer:
        if probe.is_positive:
            return SIZES
        return sp.Range(0, sp.oo) if probe.is_nonnegative else sp.S.Integers
    if probe.is_positive:
        return POSITIVE
    if probe.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if probe.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    if probe.is_nonzero and probe.is_real:
        return NONZERO
    return REALS


@functools.lru_cache(maxsize=1024)
def describe(name: str, domain: sp.Set) -> str:
    """``sigma > 0``, ``0 < p < 1``, ``n in {1, 2, ...}``, ``y in {0, 1}``, ``x real``."""
    if domain == REALS:
        return f"{name} real"
    if domain == SIZES:
        return f"{name} in {{1, 2, ...}}"
    if isinstance(domain, sp.Range) and domain.sup == sp.oo:
        return f"{name} in {{{domain.inf}, {domain.inf + 1}, ...}}"
    if domain == sp.S.Integers:
        return f"{name} an integer"
    if isinstance(domain, sp.Union) and all(isinstance(part, sp.Interval) for part in domain.args):
        gaps = [part.sup for part in domain.args[:-1]]
        if all(part.right_open for part in domain.args[:-1]) and domain.inf == -sp.oo and domain.sup == sp.oo \
                and all(p.sup == q.inf and q.left_open for p, q in zip(domain.args, domain.args[1:])):
            return " and ".join(f"{name} != {gap}" for gap in gaps)
    if isinstance(domain, sp.Interval):
        lo, hi = domain.inf, domain.sup
        left = "" if lo == -sp.oo else f"{lo} {'<' if domain.left_open else '<='} "
        right = "" if hi == sp.oo else f" {'<' if domain.right_open else '<='} {hi}"
        return f"{left}{name}{right}"
    return f"{name} in {dsym.describe(domain)}"


# --------------------------------------------------------------------------- natural domain


def _linear_box(u: sp.Expr, strict: bool, domains: Mapping[str, sp.Set]) -> tuple[str, sp.Set] | None | bool:
    """Where u > 0 (u >= 0 unless ``strict``) as (name, interval) when u is linear in one
    variable; True when it holds on the declared domains already; None when neither."""
    coeff, rest = u.as_coeff_Mul()
    if coeff.is_nonzero and coeff.is_real and isinstance(rest, sp.Pow) and rest.exp.is_integer and rest.exp.is_odd:
        u = sp.sign(coeff) * rest.base  # c w^(odd) > 0 exactly where sign(c) w > 0 (1/p > 0: p > 0)
    indexed = u.atoms(sp.Indexed)
    inside = set().union(*(e.free_symbols - {e} for e in indexed))
    variables = [*indexed, *(s for s in u.free_symbols if isinstance(s, sp.Symbol) and s not in inside)]
    if (u.is_positive if strict else u.is_nonnegative):
        return True
    if len(variables) != 1:
        return None
    (v,) = variables
    x = sp.Dummy("x", real=True)
    linear = u.xreplace({v: x})
    slope = sp.diff(linear, x)
    if not slope.is_number or slope == 0:
        return None
    offset = sp.expand(linear - slope * x)
    if not offset.is_number:
        return None
    root = -offset / slope
    if slope > 0:
        interval = sp.Interval(root, sp.oo, left_open=strict)
    else:
        interval = sp.Interval(-sp.oo, root, right_open=strict)
    name = str(v.base.label) if isinstance(v, sp.Indexed) else v.name
    if domains.get(name, REALS).is_subset(interval):
        return True
    return name, interval


def _nonzero_box(w: sp.Expr, domains: Mapping[str, sp.Set]) -> tuple[str, sp.Set] | None | bool:
    """Where w != 0, as :func:`_linear_box` says it (w linear in one variable)."""
    above, below = _linear_box(w, True, domains), _linear_box(-w, True, domains)
    if above is True or below is True:
        return True
    if isinstance(above, tuple) and isinstance(below, tuple) and above[0] == below[0]:
        return above[0], above[1].union(below[1])
    return None


def poles(expr: sp.Expr, domains: Mapping[str, sp.Set]) -> tuple[dict[str, sp.Set], dict[str, str]]:
    """Per variable, the reals without the zeros of every denominator of ``expr`` that is linear in
    one variable (a quotient is defined there), and the conditions as text."""
    box: dict[str, sp.Set] = {}
    why: dict[str, str] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_number and node.exp.is_negative and node.exp.is_integer:
            found = _nonzero_box(node.base, domains)
            if isinstance(found, tuple):
                name = found[0]
                box[name] = box.get(name, REALS).intersect(found[1])
                why[name] = ", ".join(filter(None, (why.get(name), f"{node.base} != 0")))
    return box, why


def natural_box(expr: sp.Expr, domains: Mapping[str, sp.Set]) -> tuple[dict[str, sp.Set], list[str]]:
    """Per variable, where every log and fractional power of ``expr`` with a linear argument is
    defined (beyond the declared ``domains``), and the arguments as text.  Arguments that are not
    linear in one variable add nothing (the probe looks there)."""
    box: dict[str, sp.Set] = {}
    why: list[str] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.log):
            u = node.args[0]
            if isinstance(u, sp.Abs) or (isinstance(u, sp.Pow) and u.exp.is_even):
                found = _nonzero_box(u.args[0] if isinstance(u, sp.Abs) else u.base, domains)
            else:
                found = _linear_box(u, True, domains)
        elif isinstance(node, sp.Pow) and node.exp.is_number and not node.exp.is_integer:
            found = _linear_box(node.base, node.exp.is_negative, domains)
        else:
            continue
        if isinstance(found, tuple):
            name, interval = found
            box[name] = box.get(name, REALS).intersect(interval)
            why.append(str(node))
    return box, why


# --------------------------------------------------------------------------- one variable per name


def _named_atoms(expr: sp.Basic) -> list[sp.Basic]:
    """Every Symbol (bound ones too) and IndexedBase of ``expr``, in a stable order; the label of
    an IndexedBase is not a Symbol of its own, and Dummies are nobody's namesake."""
    found: dict[sp.Basic, None] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.IndexedBase) or (isinstance(node, sp.Symbol) and not isinstance(node, sp.Dummy)):
            found[node] = None
    labels = {node.label for node in found if isinstance(node, sp.IndexedBase)}
    return sorted((n for n in found if n not in labels or isinstance(n, sp.IndexedBase)), key=sp.default_sort_key)


def _atom_name(atom: sp.Basic) -> str:
    return str(atom.label) if isinstance(atom, sp.IndexedBase) else atom.name


@functools.lru_cache(maxsize=1024)
def sympy_assumptions(domain: sp.Set) -> dict[str, bool]:
    """The strongest of integer/positive/nonnegative/negative/real that ``domain`` implies."""
    if isinstance(domain, sp.Range) and domain.free_symbols:  # 0 <= y <= N: an integer from its start
        return {"integer": True, "nonnegative": True} if domain.start >= 0 else {"integer": True}
    if domain.is_subset(sp.S.Integers):
        if domain.is_subset(SIZES):
            return {"integer": True, "positive": True}
        return {"integer": True, "nonnegative": True} if domain.is_subset(sp.Range(0, sp.oo)) else {"integer": True}
    for key, half in (("positive", POSITIVE), ("nonnegative", sp.Interval(0, sp.oo)),
                      ("negative", sp.Interval.open(-sp.oo, 0))):
        if domain.is_subset(half):
            return {key: True}
    if domain.contains(0) == sp.false:
        return {"real": True, "nonzero": True}
    return {"real": True}


def _namesake(atom: sp.Basic, domain: sp.Set) -> sp.Basic:
    """``atom`` itself when its SymPy assumptions are those ``domain`` implies; else a namesake."""
    needed = sympy_assumptions(domain)
    name = _atom_name(atom)
    candidate = sp.Symbol(name, **needed)
    probe = atom.label if isinstance(atom, sp.IndexedBase) else atom
    if probe.assumptions0 == candidate.assumptions0:
        return atom
    if isinstance(atom, sp.IndexedBase):
        return sp.IndexedBase(name, shape=atom.shape, **needed)
    return candidate


@dataclass(frozen=True)
class Unified:
    """a and b with one variable per name; ``back`` maps them to the caller's symbols;
    ``domains`` by name (an IndexedBase's name for its elements); ``assumptions`` as text."""

    a: sp.Basic
    b: sp.Basic
    back: dict
    domains: dict[str, sp.Set]
    assumptions: tuple[str, ...]


def unify(a: sp.Basic, b: sp.Basic, assume: Assume, free: set[str]) -> Unified:
    """One variable per name (and kind), with its domain from ``assume``, else the intersection of
    what its namesakes' SymPy assumptions state (with ``assume.conventions``, also by name), then
    narrowed to the natural domain when both sides have the same one.  ``free``: the names the
    verdict's assumptions list."""
    groups: dict[tuple[str, str], list[sp.Basic]] = {}
    loose = a.free_symbols | b.free_symbols
    for atom in _named_atoms(a) + _named_atoms(b):
        kind = "base" if isinstance(atom, sp.IndexedBase) else "free" if atom in loose else "bound"
        group = groups.setdefault((kind, _atom_name(atom)), [])
        if atom not in group:
            group.append(atom)
    domains: dict[str, sp.Set] = {}
    sources: dict[str, str] = {}
    for (kind, name), group in groups.items():
        if kind == "bound":  # a sum's index: its own variable, whatever the other side calls i
            continue
        if name in assume.domains:  # with what the symbol itself declares (a size stays an integer)
            domain, source = assume.domains[name], assume.source
            for atom in group:
                narrower = domain.intersect(by_assumptions(atom))
                domain = domain if isinstance(narrower, sp.Intersection) else narrower  # unevaluated: keep the given
        else:
            domain = REALS
            for atom in group:
                domain = domain.intersect(by_assumptions(atom))
            source = "integer: sum bound or declared" if domain.is_subset(sp.S.Integers) else "declared"
            if assume.conventions and not domain.is_subset(sp.S.Integers):
                named = dsym.default_domain(name)
                if named != REALS:
                    domain, source = domain.intersect(named), "by name (conventions)"
            if domain == REALS:
                source = "default"
        if domain.is_empty:
            raise DeriveError(f"the domains given for {name} do not intersect: no value satisfies them all")
        domains[name], sources[name] = domain, source
    ua, ub, back = _rename(a, b, groups, domains)
    box_a, why_a = natural_box(ua, domains)
    box_b, why_b = natural_box(ub, domains)
    narrowed = False
    if box_a and box_a == box_b:  # the same natural domain: there both sides are defined
        for name, interval in box_a.items():
            domains[name] = domains[name].intersect(interval)
            sources[name] = "natural domain: " + ", ".join(dict.fromkeys(why_a + why_b))
        narrowed = True
    for side in (ua, ub):  # a quotient is defined off its poles (a set of measure zero)
        box, why = poles(side, domains)
        for name, off in box.items():
            if not domains[name].is_subset(off):
                domains[name] = domains[name].intersect(off)
                sources[name] = f"natural domain: {why[name]}"
                narrowed = True
    if narrowed:
        ua, ub, back = _rename(a, b, groups, domains)
    notes = tuple(f"{describe(name, domains[name])} ({sources[name]})" for name in sorted(free) if name in domains)
    return Unified(ua, ub, back, domains, notes)


def _rename(a, b, groups, domains):
    forward, back = {}, {}
    for (kind, name), group in groups.items():
        if kind == "bound":
            continue
        chosen = _namesake(group[0], domains[name])
        forward.update({atom: chosen for atom in group if atom != chosen})
        if chosen != group[0]:
            back[chosen] = group[0]
    return a.xreplace(forward), b.xreplace(forward), back


def inside(domain: sp.Set, value: sp.Expr) -> bool:
    """Whether the number ``value`` lies in ``domain`` (fast for intervals, ranges, finite sets
    and their unions; SymPy's ``contains`` otherwise)."""
    if isinstance(domain, sp.Interval) and value.is_Rational:
        lo, hi, left_open, right_open = _bounds(domain)
        x = Fraction(int(value.p), int(value.q))
        return (x > lo if left_open else x >= lo) and (x < hi if right_open else x <= hi)
    if isinstance(domain, sp.Interval):
        lo, hi = domain.inf, domain.sup
        above = value > lo if domain.left_open else value >= lo
        below = value < hi if domain.right_open else value <= hi
        return bool(above) and bool(below) if value.is_real else False
    if isinstance(domain, sp.Range) and not domain.free_symbols:
        if not value.is_integer:
            return False
        lo, hi = domain.inf, domain.sup
        return bool(lo <= value) and bool(value <= hi) and (domain.step == 1 or (value - lo) % domain.step == 0)
    if domain in (sp.S.Integers, sp.S.Naturals0):
        return bool(value.is_integer) and (domain == sp.S.Integers or value >= 0)
    if domain == sp.S.Reals:
        return bool(value.is_real)
    if isinstance(domain, sp.FiniteSet):
        return value in domain.args
    if isinstance(domain, sp.Union):
        return any(inside(part, value) for part in domain.args)
    try:
        return bool(domain.contains(value) == sp.true)
    except TypeError:
        return False


@functools.lru_cache(maxsize=256)
def _bounds(interval: sp.Interval) -> tuple[Any, Any, bool, bool]:
    """An interval's ends as exact Python numbers (Fraction, or a float only for an irrational
    end, which a rational point never equals) and whether each is open."""
    def number(end: sp.Expr) -> Any:
        if end in (sp.oo, -sp.oo):
            return math.inf if end == sp.oo else -math.inf
        return Fraction(int(end.p), int(end.q)) if end.is_Rational else float(end)
    return number(interval.inf), number(interval.sup), bool(interval.left_open), bool(interval.right_open)
