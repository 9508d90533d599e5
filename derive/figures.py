"""Figures for the documents: each assumption's loss beside its density, and an overview.

Generic rules, never a case per assumption name:

- Scalar data and scalar parameters: the loss ``d.loss`` as a function of the first
  parameter (the prediction) for a few targets, beside ``exp(-d.nll)`` as a function of the
  data at one prediction (for a quasi-likelihood, ``exp(-d.nll)`` is a quasi-density and is
  labelled so).  Fixed symbols and further parameters take a typical value of their domain.
- A one-hot vector over ``K`` classes: the two-class slice ``K = 2``.  A vector parameter
  in (0, 1) is a point of the simplex (second component ``1 - first``); any other vector
  parameter is sliced along its first component with the others at 0.
- Anything else is skipped with a note saying why.

Typical values: reals 0; (0, oo) 1 for a parameter and 2 for a fixed symbol (at 1 a shape
turns one family into another: Gamma into exponential, Student t into Cauchy), stated in the
caption; a bounded interval the point 30% of the way in (so that asymmetric shapes show);
integers their least value.  Targets: the points of a finite
support, ``0, 1, 3`` for counts, ``0.5, 1, 2`` on (0, oo), ``-1, 0, 1.5`` on the reals and
20/50/80% of a bounded interval.

The overview compares every registered assumption whose data and prediction are real and
whose loss depends on them only through the residual ``r = y - prediction``: each loss is
shifted to 0 at ``r = 0`` and scaled to curvature 1 there; a loss with a kink at 0 (no
curvature) is scaled to 1/2 at ``|r| = 1``, where the squared loss is.

How figures are drawn and written (deterministically) is :mod:`derive.figure_style`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

from derive import symbols as dsym
from derive.engine import Derivation
from derive.figure_style import COLORS, FIGURE_DIR, FigureFiles, Skip, matplotlib_api, save
from derive.figures_parts import mixture_figure
from derive.latex.printer import latex
from derive.latex.tokens import rename_math
from derive.symbolic.constraints import ONE_HOT


# --------------------------------------------------------------------------- values


def _bounds(domain: sp.Set) -> tuple[float, float]:
    return float(domain.inf), float(domain.sup)


def typical(domain: sp.Set) -> sp.Expr:
    """A typical value of a domain (see the module docstring)."""
    if isinstance(domain, sp.FiniteSet):
        return sorted(domain)[0]
    if isinstance(domain, sp.Range):
        return domain.inf
    if domain == dsym.REALS:
        return sp.Integer(0)
    lo, hi = domain.inf, domain.sup
    if hi is sp.oo:
        return sp.Integer(1) if lo == 0 else lo + 1
    if lo is -sp.oo:
        return hi - 1
    return sp.nsimplify(lo + sp.Rational(3, 10) * (hi - lo))


def targets(support) -> list[float]:
    """A few data values to draw the loss for."""
    if isinstance(support, sp.FiniteSet):
        return [float(v) for v in sorted(support)][:4]
    if isinstance(support, sp.Range):
        return [float(v) for v in (0, 1, 3) if support.contains(v) is sp.true] or [float(support.inf)]
    if support == dsym.REALS:
        return [-1.0, 0.0, 1.5]
    lo, hi = _bounds(support)
    if math.isinf(hi):
        return [lo + 0.5, lo + 1.0, lo + 2.0]
    if math.isinf(lo):
        return [hi - 2.0, hi - 1.0, hi - 0.5]
    return [lo + f * (hi - lo) for f in (0.2, 0.5, 0.8)]


def grid(domain: sp.Set, around: list[float], points: int = 400) -> np.ndarray:
    """Plot points over a domain: the reals from -3 to 3 (widened to the targets), (0, oo)
    up to 4, bounded intervals inside their ends."""
    if domain == dsym.REALS:
        lo = min([-3.0] + [t - 2.0 for t in around])
        hi = max([3.0] + [t + 2.0 for t in around])
        return np.linspace(lo, hi, points)
    lo, hi = _bounds(domain)
    if math.isinf(lo) and math.isinf(hi):
        return np.linspace(-3.0, 3.0, points)
    if math.isinf(hi):
        top = max([lo + 4.0] + [t + 1.0 for t in around])
        return np.linspace(lo + 0.02 * (top - lo), top, points)
    if math.isinf(lo):
        bottom = min([hi - 4.0] + [t - 1.0 for t in around])
        return np.linspace(bottom, hi - 0.02 * (hi - bottom), points)
    pad = 0.01 * (hi - lo)
    return np.linspace(lo + pad, hi - pad, points)


def evaluate(expr: sp.Expr, var: sp.Basic, xs: np.ndarray) -> np.ndarray:
    """``expr`` at the points ``xs`` of ``var``; NaN where it is undefined or not real."""
    x = sp.Dummy("x")
    expr = sp.sympify(expr).xreplace({var: x}).evalf()
    free = expr.free_symbols - {x}
    if free:
        raise Skip("the loss still depends on " + ", ".join(sorted(map(str, free))))
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(sp.lambdify(x, expr, modules="numpy")(xs), dtype=complex)
            values = np.broadcast_to(values, xs.shape)
        except (NameError, TypeError, ValueError, AttributeError):
            fn = sp.lambdify(x, expr, modules="mpmath")
            values = np.array([_point(fn, float(v)) for v in xs])
    real = np.where(np.abs(values.imag) < 1e-9, values.real, np.nan)
    return np.where(np.isfinite(real), real, np.nan)


def _point(fn, v: float) -> complex:
    try:
        return complex(fn(v))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return complex(np.nan)


# --------------------------------------------------------------------------- slices


@dataclass(frozen=True)
class _Slice:
    """Everything the two panels need, as SymPy expressions in one variable each."""

    prediction: sp.Basic  # the plotted parameter
    prediction_tex: str
    prediction_domain: sp.Set
    prediction_value: float  # where the density is drawn
    loss: sp.Expr  # in prediction and data
    nll: sp.Expr
    data: sp.Basic | None  # scalar data symbol, or None for the one-hot slice
    data_tex: str
    support: object
    target_values: list  # floats, or dicts for one-hot targets
    target_labels: list[str]
    discrete: bool
    quasi: bool
    fixed_values: dict = dataclasses.field(default_factory=dict)  # the other symbols, as drawn
    classes: tuple[int, int] = (1, 2)  # the one-hot slice's two classes, as the documents number them


def typical_fixed(domain: sp.Set) -> sp.Expr:
    """A typical value of a fixed symbol (a scale, a shape, a degree of freedom): as
    :func:`typical`, except 2 on (0, oo), since at 1 a shape turns a family into another one
    drawn beside it (a Gamma of shape 1 is the exponential, a Student t with one degree of
    freedom is the Cauchy)."""
    if domain == dsym.POSITIVE:
        return sp.Integer(2)
    return typical(domain)


def _values(symbols, domains, skip=()) -> dict:
    return {s: typical_fixed(dsym.domain_of(s, domains)) for s in symbols if s not in skip}


def _values_tex(values: dict) -> str:
    """``$\\sigma = 2$, $\\nu = 2$``: the values the figure is drawn at, for its caption."""
    return ", ".join(f"${latex(s)} = {latex(v)}$" for s, v in values.items())


def _scalar(s) -> bool:
    return isinstance(s, (sp.Symbol, sp.Indexed)) and not isinstance(s, sp.IndexedBase)


def make_slice(d: Derivation, class_base: int = 1) -> _Slice:
    """The generic one-dimensional view of a derivation (see the module docstring); the
    one-hot slice's classes labelled from ``class_base`` (the derivation's classes 1 and 2)."""
    a = d.assumption
    domains = a.domains
    quasi = getattr(a, "quasi", None) is not None
    if a.vector_index is None:
        if not (len(d.data) == 1 and all(_scalar(s) for s in d.data + d.params + d.fixed)):
            raise Skip("no generic one-dimensional view: several data or non-scalar symbols")
        (y,) = d.data
        p = d.params[0]
        fixed = _values(d.fixed + d.params[1:], domains)
        support = a.support
        if not isinstance(support, sp.Set):
            raise Skip(f"no generic view of the support {support!r}")
        if support.free_symbols:
            raise Skip(f"no generic view of a support with a symbolic bound: {support}")
        ys = targets(support)
        p_domain = dsym.domain_of(p, domains)
        return _Slice(
            prediction=p, prediction_tex=latex(p), prediction_domain=p_domain,
            prediction_value=float(typical(p_domain)),
            loss=d.loss.xreplace(fixed), nll=d.nll.xreplace(fixed), data=y, data_tex=latex(y),
            support=support, target_values=ys,
            target_labels=[f"${latex(y)} = {_number(v)}$" for v in ys],
            discrete=isinstance(support, (sp.FiniteSet, sp.Range)), quasi=quasi, fixed_values=fixed)

    if a.support != ONE_HOT or len(d.data) != 1 or len(d.params) != 1:
        raise Skip("no generic view of this vector assumption (one-hot data and one vector "
                   "parameter have the two-class slice)")
    k, _, K = a.vector_index
    (y,), (p,) = d.data, d.params
    if not (isinstance(y, sp.IndexedBase) and isinstance(p, sp.IndexedBase)):
        raise Skip("vector data or parameter that is not indexed")
    first = p[1]
    domain = dsym.domain_of(p, domains)
    second = 1 - first if domain == dsym.UNIT else sp.Integer(0)
    fixed = _values(d.fixed, domains)

    def two_class(expr):
        expr = expr.xreplace({K: 2}).xreplace(fixed).doit()
        return expr.xreplace({p[2]: second})

    onehot = [{y[1]: 1, y[2]: 0}, {y[1]: 0, y[2]: 1}]
    p_domain = domain if domain != dsym.REALS else dsym.REALS
    classes = (class_base, class_base + 1)  # classes 1 and 2, as the documents number them
    return _Slice(
        prediction=first, prediction_tex=latex(p[classes[0]]), prediction_domain=p_domain,
        prediction_value=float(typical(p_domain)),
        loss=two_class(d.loss), nll=two_class(d.nll), data=None, data_tex=latex(y),
        support="onehot", target_values=onehot,
        target_labels=[f"${latex(y)} = e_{{{c}}}$" for c in classes], discrete=True, quasi=quasi,
        fixed_values=fixed, classes=classes)


def _number(v: float) -> str:
    return f"{v:.3g}"


# --------------------------------------------------------------------------- drawing


def _limits(curves: list[np.ndarray]) -> tuple[float, float]:
    """y-limits that show the bottom of every curve and not the blow-ups at the ends."""
    finite = np.concatenate([c[np.isfinite(c)] for c in curves] + [np.array([0.0])])
    lo = float(np.min(finite))
    hi = float(np.quantile(finite, 0.85))
    if hi - lo < 1e-9:
        hi = lo + 1.0
    return lo - 0.05 * (hi - lo), hi + 0.15 * (hi - lo)


def _draw_density(ax, sl: _Slice, colors) -> None:
    at = {sl.prediction: sl.prediction_value}
    title_value = _number(sl.prediction_value)
    name = "quasi-density $e^{-\\mathrm{NLL}}$" if sl.quasi else "density"
    ax.set_title(f"{name} at ${sl.prediction_tex} = {title_value}$")
    if sl.support == "onehot":
        heights = [float(evaluate(sp.exp(-sl.nll.xreplace(t)).xreplace(at), sl.prediction,
                                  np.array([0.0]))[0]) for t in sl.target_values]
        ax.bar([1, 2], heights, width=0.5, color=[colors[0], colors[1]])
        ax.set_xticks([1, 2], [f"$e_{{{c}}}$" for c in sl.classes])
        ax.set_xlabel(f"${sl.data_tex}$")
        ax.set_ylim(0, 1.05)
        return
    density = sp.exp(-sl.nll).xreplace(at)
    if isinstance(sl.support, sp.FiniteSet):
        xs = np.array([float(v) for v in sorted(sl.support)])
    elif isinstance(sl.support, sp.Range):
        xs = np.arange(float(sl.support.inf), float(sl.support.inf) + 11.0)
    else:
        xs = grid(sl.support, sl.target_values)
    ys = evaluate(density, sl.data, xs)
    if sl.discrete:
        marked = dict(zip(sl.target_values, colors))
        stem_colors = [marked.get(float(x), "0.45") for x in xs]
        ax.vlines(xs, 0, ys, colors=stem_colors, linewidth=3.0)
        ax.scatter(xs, ys, c=stem_colors, s=12, zorder=3)
        ax.set_xlim(float(xs[0]) - 0.6, float(xs[-1]) + 0.6)
        if len(xs) <= 12:
            ax.set_xticks(xs, [_number(float(x)) for x in xs])
    else:
        ax.plot(xs, ys, color="0.2")
        ax.fill_between(xs, 0, np.nan_to_num(ys), color="0.85")
        for value, color in zip(sl.target_values, colors):
            ax.axvline(value, color=color, linestyle=":", linewidth=1.2)
    ax.set_xlabel(f"${sl.data_tex}$")
    ax.set_ylim(bottom=0)


def _draw_loss(ax, sl: _Slice, colors) -> None:
    xs = grid(sl.prediction_domain, [t for t in sl.target_values if not isinstance(t, dict)])
    curves = []
    for target, label, color in zip(sl.target_values, sl.target_labels, colors):
        subs = target if isinstance(target, dict) else {sl.data: target}
        ys = evaluate(sl.loss.xreplace(subs), sl.prediction, xs)
        curves.append(ys)
        ax.plot(xs, ys, color=color, label=label)
        if np.any(np.isfinite(ys)):
            best = int(np.nanargmin(ys))
            if 0 < best < len(xs) - 1:  # an interior minimum, not the edge of the plot
                ax.plot([xs[best]], [ys[best]], "o", color=color, markersize=3.5)
    ax.set_ylim(*_limits(curves))
    ax.set_xlabel(f"prediction ${sl.prediction_tex}$")
    ax.set_title("loss $\\ell$ (constants dropped)")
    ax.legend(frameon=False, loc="best")


def assumption_figure(d: Derivation, out: Path, symbols: tuple[tuple[str, str], ...] = (),
                      class_base: int = 1) -> FigureFiles:
    """Write ``figures/<name>.pdf`` and ``.png`` under ``out``, or skip with a note; ``symbols``
    renames the symbols of its labels and caption, whose classes are numbered from ``class_base``."""
    name = d.assumption.name
    try:
        sl = make_slice(d, class_base)
    except Skip as why:
        mixture = mixture_figure(d, out, symbols, class_base)  # over K components: the loss over two locations
        return mixture if mixture.stem is not None else FigureFiles(name, None, "", note=str(why))
    mpl, Figure, Canvas, params = matplotlib_api()
    with mpl.rc_context(params):
        fig = Figure(figsize=(6.4, 2.35))
        left, right = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.07, right=0.99, bottom=0.19, top=0.9, wspace=0.22)
        try:
            _draw_density(left, sl, COLORS)
            _draw_loss(right, sl, COLORS)
        except Skip as why:
            return FigureFiles(name, None, "", note=str(why))
        stem = f"{FIGURE_DIR}/{name}"
        save(fig, Canvas, out, stem, symbols)
    slice_note = ""
    if sl.support == "onehot":
        slice_note = " Two classes ($K = 2$)."
    caption = (f"Left: the {'quasi-density' if sl.quasi else 'density'} at ${sl.prediction_tex} = "
               f"{_number(sl.prediction_value)}$, with the targets marked.  Right: the loss as a "
               f"function of the prediction ${sl.prediction_tex}$ for those targets; dots mark the "
               f"minima inside the plotted range.{slice_note}")
    if sl.fixed_values:
        caption += f"  Drawn at {_values_tex(sl.fixed_values)}."
    return FigureFiles(name, stem, rename_math(caption, dict(symbols)))


# --------------------------------------------------------------------------- overview


def residual_loss(d: Derivation) -> sp.Expr | None:
    """The loss as a function of the residual ``r`` when the data and the prediction are
    real and the loss depends on them only through ``y - prediction``; else None."""
    a = d.assumption
    if a.vector_index is not None or len(d.data) != 1 or not d.params:
        return None
    (y,), p = d.data, d.params[0]
    if not all(_scalar(s) for s in d.data + d.params + d.fixed):
        return None
    if dsym.domain_of(y, a.domains) != dsym.REALS or dsym.domain_of(p, a.domains) != dsym.REALS:
        return None
    values = _values(d.fixed + d.params[1:], a.domains)
    loss = d.loss.xreplace(values)
    r = sp.Symbol("r", real=True)
    shifted = loss.xreplace({y: r + p})
    rs = np.array([-1.3, -0.4, 0.0, 0.7, 2.1])
    try:
        at = [evaluate(shifted.xreplace({p: v}), r, rs) for v in (-1.1, 0.0, 2.3)]
    except Skip:
        return None
    if any(not np.all(np.isfinite(c)) for c in at):
        return None
    if max(float(np.max(np.abs(c - at[0]))) for c in at) > 1e-9 * (1 + float(np.max(np.abs(at[0])))):
        return None
    return shifted.xreplace({p: 0})


def _normalise(r_loss: sp.Expr, r: sp.Symbol, rs: np.ndarray) -> tuple[np.ndarray, str]:
    """Shift to 0 at r = 0 and scale to curvature 1 there (or to 1/2 at |r| = 1 at a kink)."""
    at0 = float(evaluate(r_loss, r, np.array([0.0]))[0])
    curvature = []
    for h in (1e-2, 1e-3):
        f = evaluate(r_loss, r, np.array([-h, 0.0, h]))
        curvature.append((f[0] + f[2] - 2 * f[1]) / h**2)
    values = evaluate(r_loss, r, rs) - at0
    c1, c2 = curvature
    if np.isfinite(c1) and np.isfinite(c2) and c2 > 1e-9 and abs(c1 - c2) <= 0.01 * abs(c2):
        return values / c2, "curvature"
    ends = evaluate(r_loss, r, np.array([-1.0, 1.0])) - at0
    scale = float(np.mean(ends))
    if not np.isfinite(scale) or scale <= 0:
        raise Skip("no positive scale")
    return values * 0.5 / scale, "kink"


def overview_figure(derivations: list[Derivation], out: Path, symbols: tuple[tuple[str, str], ...] = ()) -> FigureFiles:
    """Write ``figures/overview.pdf`` and ``.png``: the residual losses on common axes."""
    r = sp.Symbol("r", real=True)
    rs = np.linspace(-3.0, 3.0, 601)
    curves: list[tuple[str, np.ndarray, str]] = []
    for d in derivations:
        r_loss = residual_loss(d)
        if r_loss is None:
            continue
        free = r_loss.free_symbols
        r_loss = r_loss.xreplace({s: r for s in free if s.name == "r"})
        try:
            values, how = _normalise(r_loss, r, rs)
        except Skip:
            continue
        same = [n for n, (_, other, _) in enumerate(curves) if np.nanmax(np.abs(values - other)) < 1e-6]
        if same:  # the same curve as one already drawn (at these typical values): one label
            label, other, kind = curves[same[0]]
            curves[same[0]] = (f"{label} = {d.assumption.loss_name}", other, kind)
            continue
        curves.append((d.assumption.loss_name, values, how))
    if len(curves) < 2:  # one curve compares nothing; it is the assumption's own figure
        return FigureFiles("overview", None, "", note="fewer than two assumptions with a residual loss to compare")
    mpl, Figure, Canvas, params = matplotlib_api()
    with mpl.rc_context(params):
        rows = (len(curves) + 1) // 2
        fig = Figure(figsize=(6.4, 3.0 + 0.17 * rows))
        ax = fig.subplots()
        fig.subplots_adjust(left=0.09, right=0.99, bottom=0.13 + 0.052 * rows, top=0.98)
        styles = ("-", "--", "-.", ":")
        for index, (label, values, how) in enumerate(curves):
            mark = "" if how == "curvature" else " (kink)"
            ax.plot(rs, values, label=label + mark, color=COLORS[index % len(COLORS)],
                    linestyle=styles[(index // len(COLORS)) % len(styles)])
        ax.set_xlim(-3, 3)
        ax.set_ylim(-0.1, 4.6)
        ax.set_xlabel("residual $r = y - \\hat{y}$")
        ax.set_ylabel("loss, shifted and scaled")
        ax.legend(frameon=False, fontsize=7.0, loc="upper center", ncols=2,
                  bbox_to_anchor=(0.5, -0.2), borderaxespad=0.0)
        stem = f"{FIGURE_DIR}/overview"
        save(fig, Canvas, out, stem, symbols)
    caption = ("The losses whose assumption is a location family on the real line, as functions of "
               "the residual $r = y - \\hat{y}$ (fixed symbols at typical values), each shifted to 0 "
               "at $r = 0$ and scaled to curvature 1 there, where the squared loss is $r^2/2$; a loss "
               "with a kink at 0 (so marked in the legend) is matched to $r^2/2$ at $|r| = 1$.")
    return FigureFiles("overview", stem, rename_math(caption, dict(symbols)))


def write_figures(derivations: list[Derivation], out: Path) -> tuple[FigureFiles, dict[str, FigureFiles]]:
    """The overview and one figure per derivation, written under ``out/figures``."""
    out = Path(out)
    overview = overview_figure(derivations, out)
    each = {d.assumption.name: assumption_figure(d, out) for d in derivations}
    return overview, each
