"""The numeric probe: a and b evaluated at seeded points of the domain, looking where
differences hide; every difference it reports is confirmed exactly (:mod:`derive.equivalence.exact`).

Points: reals of every magnitude from 1e-8 to 1e8 and both signs (a half-line or an interval:
near its ends too), points at and next to every kink and boundary found in the formulas (where
an argument of min, max, abs, sign, a Piecewise condition is zero, where a floor or ceiling
jumps); sizes from the smallest allowed up to :data:`LARGE_SIZE` (one size large at a time).
A point where one side is real and the other is not (or undefined) is a difference; where
both are undefined it is skipped.  Sums are written out as a textbook means them.

A difference becomes a counterexample only when :func:`derive.equivalence.exact.differ`
confirms it at the rational point (exact, or at 50 digits, both sides re-evaluated by SymPy).
Agreement everywhere is evidence (:class:`~derive.equivalence.verdict.Evidence`), not a proof.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.pycode import MpmathPrinter

from derive.equivalence.domains import inside
from derive.equivalence.exact import UNDEFINED, differ, exact_values, textbook
from derive.equivalence.inputs import Problem, free_of, name_of
from derive.equivalence.verdict import VALUE_A, VALUE_B, Evidence, Verdict

DIGITS = 60  #: working precision of the probe
TOL = mpmath.mpf("1e-45")  #: |a - b| <= TOL * (1 + magnitudes) counts as equal at 60 digits
TRIES = 120  #: evaluation attempts of the full probe
QUICK_TRIES = 16  #: of the refute-first probe, before any symbolic work
MIN_VALID = 8  #: fewer valid points than this: undecided
MOVES = 5  #: constant/affine: param points per setting of the non-params
SMALL_SIZES = (1, 2, 3, 4)
MEDIUM_SIZES = tuple(range(5, 13))
LARGE_SIZE = 100  #: a difference that appears only at a large size shows
CONFIRMATIONS = 6  #: candidate differences re-evaluated exactly, at most


@dataclass(frozen=True)
class Var:
    """One probed variable: a Symbol, or the Indexed element or opaque call it stands for.
    ``call``: for an opaque call f(args), f's name and args as an mpmath function of the point;
    ``atom``: what it stands for in the expressions; ``special``: kinks and boundaries."""

    name: str
    domain: sp.Set
    is_param: bool
    atom: sp.Basic
    call: tuple[str, Callable] | None = None
    special: tuple[sp.Rational, ...] = ()


@dataclass(frozen=True)
class Compiled:
    """a and b at concrete sizes, as mpmath functions of ``variables`` (or why not).
    ``refutable``: a difference is a counterexample (no opaque call that cannot be realised)."""

    variables: tuple[Var, ...]
    fa: Callable | None
    fb: Callable | None
    error: str = ""
    refutable: bool = True


def opaque_calls(expr: sp.Expr) -> set[sp.Basic]:
    return expr.atoms(AppliedUndef, sp.Derivative)


def sizes_of(expr: sp.Expr) -> set[sp.Symbol]:
    """Integer-valued free symbols: integer ones, Sum/Product bounds and Indexed indices."""
    labels = {base.label for base in expr.atoms(sp.IndexedBase)}
    found = {s for s in expr.free_symbols - labels if isinstance(s, sp.Symbol) and s.is_integer}
    for node in expr.atoms(sp.Sum, sp.Product):
        found |= {s for _, lo, hi in node.limits for s in (lo.free_symbols | hi.free_symbols)}
    for node in expr.atoms(sp.Indexed):
        found |= {s for ix in node.indices for s in ix.free_symbols}
    return (found & expr.free_symbols) - labels


def kinks(exprs: list[sp.Expr]) -> dict[sp.Basic, set[sp.Rational]]:
    """Per variable, the values at which an argument of min, max, abs, sign, Heaviside, a
    Piecewise condition or a floor/ceiling (its jumps near 0) vanishes, when that argument is
    linear in the one variable."""
    zeros: list[sp.Expr] = []
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, (sp.Min, sp.Max)):
                zeros += [u - v for u, v in itertools.combinations(node.args, 2)]
            elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
                zeros.append(node.args[0])
            elif isinstance(node, (sp.floor, sp.ceiling)):
                zeros += [node.args[0] - m for m in (-1, 0, 1, 2)]
            elif isinstance(node, sp.Piecewise):
                zeros += [c.lhs - c.rhs for _, c in node.args if isinstance(c, sp.core.relational.Relational)]
    found: dict[sp.Basic, set[sp.Rational]] = {}
    for u in zeros:
        variables = [v for v in u.free_symbols if isinstance(v, sp.Symbol)]
        if len(variables) != 1:
            continue
        try:
            poly = sp.Poly(u, variables[0])
        except sp.PolynomialError:
            continue
        if poly.degree() == 1 and all(c.is_Rational for c in poly.all_coeffs()):
            slope, offset = poly.all_coeffs()
            found.setdefault(variables[0], set()).add(-offset / slope)
    return found


def _size_domain(problem: Problem, size: sp.Symbol) -> sp.Set:
    domain = problem.domain(size)
    return domain if domain.is_subset(sp.S.Integers) else sp.Range(1, sp.oo)


def compile_at(problem: Problem, sizes: dict[sp.Symbol, int]) -> Compiled:
    """Sizes substituted, Sums written out, each Indexed element and opaque call made a variable."""
    try:
        exprs = [textbook(e.xreplace(sizes)) for e in (problem.a, problem.b)]
    except (ValueError, TypeError, ArithmeticError) as exc:
        return Compiled((), None, None, f"cannot write the sums out: {exc}")
    if any(e.has(sp.Sum, sp.Product) for e in exprs):
        return Compiled((), None, None, "a Sum or Product is left after setting the sizes")
    # a side infinite at these sizes (log 0 at y = 0) is undefined at every point with them
    exprs = [sp.nan if e.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else e for e in exprs]
    atoms = sorted(set().union(*(opaque_calls(e) | e.atoms(sp.Indexed) for e in exprs)), key=sp.default_sort_key)
    dummies = {atom: sp.Dummy(str(atom), real=True) for atom in atoms}
    calls = [atom for atom in atoms if not isinstance(atom, sp.Indexed)]
    refutable = all(isinstance(c, AppliedUndef) and not opaque_calls(sp.Tuple(*c.args)) for c in calls)
    arguments = {dummies[c]: (str(c.func), sp.Tuple(*c.args).xreplace(dummies)) for c in calls} if refutable else {}
    exprs = [e.xreplace(dummies) for e in exprs]
    symbols = sorted(set().union(*(e.free_symbols for e in exprs), *(t.free_symbols for _, t in arguments.values())),
                     key=sp.default_sort_key)
    by_dummy = {dummies[atom]: atom for atom in atoms}
    special = kinks(exprs)

    def variable(s: sp.Symbol) -> Var:
        points = tuple(sorted(special.get(s, ())))
        if s not in by_dummy:
            return Var(s.name, problem.domain(s), s.name in problem.params, s, special=points)
        atom = by_dummy[s]
        if isinstance(atom, sp.Indexed):
            return Var(str(atom), problem.domain(atom), name_of(atom) in problem.params, atom, special=points)
        call = arguments.get(s)
        call = call and (call[0], _lambdify(symbols, list(call[1])))
        return Var(str(atom), sp.S.Reals, not free_of(atom, problem.params), atom, call, points)

    try:
        fa, fb = (_lambdify(symbols, e) for e in exprs)
        variables = tuple(variable(s) for s in symbols)
    except Exception as exc:  # a function with no mpmath counterpart
        return Compiled((), None, None, f"cannot evaluate: {exc}")
    return Compiled(variables, fa, fb, refutable=refutable)


#: mpmath computes exp(x) exactly for any x, and takes minutes (its ln 2 to as many bits as
#: x has digits) once |x| passes about 1e1000, which nested powers at a sampled point reach
#: (exp(-(|y - mu| / alpha)^beta)); up to 1e100 it takes a millisecond.  Past this bound a
#: point is outside the probe's reach.
_HUGE = mpmath.mpf("1e100")


def _exp(x):
    """mpmath's exp, refusing an argument whose result no 60-digit comparison can use."""
    if abs(mpmath.re(x)) > _HUGE:
        raise _OutOfRange(f"exp of {mpmath.nstr(x, 5)}")
    return mpmath.exp(x)


