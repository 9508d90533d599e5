"""The numeric stage: a and b evaluated at seeded points of the domain, at 60 digits."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols as S
from derive.equivalence.inputs import Problem, free_of, name_of
from derive.equivalence.symbolic import doit_finite
from derive.equivalence.verdict import Verdict

DIGITS = 60  #: working precision of the numeric probe
TOL = mpmath.mpf("1e-45")  #: |a - b| <= TOL * (1 + magnitudes) counts as equal at 60 digits
TRIES = 100  #: evaluation attempts per probe
MIN_VALID = 8  #: fewer valid points than this: undecided
MOVES = 5  #: constant/affine: param points per setting of the non-params
SIZES = range(1, 5)  #: concrete values of symbolic sizes (n, K) and free indices
LARGE_SIZES = range(5, 13)  #: drawn a quarter of the time: a difference that vanishes for n <= 4 shows

# --------------------------------------------------------------------------- stage 3: numeric


@dataclass(frozen=True)
class _Var:
    """One probed variable: a Symbol, or the Indexed element or opaque call it stands for.
    ``call``: for an opaque call f(args), f's name and args as an mpmath function of the point."""

    name: str
    domain: sp.Set
    is_param: bool
    call: tuple[str, Callable] | None = None


@dataclass(frozen=True)
class _Compiled:
    """a and b at concrete sizes, as mpmath functions of ``variables`` (or why not).
    ``refutable``: a difference is a counterexample (no opaque call that cannot be realised)."""

    variables: tuple[_Var, ...]
    fa: Callable | None
    fb: Callable | None
    error: str = ""
    refutable: bool = True


def _opaque_calls(expr: sp.Expr) -> set[sp.Basic]:
    return expr.atoms(AppliedUndef, sp.Derivative)


