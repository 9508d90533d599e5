"""Your own noise model: ``derive.custom(density, data=..., params=..., fixed=...)``.

The density (a SymPy expression or hand-written LaTeX) becomes an :class:`Assumption` on
the fly and goes through the same pipeline as the catalogue.  Its normalisation is checked
first: symbolically where SymPy can integrate or sum it over the support, numerically
(mpmath quadrature at seeded parameter values) otherwise.  A density whose mass is not 1
is refused with :class:`NotNormalised`, unless ``derive_normaliser=True`` asks the engine
to derive Z and divide by it (as the catalogue does for Huber).  A density that is negative
somewhere on the support is refused with :class:`NegativeDensity`, even when it integrates
to 1: positivity is proved on the domain where SymPy can, else the density is evaluated on
a grid of the support at seeded parameter values (and the note says so).

``nll_command`` is the text of ``derive nll 'LATEX' --data y --params mu [--fixed sigma]``.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

import mpmath
import numpy as np
import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption
from derive.bounded import bounded
from derive.engine import Derivation, run
from derive.normalisation import mass
from derive.symbolic.cases import breakpoints, cases_support
from derive.symbolic.domains import is_positive_on, resolve_piecewise
from derive.errors import DeriveError, NegativeDensity, NotNormalised, Unsupported
from derive.steps import Step, tex

SUPPORTS: dict[str, sp.Set] = {
    "reals": dsym.REALS,
    "positive": dsym.POSITIVE,
    "unit": sp.Interval(0, 1),
    "counts": dsym.NONNEG_INT,
    "binary": sp.FiniteSet(0, 1),
}

NUMERIC_TOLERANCE = 1e-8
NUMERIC_POINTS = 3
SYMBOLIC_SECONDS = 4.0  # budget of the symbolic attempt before the numeric check
NUMERIC_SECONDS = 20.0  # budget of the numeric check (double-exponential tails can stall mpmath)


GRID_POINTS = 2001  # the grid of a continuous support for the sign check


def _names(spec) -> tuple[str, ...]:
    if spec is None:
        return ()
    if isinstance(spec, str):
        return tuple(n.strip() for n in spec.split(",") if n.strip())
    return tuple(s if isinstance(s, str) else s.name for s in spec)


def _parse(density) -> sp.Expr:
    if isinstance(density, str):
        from derive.latex.parse import parse_latex  # lazily: the front-end is optional here

        density = parse_latex(density)
        density = getattr(density, "expr", density)
    return sp.sympify(density)


def _infer_support(density: sp.Expr, y: sp.Symbol) -> sp.Set:
    """Counts when the data appear in a factorial or binomial coefficient; else the reals."""
    if any(f.has(y) for f in density.atoms(sp.factorial, sp.binomial)):
        return dsym.NONNEG_INT
    return dsym.REALS


def _as_set(support) -> sp.Set | None:
    if support is None or isinstance(support, sp.Set):
        return support
    try:
        return SUPPORTS[support]
    except KeyError:
        raise DeriveError(f"unknown support {support!r}; known: {', '.join(SUPPORTS)}") from None


def _support(expr: sp.Expr, y: sp.Symbol, support) -> tuple[sp.Set, str]:
    """The data's support, and a note when the density's cases gave it: where the cases are
    non-zero (:func:`derive.symbolic.cases.cases_support`), within the support given (default:
    counts or the reals).  Cases non-zero on more than one interval are kept as cases."""
    given = _as_set(support)
    base = given or _infer_support(expr, y)
    cases = cases_support(expr, y)
    if cases is None:
        return base, ""
    within = base.intersect(cases)
    if within == sp.S.EmptySet:
        raise DeriveError(f"the density's cases are non-zero only on {cases}, outside the support given {base}")
    if not isinstance(within, (sp.Interval, sp.Range, sp.FiniteSet)):
        return base, f"the cases are non-zero on ${tex(within)}$, not one interval: they stay cases; "
    where = " within the support given" if given is not None else ""
    return within, (f"the support ${tex(y)} \\in {tex(within)}$ is where the cases are non-zero{where}, "
                    "and on it the cases are decided; ")


def _assumption(density, data, params, fixed=(), *, support=None, domains: Mapping | None = None,
                name: str = "custom", kernel: bool = False) -> tuple[Assumption, str]:
    """:func:`build_assumption`, and the note on a support taken from the density's cases."""
    expr = _parse(density)
    data_names, param_names, fixed_names = _names(data), _names(params), _names(fixed)
    if len(data_names) != 1:
        raise Unsupported("a custom density takes exactly one data symbol")
    given = {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    unknown = sorted(set(given) - set(data_names + param_names + fixed_names))
    if unknown:
        raise DeriveError(f"symbols {', '.join(unknown)} are neither data, params nor fixed; "
                          "name each with --data, --params or --fixed")
    missing = [n for n in param_names if n not in given]
    if missing:
        raise DeriveError(f"params {', '.join(missing)} do not appear in the density")
    domains = dict(domains or {})
    (y_name,) = data_names
    support_set, note = _support(expr, given.get(y_name, sp.Symbol(y_name)), support)
    domain_of = {y_name: support_set}
    for n in param_names + fixed_names:
        domain_of[n] = _as_set(domains.get(n)) if n in domains else dsym.default_domain(n)
    rebuilt = {n: dsym.symbol(n, domain_of[n]) for n in data_names + param_names + fixed_names}
    y = rebuilt[y_name]
    statement = r"p(%s) = %s" % (tex(y), tex(expr))  # as written, before its cases are decided
    domains_of = {rebuilt[n]: domain_of[n] for n in rebuilt}
    expr = resolve_piecewise(expr.xreplace({given[n]: rebuilt[n] for n in given}), domains_of)
    return Assumption(
        name=name, title=f"custom noise model: {name}", words="A custom density.",
        statement=statement,
        loss_name="custom loss", density=expr, data=(y,), params=tuple(rebuilt[n] for n in param_names),
        fixed=tuple(rebuilt[n] for n in fixed_names), domains=domains_of,
        support=support_set, kernel=kernel,
    ), note


def build_assumption(density, data, params, fixed=(), *, support=None, domains: Mapping | None = None,
                     name: str = "custom", kernel: bool = False) -> Assumption:
    """The :class:`Assumption` of a custom density, symbols rebuilt with their domains (by
    name, as in :mod:`derive.symbols`, or from ``domains``; the data from the support, or from
    the density's cases: where they are non-zero), its cases decided on the support."""
    return _assumption(density, data, params, fixed, support=support, domains=domains, name=name, kernel=kernel)[0]


def _sample(domain: sp.Set, rng) -> float:
    if domain == dsym.REALS:
        return float(rng.normal(0, 1.5))
    if isinstance(domain, sp.Range):
        return float(rng.integers(max(int(domain.inf), 1), max(int(domain.inf), 1) + 4))
    if isinstance(domain, sp.Interval):
        lo = float(domain.inf) if domain.inf.is_finite else float(domain.sup) - 5
        hi = float(domain.sup) if domain.sup.is_finite else lo + 4
        return lo + (hi - lo) * float(rng.uniform(0.15, 0.85))
    raise Unsupported(f"cannot sample a value from {domain}")


def numeric_mass(a: Assumption, seed: int = 0, points: int = NUMERIC_POINTS) -> list[float]:
    """The mass at ``points`` seeded values of the params and fixed symbols (mpmath, 30 digits)."""
    rng = np.random.default_rng(seed)
    (y,) = a.data
    masses = []
    for _ in range(points):
        values = {s: _sample(a.domains[s], rng) for s in a.params + a.fixed}
        f = sp.lambdify(y, a.density.xreplace(values), "mpmath")
        with mpmath.workdps(30):
            support = a.support
            if isinstance(support, sp.FiniteSet):
                total = sum(f(int(v)) for v in support)
            elif isinstance(support, sp.Range):
                total = mpmath.nsum(lambda k: f(int(k)), [int(support.inf), mpmath.inf])
            else:
                lo = -mpmath.inf if support.inf == -sp.oo else mpmath.mpf(float(support.inf))
                hi = mpmath.inf if support.sup == sp.oo else mpmath.mpf(float(support.sup))
                cuts = [mpmath.mpf(float(p)) for p in breakpoints(a.density.xreplace(values), y)]
                total = mpmath.quad(f, [lo, *[c for c in cuts if lo < c < hi], hi])  # split where a case changes
        masses.append(float(total))
    return masses


def _symbolic_mass(a: Assumption) -> sp.Expr | None:
    """The mass by SymPy, simplified; None when it stays an unevaluated integral or sum."""
    m = mass(a.density, a)
    return None if m.has(sp.Integral, sp.Sum, sp.Piecewise) else sp.simplify(m)


def check_normalisation(a: Assumption) -> tuple[str, sp.Expr | list[float]]:
    """("symbolic", mass) when SymPy computes the mass within SYMBOLIC_SECONDS, else
    ("numeric", [masses]) by quadrature within NUMERIC_SECONDS (each bounded: a forked child,
    :mod:`derive.bounded`)."""
    status, m = bounded(_symbolic_mass, (a,), SYMBOLIC_SECONDS)
    if status == "ok" and m is not None:
        return "symbolic", m
    status, masses = bounded(numeric_mass, (a,), NUMERIC_SECONDS)
    if status == "ok":
        return "numeric", masses
    why = f"did not finish in {NUMERIC_SECONDS:g} s" if status == "timed out" else f"failed {masses}"
    raise Unsupported(f"{a.name}: cannot check the normalisation: SymPy cannot integrate the density "
                      f"and quadrature {why}")


def _grid(support: sp.Set) -> np.ndarray:
    if isinstance(support, sp.FiniteSet):
        return np.array([float(v) for v in support])
    if isinstance(support, sp.Range):
        return np.arange(int(support.inf), int(support.inf) + 60, dtype=float)
    lo = float(support.inf) if support.inf.is_finite else None
    hi = float(support.sup) if support.sup.is_finite else None
    lo = lo if lo is not None else (hi - 60 if hi is not None else -30.0)
    hi = hi if hi is not None else lo + 60
    inner = np.linspace(lo, hi, GRID_POINTS)[1:-1]  # open ends: the endpoints may be off the support
    near = lo + (hi - lo) * np.geomspace(1e-9, 1e-3, 30)  # close to the lower end (y -> 0+)
    return np.concatenate([inner, near])


def negative_point(a: Assumption, seed: int = 0, points: int = NUMERIC_POINTS) -> dict | None:
    """A point of the support (with seeded parameter values) where the density is negative,
    or None when none of the grid's points is.  Values relative to the largest one on the
    grid below -1e-12 count as negative (rounding does not)."""
    rng = np.random.default_rng(seed)
    (y,) = a.data
    ys = _grid(a.support)
    for _ in range(points):
        values = {s: _sample(a.domains[s], rng) for s in a.params + a.fixed}
        f = sp.lambdify(y, a.density.xreplace(values), modules=["scipy", "numpy"])
        with np.errstate(all="ignore"):
            fs = np.array([complex(f(v)).real if np.isfinite(complex(f(v))).all() else np.nan for v in ys])
        finite = np.isfinite(fs)
        if not finite.any():
            continue
        scale = max(np.max(np.abs(fs[finite])), 1e-300)
        worst = int(np.nanargmin(np.where(finite, fs, np.inf)))
        if fs[worst] < -1e-12 * scale:
            return {**{s.name: v for s, v in values.items()}, y.name: float(ys[worst]), "density": float(fs[worst])}
    return None


def check_sign(a: Assumption) -> str:
    """How the density was found non-negative ("symbolic" or "grid"); raises
    :class:`NegativeDensity` at a point where it is negative."""
    if is_positive_on(a.density, a.domains) or a.density.is_nonnegative:
        return "symbolic"
    status, found = bounded(negative_point, (a,), NUMERIC_SECONDS)
    if status != "ok":
        why = f"did not finish in {NUMERIC_SECONDS:g} s" if status == "timed out" else f"failed {found}"
        raise Unsupported(f"{a.name}: cannot check that the density is non-negative: the grid evaluation {why}")
    if found is not None:
        (y,) = a.data
        at = ", ".join(f"{k}={v:.6g}" for k, v in found.items() if k != "density")
        raise NegativeDensity(f"{a.name}: the density is negative at {at} (its value there is {found['density']:.6g}); "
                              "a density must be >= 0 on the whole support, even when it integrates to 1")
    return "grid"


def custom(density, data, params, fixed=(), *, support=None, domains: Mapping | None = None,
           derive_normaliser: bool = False, name: str = "custom") -> Derivation:
    """Derive the loss of your own density (SymPy expression or LaTeX).

    ``data``, ``params``, ``fixed``: names or symbols (a comma-separated string is fine).
    ``support``: a SymPy set or one of ``reals``, ``positive``, ``unit``, ``counts``,
    ``binary`` (default: counts when the data appear in a factorial or binomial, else the
    reals); a density written with cases, one of them 0, is supported where the others
    apply (within the support given), and its cases are decided there.  Raises
    :class:`NotNormalised` when the density does not integrate (sum) to 1, unless ``derive_normaliser`` is set, in which case Z is derived and divided out; raises
    :class:`NegativeDensity` when the density is negative somewhere on the support."""
    a, support_note = _assumption(density, data, params, fixed, support=support, domains=domains, name=name)
    how, m = check_normalisation(a)
    if how == "symbolic":
        normalised = m == 1
        shown = sp.sstr(m)
    else:
        normalised = all(abs(x - 1) < NUMERIC_TOLERANCE for x in m)
        shown = ", ".join(f"{x:.12g}" for x in m) + " at seeded parameter values"
    if not normalised:
        if not derive_normaliser:
            raise NotNormalised(
                f"{name}: the density is not normalised over {a.support}: its mass is {shown} ({how}), not 1; "
                "declare the parameters' domains (domains={'mu': 'positive'}; CLI: --domain mu=positive), "
                "pass derive_normaliser=True (CLI: --normalise) to derive the normaliser, or fix the density")
        if how != "symbolic":
            raise Unsupported(f"{name}: the normaliser has no closed form SymPy can derive (mass {shown})")
        a = dataclasses.replace(a, kernel=True)
        note = f"the density given is a kernel: its mass {shown} is derived and divided out"
    else:
        note = f"normalised: the mass over the support is 1 ({how}: {shown})"
    note = support_note + note
    sign = check_sign(a)
    note += ("; non-negative on the domain (symbolic)" if sign == "symbolic" else
             f"; non-negative on a grid of the support at {NUMERIC_POINTS} seeded parameter values (numeric)")
    d = run(a)
    check = Step("normalisation", m if how == "symbolic" else sp.Float(m[0]), note,
                 lhs="\\int p(%s)\\, d%s" % (tex(a.data[0]), tex(a.data[0])))
    return dataclasses.replace(d, steps=(d.steps[0], check) + d.steps[1:])


def nll_command(latex: str, data, params, fixed=(), *, support=None, domains: Mapping | None = None,
                derive_normaliser: bool = False) -> str:
    """The text printed by ``derive nll 'LATEX' --data y --params mu [--fixed sigma]
    [--support positive] [--domain mu=positive] [--normalise]``.  Raises DeriveError
    (NotNormalised, ParseError, ...) for the CLI to report."""
    d = custom(latex, data, params, fixed, support=support, domains=domains, derive_normaliser=derive_normaliser)

    note = next(s.note for s in d.steps if s.label == "normalisation")
    lines = [
        f"density:   {d.density if d.density is not None else d.assumption.density}",
        f"check:     {note}",
        f"nll:       {d.nll}",
        f"loss:      {d.loss}",
        f"scale:     {d.scale}",
        f"dropped:   {', '.join(map(str, d.dropped)) or '(none)'}",
        f"dataset:   {d.dataset_loss}",
        "",
        "loss (LaTeX): " + tex(d.loss),
        "",
        d.to_latex(),
    ]
    return "\n".join(lines)