def _pow(base, exponent):
    """``base ** exponent``, refused (like :func:`_exp`) when its log would pass the bound."""
    if exponent != 0 and base != 0 and abs(exponent) * abs(mpmath.log(abs(base))) > _HUGE:
        raise _OutOfRange("a power")
    return base ** exponent


class _GuardedPrinter(MpmathPrinter):
    """SymPy's mpmath printer with powers through :func:`_pow` (square roots stay sqrt)."""

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sp.S.Half or expr.exp == -sp.S.Half or expr.exp.is_Integer and abs(expr.exp) <= 64:
            return super()._print_Pow(expr, rational=rational)
        return f"_pow({self._print(expr.base)}, {self._print(expr.exp)})"


def _lambdify(symbols, expr) -> Callable:
    """``expr`` as an mpmath function of ``symbols``, its exponentials and powers guarded."""
    return sp.lambdify(symbols, expr, modules=[{"exp": _exp, "_pow": _pow}, "mpmath"],
                       printer=_GuardedPrinter({"fully_qualified_modules": False, "inline": True,
                                                "allow_unknown_functions": True}), docstring_limit=0)


# --------------------------------------------------------------------------- drawing points


def _rational(value: float, digits: int = 12) -> sp.Rational:
    return sp.Rational(f"{value:.{digits}g}")