def _sizes(expr: sp.Expr) -> set[sp.Symbol]:
    """Integer-valued free symbols: integer ones, Sum/Product bounds and Indexed indices."""
    found = {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    for node in expr.atoms(sp.Sum, sp.Product):
        found |= {s for _, lo, hi in node.limits for s in (lo.free_symbols | hi.free_symbols)}
    for node in expr.atoms(sp.Indexed):
        found |= {s for ix in node.indices for s in ix.free_symbols}
    return found & expr.free_symbols


def _size_var(size: sp.Symbol, params: frozenset[str]) -> _Var:
    domain = S.domain_of(size)
    if not domain.is_subset(sp.S.Integers):
        domain = sp.Range(SIZES.start, LARGE_SIZES.stop)
    return _Var(size.name, domain, size.name in params)


def _stand_in(atom: sp.Basic, params: frozenset[str], call: tuple[str, Callable] | None) -> _Var:
    """The variable for an Indexed element (its base's domain) or an opaque call (any real; a
    param when its arguments contain one)."""
    if isinstance(atom, sp.Indexed):
        return _Var(str(atom), S.domain_of(atom), name_of(atom) in params)
    return _Var(str(atom), S.REALS, not free_of(atom, params), call)


def _compile(problem: Problem, sizes: dict[sp.Symbol, int]) -> _Compiled:
    """Sizes substituted, Sums done, each Indexed element and opaque call made a variable."""
    exprs = [doit_finite(e.xreplace(sizes)) for e in (problem.a, problem.b)]
    if any(e.has(sp.Sum, sp.Product) for e in exprs):
        return _Compiled((), None, None, "a Sum or Product is left after setting the sizes")
    atoms = sorted(set().union(*(_opaque_calls(e) | e.atoms(sp.Indexed) for e in exprs)), key=sp.default_sort_key)
    dummies = {atom: sp.Dummy(str(atom), real=True) for atom in atoms}
    calls = [atom for atom in atoms if not isinstance(atom, sp.Indexed)]
    refutable = all(isinstance(c, AppliedUndef) and not _opaque_calls(sp.Tuple(*c.args)) for c in calls)
    arguments = {dummies[c]: (str(c.func), sp.Tuple(*c.args).xreplace(dummies)) for c in calls} if refutable else {}
    exprs = [e.xreplace(dummies) for e in exprs]
    symbols = sorted(set().union(*(e.free_symbols for e in exprs), *(t.free_symbols for _, t in arguments.values())),
                     key=sp.default_sort_key)
    by_dummy = {dummies[atom]: atom for atom in atoms}

    def variable(s: sp.Symbol) -> _Var:
        if s not in by_dummy:
            return _Var(s.name, S.domain_of(s), s.name in problem.params)
        call = arguments.get(s)
        call = call and (call[0], sp.lambdify(symbols, list(call[1]), modules="mpmath"))
        return _stand_in(by_dummy[s], problem.params, call)

    try:
        fa, fb = (sp.lambdify(symbols, e, modules="mpmath") for e in exprs)
        variables = tuple(variable(s) for s in symbols)
    except Exception as exc:  # a function with no mpmath counterpart
        return _Compiled((), None, None, f"cannot evaluate: {exc}")
    return _Compiled(variables, fa, fb, refutable=refutable)


def _draw(domain: sp.Set, rng: random.Random) -> int | float:
    """A value well inside ``domain``: a small integer for integer domains; for an interval a
    point away from its ends (positive half-lines sampled log-uniformly in (0.05, 7.4)); on
    the whole line, a third of the draws in (0, 1), where a real variable written as a
    probability (log y, log(1 - y)) gives real values."""
    if domain.is_subset(sp.S.Integers):
        large = [v for v in LARGE_SIZES if domain.contains(v) is sp.true]
        if large and rng.random() < 1 / 4:
            return rng.choice(large)
        choices = [v for v in range(-3, SIZES.stop) if domain.contains(v) is sp.true]
        return rng.choice(choices) if choices else int(domain.inf)
    if isinstance(domain, sp.Interval):
        lo, hi = domain.inf, domain.sup
        if lo.is_finite and hi.is_finite:
            return round(float(lo + (hi - lo) * rng.uniform(0.02, 0.98)), 6)
        if lo.is_finite or hi.is_finite:
            step = round(float(mpmath.exp(rng.uniform(-3, 2))), 6)
            return float(lo) + step if lo.is_finite else float(hi) - step
    if rng.random() < 1 / 3:
        return round(rng.uniform(0.02, 0.98), 6)
    return round(rng.uniform(-4, 4), 6)


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


def _real(f: Callable, args: list) -> mpmath.mpf | list | None:
    """f(*args) when it is real and finite (every entry, for a list), else None."""
    try:
        value = f(*args)
    except Exception:  # outside the domain of some function: a point to skip
        return None
    if isinstance(value, list):
        entries = [_as_real(v) for v in value]
        return None if None in entries else entries
    return _as_real(value)


def _close(x: mpmath.mpf, y: mpmath.mpf, *magnitudes: mpmath.mpf) -> bool:
    return abs(x - y) <= TOL * (1 + sum(abs(m) for m in magnitudes))


def _share_calls(variables: tuple[_Var, ...], values: list, args: list) -> bool:
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
            if other == function and len(at) == len(other_at) and all(_close(u, v, u, v) for u, v in zip(at, other_at)):
                values[index], args[index] = values[other_index], args[other_index]
                break
        else:
            seen.append((function, at, index))
    return True


Point = tuple[dict, mpmath.mpf, mpmath.mpf]


class _Prober:
    """Evaluates a and b at points drawn from the domain; compiled forms cached per sizes."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.rng = random.Random(problem.seed)
        self.sizes = sorted(_sizes(problem.a) | _sizes(problem.b), key=sp.default_sort_key)
        self.cache: dict[tuple[int, ...], _Compiled] = {}
        self.errors: set[str] = set()
        self.tries = 0
        self.refutable = True

    def value(self, var: _Var, setting: dict, point: dict) -> int | float:
        """The value of ``var``: from ``point`` if it is a param, else from ``setting`` (drawn
        on first use, so that the non-params stay put while the params move)."""
        store = point if var.is_param else setting
        if var.name not in store:
            store[var.name] = _draw(var.domain, self.rng)
        return store[var.name]

    def evaluate(self, setting: dict, point: dict) -> Point | None:
        """(assignment, a, b) at a new point, or None when a side is not real and finite there."""
        self.tries += 1
        sizes = {s: self.value(_size_var(s, self.problem.params), setting, point) for s in self.sizes}
        key = tuple(sizes.values())
        if key not in self.cache:
            self.cache[key] = _compile(self.problem, sizes)
        compiled = self.cache[key]
        if compiled.fa is None:
            self.errors.add(compiled.error)
            return None
        self.refutable &= compiled.refutable
        values = [self.value(var, setting, point) for var in compiled.variables]
        args = [mpmath.mpf(v) for v in values]
        if not _share_calls(compiled.variables, values, args):
            return None
        results = [_real(f, args) for f in (compiled.fa, compiled.fb)]
        if None in results:
            return None
        assignment = {s.name: v for s, v in sizes.items()} | {var.name: v for var, v in zip(compiled.variables, values)}
        return assignment, results[0], results[1]

    def settings(self) -> Iterator[list[Point]]:
        """Valid points sharing one setting of the non-params (up to MOVES of them, params
        moved), setting after setting while tries remain; a setting whose first MOVES // 2 + 1
        tries all fail (e.g. y outside where log(y) is real) is dropped early."""
        while self.tries < TRIES:
            setting: dict = {}
            points: list[Point] = []
            for attempt in range(2 * MOVES):
                if len(points) == MOVES or self.tries >= TRIES or (attempt > MOVES // 2 and not points):
                    break
                if (found := self.evaluate(setting, {})) is not None:
                    points.append(found)
            yield points


def _witness(points: list[Point], reason: str = "") -> dict[str, Any]:
    """The counterexample dict: the first point, then ``others`` and ``reason`` if given."""
    (first, va, vb), *others = [(p, sp.Float(va, DIGITS), sp.Float(vb, DIGITS)) for p, va, vb in points]
    found: dict[str, Any] = {**first, "a": va, "b": vb}
    if others:
        found["others"] = [{**p, "a": oa, "b": ob} for p, oa, ob in others]
    if reason:
        found["reason"] = reason
    return found


def _check_exact(points: list[Point]) -> dict | None:
    """a == b at every point, else a witness."""
    for point in points:
        if not _close(point[1], point[2], point[1], point[2]):
            return _witness([point])
    return None


def _check_constant(points: list[Point]) -> dict | None:
    """a - b is the same at every point (params moved, the rest held), else a witness."""
    first, a0, b0 = points[0]
    for point in points[1:]:
        _, a1, b1 = point
        if not _close(a1 - b1, a0 - b0, a0, b0, a1, b1):
            return _witness([points[0], point], "a - b changes when the params move")
    return None


def _check_affine(points: list[Point]) -> dict | None:
    """One c > 0 and g with a = c b + g at every point (params moved, the rest held), else a witness."""
    j, k = max(itertools.combinations(range(len(points)), 2), key=lambda jk: abs(points[jk[0]][2] - points[jk[1]][2]))
    (_, aj, bj), (_, ak, bk) = points[j], points[k]
    if _close(bj, bk, bj, bk):  # b does not move with the params: neither may a
        moved = [p for p in points if not _close(p[1], aj, p[1], aj)]
        return _witness([points[j], moved[0]], "b does not change with the params but a does") if moved else None
    c = (aj - ak) / (bj - bk)
    if _close(aj, ak, aj, ak) or c < 0:
        return _witness([points[j], points[k]], f"the scale c = {mpmath.nstr(c, 8)} is not positive")
    g = aj - c * bj
    for point in points:
        if not _close(point[1], c * point[2] + g, point[1], c * point[2], g):
            return _witness([points[j], points[k], point], "no single c, g fits a = c*b + g")
    return None


#: mode -> (check of the points of one setting, fewest points a check needs)
_CHECKS: dict[str, tuple[Callable[[list[Point]], dict | None], int]] = {
    "exact": (_check_exact, 1), "constant": (_check_constant, 2), "affine": (_check_affine, 3)}


def stage_numeric(problem: Problem) -> Verdict:
    """Probe with seeded random points; False with a counterexample, True (numerical) or None."""
    with mpmath.workdps(DIGITS):  # every evaluation, difference and fit at DIGITS digits
        return _probe(problem)


def _probe(problem: Problem) -> Verdict:
    prober, mode = _Prober(problem), problem.mode
    check, need = _CHECKS[mode]
    found, valid = None, 0
    if mode == "exact":  # every variable moves: a setting is one point
        groups: Iterable[list[Point]] = ([p] for _ in range(TRIES) if (p := prober.evaluate({}, {})) is not None)
    else:
        groups = prober.settings()
    for points in groups:
        if len(points) >= need:
            valid += len(points)
            if (found := check(points)) is not None:
                break
    if found is not None and prober.refutable:
        return Verdict(False, "numeric", mode, counterexample=found)
    if found is not None:
        return Verdict(None, "undecided: a difference where an opaque call is nested or a Derivative is no "
                             "counterexample", mode)
    if valid < MIN_VALID:
        why = "; ".join(sorted(prober.errors)) or "a or b is rarely real and finite on the domain"
        return Verdict(None, f"undecided: too few valid points ({valid} of {prober.tries} tries): {why}", mode)
    return Verdict(True, "numeric", mode, numerical=True)