def draw(var: Var, rng: random.Random) -> sp.Rational:
    """A rational point of ``var.domain``: at or next to a kink a quarter of the time; else
    of any magnitude 1e-8..1e8 (both signs on the line; from the ends of a half-line or an
    interval) half the time, or a moderate value (in (0, 1) a third of those on the line)."""
    domain = var.domain
    if isinstance(domain, sp.FiniteSet):
        return sp.Rational(rng.choice(sorted(domain.args, key=sp.default_sort_key)))
    lo, hi = domain.inf, domain.sup
    for _ in range(20):
        roll = rng.random()
        if var.special and roll < 0.25:
            center = rng.choice(var.special)
            offset = rng.choice((0, 1, -1)) * 10 ** rng.uniform(-9, -2) * max(1, abs(float(center)))
            value = _rational(float(center) + offset, 15)
        elif roll < 0.6:
            magnitude = 10 ** rng.uniform(-8, 8)
            if lo.is_finite and hi.is_finite:
                width = float(hi - lo)
                value = _rational(float(lo) + width * min(magnitude / 1e8, 0.999) if rng.random() < 0.5
                                  else float(hi) - width * min(magnitude / 1e8, 0.999))
            elif lo.is_finite:
                value = _rational(float(lo) + magnitude)
            elif hi.is_finite:
                value = _rational(float(hi) - magnitude)
            else:
                value = _rational(rng.choice((-1, 1)) * magnitude)
        else:
            if lo.is_finite and hi.is_finite:
                value = _rational(float(lo) + float(hi - lo) * rng.uniform(0.02, 0.98), 6)
            elif lo.is_finite or hi.is_finite:
                step = 10 ** rng.uniform(-1.5, 1)
                value = _rational(float(lo) + step if lo.is_finite else float(hi) - step, 6)
            else:
                value = _rational(rng.uniform(0.02, 0.98) if rng.random() < 1 / 3 else rng.uniform(-4, 4), 6)
        if inside(domain, value):
            return value
    return _rational(float(lo + hi) / 2 if lo.is_finite and hi.is_finite else float(lo) + 1 if lo.is_finite
                     else float(hi) - 1 if hi.is_finite else 0.5, 6)


def size_schedule(problem: Problem, sizes: list[sp.Symbol], quick: bool) -> Iterator[dict[sp.Symbol, int]]:
    """Settings of the sizes: the smallest allowed first, then small ones, medium ones, and one
    size at :data:`LARGE_SIZE` (the others small); the quick probe keeps to a few settings (each
    is compiled once), up to the largest medium size.
    A size whose domain depends on others (0 <= y <= N) is set after them, inside it."""
    rng = random.Random(problem.seed ^ 0x5EED)
    if not sizes:
        while True:
            yield {}
    names = {s.name for s in sizes}
    ordered = sorted(sizes, key=lambda s: bool({f.name for f in _size_domain(problem, s).free_symbols} & names))

    def setting_of(wanted: dict[sp.Symbol, int | None]) -> dict[sp.Symbol, sp.Integer]:
        chosen: dict[sp.Symbol, sp.Integer] = {}
        by_name = {}
        for s in ordered:
            domain = _size_domain(problem, s)
            domain = domain.xreplace({f: by_name[f.name] for f in domain.free_symbols if f.name in by_name})
            if domain.free_symbols or domain.is_empty:
                value = sp.Integer(0)
            else:
                low, high = domain.inf, domain.sup
                value = low if wanted[s] is None else sp.Integer(min(max(wanted[s], low), high))
                if not inside(domain, value):
                    value = low
            chosen[s] = by_name[s.name] = value
        return {s: chosen[s] for s in sizes}

    yield setting_of({s: None for s in sizes})
    while True:
        roll = rng.random()
        wanted = {s: rng.choice(SMALL_SIZES[1:3] if quick else SMALL_SIZES) for s in sizes}
        if roll < 0.35:
            wanted[rng.choice(sizes)] = MEDIUM_SIZES[-1] if quick else rng.choice(MEDIUM_SIZES)
        elif roll < 0.5 and not quick:
            wanted[rng.choice(sizes)] = LARGE_SIZE + rng.choice((0, 1))
        yield setting_of(wanted)


# --------------------------------------------------------------------------- evaluating


def _as_real(value: Any) -> mpmath.mpf | None:
    """``value`` as a real finite mpf, or None (complex, infinite, not a number)."""
    try:
        value = mpmath.mpmathify(value)
    except (TypeError, ValueError):
        return None
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            return None
        value = value.real
    return value if mpmath.isfinite(value) else None


class _OutOfRange(OverflowError):
    """A value too large for the probe (see :func:`_exp`): the point is skipped, not undefined."""


def _real(f: Callable, args: list) -> mpmath.mpf | list | None:
    """f(*args) when it is real and finite (every entry, for a list), else None; raises
    :class:`_OutOfRange` when the point is out of the probe's range."""
    try:
        value = f(*args)
    except _OutOfRange:
        raise
    except Exception:  # outside the domain of some function
        return None
    if isinstance(value, list):
        entries = [_as_real(v) for v in value]
        return None if None in entries else entries
    return _as_real(value)


def close(x: mpmath.mpf, y: mpmath.mpf, *magnitudes: mpmath.mpf) -> bool:
    return abs(x - y) <= TOL * (1 + sum(abs(m) for m in magnitudes))


def _share_calls(variables: tuple[Var, ...], values: list, args: list) -> bool:
    """An arbitrary function takes one value per argument: each opaque call whose arguments
    coincide with an earlier call of the same function at this point takes its value (in
    ``values`` and ``args``, in place).  False when some argument is not real and finite."""
    seen: list[tuple[str, list, int]] = []
    for index, var in enumerate(variables):
        if var.call is None:
            continue
        function, arguments = var.call
        at = _real(arguments, args)
        if at is None:
            return False
        for other, other_at, other_index in seen:
            if other == function and len(at) == len(other_at) and all(close(u, v, u, v) for u, v in zip(at, other_at)):
                values[index], args[index] = values[other_index], args[other_index]
                break
        else:
            seen.append((function, at, index))
    return True


# --------------------------------------------------------------------------- the search


@dataclass
class Point:
    """Sizes and values (rationals) of one point, and a, b there (None: not real and finite)."""

    sizes: dict[sp.Symbol, int]
    values: dict[Var, sp.Rational]
    va: mpmath.mpf | None
    vb: mpmath.mpf | None

    @property
    def defined(self) -> bool:
        return self.va is not None and self.vb is not None


class Prober:
    """Evaluates a and b at points drawn from the domain; compiled forms cached per sizes."""

    def __init__(self, problem: Problem, quick: bool = False):
        self.problem = problem
        self.quick = quick
        self.rng = random.Random(problem.seed)
        self.sizes = sorted(sizes_of(problem.a) | sizes_of(problem.b), key=sp.default_sort_key)
        self.schedule = size_schedule(problem, self.sizes, quick)
        self.cache: dict[tuple[int, ...], Compiled] = {}
        self.errors: set[str] = set()
        self.tries = 0
        self.refutable = True
        self.valid: list[Point] = []

    def compiled(self, sizes: dict[sp.Symbol, int]) -> Compiled:
        key = tuple(sizes.values())
        if key not in self.cache:
            self.cache[key] = compile_at(self.problem, sizes)
        return self.cache[key]

    def evaluate(self, sizes: dict[sp.Symbol, int], setting: dict[str, sp.Rational]) -> Point | None:
        """The point (params drawn afresh, the rest from ``setting``, drawn on first use), or None
        when both sides are undefined there or it cannot be evaluated."""
        self.tries += 1
        if self.problem.mode != "exact":  # a size among the params moves with them
            sizes = {s: self.rng.choice([v, *(sp.Integer(m) for m in SMALL_SIZES
                                              if inside(_size_domain(self.problem, s), sp.Integer(m)))])
                     if s.name in self.problem.params else v for s, v in sizes.items()}
        compiled = self.compiled(sizes)
        if compiled.fa is None:
            self.errors.add(compiled.error)
            return None
        self.refutable &= compiled.refutable
        values = []
        for var in compiled.variables:
            if var.is_param or var.name not in setting:
                value = draw(var, self.rng)
                if not var.is_param:
                    setting[var.name] = value
            values.append(value if var.is_param else setting[var.name])
        args = [mpmath.mpf(v.p) / v.q for v in values]
        try:
            if not _share_calls(compiled.variables, values, args):
                return None
            va, vb = (_real(f, args) for f in (compiled.fa, compiled.fb))
        except _OutOfRange:  # neither side is known there: not a point of disagreement
            return None
        if va is None and vb is None:
            return None
        point = Point(sizes, dict(zip(compiled.variables, values)), va, vb)
        if point.defined:
            self.valid.append(point)
        return point

    def groups(self) -> Iterator[list[Point]]:
        """Exact mode: one point per group.  Else: points sharing one setting of the non-params (up
        to MOVES of them, params moved); a setting whose first tries all fail is dropped early."""
        budget = QUICK_TRIES if self.quick else TRIES
        while self.tries < budget:
            sizes, setting, points = next(self.schedule), {}, []
            moves = 1 if self.problem.mode == "exact" else MOVES
            for attempt in range(2 * moves):
                if len(points) == moves or self.tries >= budget or (attempt > moves // 2 and not points):
                    break
                if (found := self.evaluate(sizes, setting)) is not None:
                    points.append(found)
            yield points

    def evidence(self) -> Evidence:
        ranges: dict[str, list] = {}
        for point in self.valid:
            for var, value in point.values.items():
                name = name_of(var.atom) if isinstance(var.atom, (sp.Symbol, sp.Indexed)) else var.name
                low_high = ranges.setdefault(name, [value, value])
                low_high[0], low_high[1] = min(low_high[0], value), max(low_high[1], value)
        sizes = sorted({v for p in self.valid for v in p.sizes.values()})
        shown = tuple((name, float(lo), float(hi)) for name, (lo, hi) in sorted(ranges.items()))
        size_ranges = tuple((s.name, min(p.sizes[s] for p in self.valid), max(p.sizes[s] for p in self.valid))
                            for s in self.sizes) if self.valid else ()
        return Evidence(len(self.valid), size_ranges + shown, tuple(sizes), DIGITS)


# --------------------------------------------------------------------------- differences, confirmed


def _check_exact(points: list[Point]) -> tuple[list[Point], str] | None:
    (point,) = points
    if not point.defined:
        return points, f"{'a' if point.va is None else 'b'} is not real there"
    return None if close(point.va, point.vb, point.va, point.vb) else (points, "")


def _check_constant(points: list[Point]) -> tuple[list[Point], str] | None:
    """a - b is the same at every point (params moved, the rest held)."""
    first = points[0]
    for point in points[1:]:
        if not close(point.va - point.vb, first.va - first.vb, first.va, first.vb, point.va, point.vb):
            return [first, point], "a - b changes when the params move"
    return None


def _check_affine(points: list[Point]) -> tuple[list[Point], str] | None:
    """One c > 0 and g with a = c b + g at every point (params moved, the rest held)."""
    j, k = max(itertools.combinations(range(len(points)), 2), key=lambda jk: abs(points[jk[0]].vb - points[jk[1]].vb))
    pj, pk = points[j], points[k]
    if close(pj.vb, pk.vb, pj.vb, pk.vb):  # b does not move with the params: neither may a
        moved = [p for p in points if not close(p.va, pj.va, p.va, pj.va)]
        return ([pj, moved[0]], "b does not change with the params but a does") if moved else None
    c = (pj.va - pk.va) / (pj.vb - pk.vb)
    if close(pj.va, pk.va, pj.va, pk.va) or c < 0:
        return [pj, pk], f"the scale c = {mpmath.nstr(c, 8)} is not positive"
    g = pj.va - c * pj.vb
    for point in points:
        if not close(point.va, c * point.vb + g, point.va, c * point.vb, g):
            return [pj, pk, point], "no single c, g fits a = c*b + g"
    return None


_CHECKS: dict[str, tuple[Callable, int]] = {"exact": (_check_exact, 1), "constant": (_check_constant, 2),
                                            "affine": (_check_affine, 3)}


def _check(mode: str, points: list[Point]) -> tuple[list[Point], str] | None:
    """A suspected difference among the points of one setting, or None."""
    undefined = [p for p in points if not p.defined]
    if undefined:
        p = undefined[0]
        return [p], f"{'a' if p.va is None else 'b'} is not real there, the other side is"
    check, need = _CHECKS[mode]
    return check(points) if len(points) >= need else None


def _exact_at(problem: Problem, point: Point) -> tuple[Any, Any]:
    values = {var.atom: value for var, value in point.values.items()}
    return (exact_values(problem.a, point.sizes, values), exact_values(problem.b, point.sizes, values))


def confirm(problem: Problem, points: list[Point], reason: str) -> dict[str, Any] | None:
    """The counterexample, when SymPy's re-evaluation at the rational points confirms it: a
    difference in where the sides are real, or (exact mode) a - b != 0, or (constant, affine)
    the mode's check failing again on the 50-digit values."""
    exact = [_exact_at(problem, p) for p in points]
    if any(va is None or vb is None for va, vb in exact):
        return None
    confirmed = False
    if any((va == UNDEFINED) != (vb == UNDEFINED) for va, vb in exact):
        confirmed = True
    elif any(UNDEFINED in (va, vb) for va, vb in exact):
        return None
    elif problem.mode == "exact":
        confirmed = bool(differ(*exact[0]))
        reason = ""  # both real there: the values say it
    else:
        with mpmath.workdps(DIGITS):
            again = [Point(p.sizes, p.values, mpmath.mpf(str(va[1])), mpmath.mpf(str(vb[1])))
                     for p, (va, vb) in zip(points, exact)]
            confirmed = _CHECKS[problem.mode][0](again) is not None if len(again) > 1 else False
    if not confirmed:
        return None
    witnesses = []
    for point, (va, vb) in zip(points, exact):
        entry: dict[str, Any] = {s.name: v for s, v in point.sizes.items()}
        entry.update({var.name: value for var, value in point.values.items()})
        entry[VALUE_A], entry[VALUE_B] = (v if v == UNDEFINED else _shown(v) for v in (va, vb))
        witnesses.append(entry)
    found = witnesses[0]
    if len(witnesses) > 1:
        found["others"] = witnesses[1:]
    if reason:
        found["reason"] = reason
    return found


def _shown(value: tuple[sp.Expr, sp.Expr]) -> sp.Expr:
    exact, digits = value
    return exact if exact.is_Rational else sp.Float(digits, 50)


def search(problem: Problem, quick: bool = False, difference: sp.Expr | None = None) -> Verdict:
    """Probe: False with a confirmed counterexample; else None, with evidence when enough points
    agreed.  ``difference``: a - b in a normal form; when it is a non-zero rational function,
    exact mode confirms at the first valid points even where 60 digits see no difference."""
    with mpmath.workdps(DIGITS):
        return _search(problem, quick, difference)


def _search(problem: Problem, quick: bool, difference: sp.Expr | None) -> Verdict:
    prober, mode = Prober(problem, quick), problem.mode
    suspicious = (mode == "exact" and difference is not None and difference != 0
                  and not difference.has(sp.Sum, sp.Product) and difference.is_rational_function())
    confirmations, unrealisable = 0, False
    for points in prober.groups():
        suspect = _check(mode, points)
        if suspect is None and suspicious and points and points[0].defined:
            suspect = points, "a - b is not zero exactly"
        if suspect is None or confirmations >= CONFIRMATIONS:
            continue
        if not prober.refutable:
            unrealisable = True
            continue
        confirmations += 1
        found = confirm(problem, *suspect)
        if found is not None:
            return Verdict(False, "numeric", mode, counterexample=found)
    if unrealisable:
        return Verdict(None, "undecided: a difference where an opaque call is nested or a Derivative is no "
                             "counterexample", mode)
    valid = len(prober.valid)
    if valid < MIN_VALID:
        why = "; ".join(sorted(prober.errors)) or "a or b is rarely real and finite on the domain"
        return Verdict(None, f"undecided: too few valid points ({valid} of {prober.tries} tries): {why}", mode)
    return Verdict(None, "numeric", mode, evidence=prober.evidence())
