"""Figures beyond one loss curve per entry: the priors of "Regularisers are priors" beside the
penalties they put in the loss, and a mixture's loss over two component means.

Every curve is a derived SymPy expression lambdified, never a formula typed here:

- :func:`prior_curves`: for each catalogue model with a prior of its own (the first model per
  set of prior families), the prior density p(w) of one weight and the penalty
  sum_f lambda_f pen_f(w) it puts in the loss l(w), at :data:`PRIOR_VALUES`; beside the penalty,
  -log p(w) shifted to 0 at w = 0 and divided by the likelihood's factor a (the relation the
  model derives: -log p(w | D) = a l(w) + const).  Several families multiply into one density
  over a normaliser Z(hyperparameters); Z is computed by quadrature at those values.
- :func:`mixture_surface`: an entry over K components whose data is a real number and with a
  vector location parameter (the loss is unchanged when the data and every location move
  together): at K = 2, the mean loss over a seeded sample as a function of the two locations,
  the other parameters at the symmetric point (weights 1/K, logits 0, scales 1).  Swapping the
  components' labels leaves it unchanged: two minima, mirror images across the diagonal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols as dsym
from derive.engine import Derivation
from derive.figure_style import COLORS, FIGURE_DIR, FigureFiles, Skip, matplotlib_api, save
from derive.latex.printer import latex
from derive.latex.tokens import rename_math

PRIORS_STEM = f"{FIGURE_DIR}/priors"
#: the hyperparameters the priors are drawn at (by symbol name): lambda_1 = lambda_2 = 1
PRIOR_VALUES = {"sigma": sp.Integer(1), "tau": sp.Integer(1), "b": sp.Integer(2)}
WEIGHT_RANGE = 3.0
SAMPLE = {"seed": 0, "n": 40, "centres": (-1.5, 1.5), "scale": 1.0}  # the mixture's data
LOCATIONS = np.linspace(-3.5, 3.5, 141)  # symmetric about 0, so the grid maps onto its mirror


# --------------------------------------------------------------------------- priors


@dataclass(frozen=True)
class PriorCurves:
    """One prior's two panels: ``density`` p(w) and ``penalty`` (the regulariser in the loss)
    at ``ws``; ``neg_log`` is (-log p(w) + log p(0)) / a at ``dots``."""

    model: str
    title: str
    penalty_tex: str  # the penalty at the values, e.g. "|w| + w^{2}"
    ws: np.ndarray
    density: np.ndarray
    penalty: np.ndarray
    dots: np.ndarray
    neg_log: np.ndarray
    normaliser: float | None  # Z by quadrature, for several families


def _at_values(expr: sp.Expr) -> sp.Expr:
    return expr.xreplace({s: PRIOR_VALUES[s.name] for s in expr.free_symbols if s.name in PRIOR_VALUES})


def _function(expr: sp.Expr, w: sp.Basic):
    x = sp.Dummy("w")
    body = expr.xreplace({w: x})
    if body.free_symbols - {x}:
        raise Skip(f"the prior still depends on {', '.join(sorted(map(str, body.free_symbols - {x})))}")
    return sp.lambdify(x, body, modules="numpy"), sp.lambdify(x, body, modules="mpmath")


def prior_curves(points: int = 601) -> list[PriorCurves]:
    """The priors of the catalogue models, each once, at :data:`PRIOR_VALUES`."""
    from derive.distributions.base import family
    from derive.models import MODELS, model
    from derive.models.regularised import wj

    curves, seen = [], set()
    ws = np.linspace(-WEIGHT_RANGE, WEIGHT_RANGE, points)
    dots = np.linspace(-WEIGHT_RANGE, WEIGHT_RANGE, 13)
    for name, entry in MODELS.items():
        if entry.families in seen:
            continue
        seen.add(entry.families)
        m = model(name)
        density = _at_values(m.prior)
        normaliser = None
        unknown = density.atoms(AppliedUndef)
        if unknown:  # Z(hyperparameters) of a product of densities: by quadrature
            kernel = density.xreplace({f: 1 for f in unknown})
            _, at = _function(kernel, wj)
            normaliser = float(mpmath.quad(at, [-mpmath.inf, 0, mpmath.inf]))
            density = density.xreplace({f: sp.Float(normaliser, 30) for f in unknown})
        regulariser = _at_values(sp.Add(*[p.weight * p.penalty for p in m.penalties]))
        p_of, _ = _function(density, wj)
        pen_of, _ = _function(regulariser, wj)
        a = float(_at_values(m.scale))
        with np.errstate(all="ignore"):
            neg_log = (-np.log(p_of(dots)) + np.log(p_of(np.array(0.0)))) / a
            values = np.broadcast_to(np.asarray(pen_of(ws), dtype=float), ws.shape)
        title = f"{entry.loss_name}\n" + r" $\times$ ".join(family(f).title for f in entry.families) + " prior"
        curves.append(PriorCurves(name, title, latex(regulariser.xreplace({wj: sp.Symbol("w")})), ws,
                                  np.asarray(p_of(ws), dtype=float), np.array(values), dots, neg_log, normaliser))
    return curves


def _weights_caption(curves: list[PriorCurves]) -> str:
    """``$\\lambda_{2} = \\frac{\\sigma^2}{\\tau^2} = 1$`` for each penalty of the curves' models."""
    from derive.models import model

    said, parts = set(), []
    for c in curves:
        for p in model(c.model).penalties:
            if p.family in said:
                continue
            said.add(p.family)
            parts.append(r"$\lambda_{%s} = %s = %s$" % ("2" if p.family == "normal" else "1", latex(p.weight),
                                                         latex(_at_values(p.weight))))
    return " and ".join(parts)


def prior_figure(out: Path, symbols: tuple[tuple[str, str], ...] = ()) -> FigureFiles:
    """Write ``figures/priors.pdf`` and ``.png``: per prior, p(w) above its penalty."""
    curves = prior_curves()
    mpl, Figure, Canvas, params = matplotlib_api()
    with mpl.rc_context(params):
        fig = Figure(figsize=(6.4, 3.7))
        axes = fig.subplots(2, len(curves), sharex=True, sharey="row", squeeze=False)
        fig.subplots_adjust(left=0.09, right=0.99, bottom=0.11, top=0.9, wspace=0.12, hspace=0.42)
        for column, (c, color) in enumerate(zip(curves, COLORS)):
            top, bottom = axes[0][column], axes[1][column]
            top.plot(c.ws, c.density, color=color)
            top.fill_between(c.ws, 0, c.density, color=color, alpha=0.15, linewidth=0)
            top.set_title(c.title, fontsize=8.0)
            bottom.plot(c.ws, c.penalty, color=color, label=r"penalty in $\ell(w)$")
            bottom.plot(c.dots, c.neg_log, "o", color="0.25", markersize=3.0,
                        label=r"$(-\log p(w) + \log p(0))\,/\,a$")
            bottom.set_title(f"${c.penalty_tex}$", fontsize=8.0)
            bottom.set_xlabel("$w$")
        axes[0][0].set_ylabel("prior $p(w)$")
        axes[0][0].set_ylim(bottom=0)
        axes[1][0].set_ylabel("penalty")
        axes[1][0].set_ylim(bottom=-0.3)
        axes[1][0].legend(frameon=False, loc="upper center", fontsize=7.0)
        save(fig, Canvas, out, PRIORS_STEM, symbols)
    from derive.models import model

    values = ", ".join(f"${latex(sp.Symbol(k))} = {latex(v)}$" for k, v in PRIOR_VALUES.items())
    scales = {latex(model(c.model).scale) for c in curves}
    factor = f"$a = {scales.pop()}$" if len(scales) == 1 else "$a$"
    quadrature = [c for c in curves if c.normaliser is not None]
    caption = ("Top: the prior on one weight, $p(w)$; bottom: the penalty it puts in the loss $\\ell(w)$, "
               f"both lambdified from the derived expressions at {values}, so that {_weights_caption(curves)}.  "
               "The dots are $-\\log p(w)$ shifted to 0 at $w = 0$ and divided by the likelihood's factor "
               f"{factor}: they lie on the penalty, since $-\\log p(w \\mid D) = a\\,\\ell(w) + \\text{{const.}}$")
    if quadrature:
        caption += "  The normaliser $Z$ of the product of densities is computed by quadrature."
    return FigureFiles("priors", PRIORS_STEM, rename_math(caption, dict(symbols)))


# --------------------------------------------------------------------------- a mixture's surface


@dataclass(frozen=True)
class MixtureSurface:
    """The mean loss ``surface[row, col]`` at locations (``locations[col]``, ``locations[row]``)
    of the two components, over the sample ``ys``; the other parameters at ``values``."""

    name: str
    first: sp.Basic  # the two locations, as symbols of the entry
    second: sp.Basic
    locations: np.ndarray
    surface: np.ndarray
    ys: np.ndarray
    values: dict  # the other parameters of the two components
    loss: sp.Expr  # at K = 2, in the data and the two locations
    nll: sp.Expr


def sample() -> np.ndarray:
    """The seeded data: ``n`` points, each from one of two Gaussians with equal probability."""
    rng = np.random.default_rng(SAMPLE["seed"])
    centres = np.array(SAMPLE["centres"])[rng.integers(0, 2, SAMPLE["n"])]
    return centres + SAMPLE["scale"] * rng.standard_normal(SAMPLE["n"])


def _symmetric(base: sp.IndexedBase, domain: sp.Set, count: int) -> sp.Expr:
    """The value every component takes: 1/K on (0, 1) (the simplex's centre), 0 on the reals, 1 on (0, oo)."""
    if domain == dsym.UNIT:
        return sp.Rational(1, count)
    if domain == dsym.REALS:
        return sp.Integer(0)
    if domain == dsym.POSITIVE:
        return sp.Integer(1)
    raise Skip(f"no symmetric value of {base} on {domain}")


def _lambdified(expr: sp.Expr, args):
    dummies = [sp.Dummy(str(a)) for a in args]
    body = expr.xreplace(dict(zip(args, dummies)))
    if body.free_symbols - set(dummies):
        raise Skip("the loss still depends on " + ", ".join(sorted(map(str, body.free_symbols - set(dummies)))))
    return sp.lambdify(dummies, body, modules="numpy")


def _translation_invariant(loss: sp.Expr, y: sp.Basic, locs) -> bool:
    """loss(y + c, m_1 + c, m_2 + c) = loss(y, m_1, m_2) at a few points (a location parameter)."""
    f = _lambdified(loss, [y, *locs])
    points = np.array([[0.3, -1.1, 0.7], [-2.0, 0.4, 1.9], [1.2, 2.2, -0.5]])
    with np.errstate(all="ignore"):
        base = np.array([f(*p) for p in points], dtype=float)
        moved = np.array([f(*(p + 1.7)) for p in points], dtype=float)
    return bool(np.all(np.isfinite(base)) and np.allclose(base, moved, rtol=1e-9, atol=1e-12))


def mixture_surface(d: Derivation) -> MixtureSurface:
    """The mean loss over :func:`sample` as a function of the two components' locations."""
    a = d.assumption
    if a.vector_index is None or len(d.data) != 1 or a.support != dsym.REALS \
            or not isinstance(d.data[0], sp.Symbol) or d.fixed:
        raise Skip("no mixture view: real data and parameters over the components")
    (y,), (k, _, K) = d.data, a.vector_index
    if not all(isinstance(p, sp.IndexedBase) for p in d.params):
        raise Skip("no mixture view: a parameter that is not one per component")
    at_two = {K: 2}
    loss = d.loss.xreplace(at_two).doit()
    nll = d.nll.xreplace(at_two).doit()
    located = [p for p in d.params if dsym.domain_of(p, a.domains) == dsym.REALS]
    values = {p: _symmetric(p, dsym.domain_of(p, a.domains), 2) for p in d.params}
    for p in located:
        others = {q[c]: values[q] for q in d.params if q != p for c in (1, 2)}
        if _translation_invariant(loss.xreplace(others), y, (p[1], p[2])):
            break
    else:
        raise Skip("no mixture view: no location parameter over the components")
    others = {q[c]: values[q] for q in d.params if q != p for c in (1, 2)}
    loss, nll = loss.xreplace(others), nll.xreplace(others)
    f = _lambdified(loss, [y, p[1], p[2]])
    ys = sample()
    first, second = np.meshgrid(LOCATIONS, LOCATIONS)  # [row, col] = (second, first)
    with np.errstate(all="ignore"):
        surface = np.mean([np.broadcast_to(f(v, first, second), first.shape) for v in ys], axis=0)
    return MixtureSurface(a.name, p[1], p[2], LOCATIONS, surface, ys,
                          {q: values[q] for q in d.params if q != p}, loss, nll)


def minima(s: MixtureSurface) -> list[tuple[float, float]]:
    """The grid points where the surface takes its least value, as (first, second)."""
    rows, cols = np.nonzero(s.surface == np.min(s.surface))
    return sorted((float(s.locations[c]), float(s.locations[r])) for r, c in zip(rows, cols))


def _values_tex(values: dict, base: int) -> str:
    return ", ".join(f"${latex(q[base])} = {latex(q[base + 1])} = {latex(v)}$" for q, v in values.items())


def mixture_figure(d: Derivation, out: Path, symbols: tuple[tuple[str, str], ...] = (),
                   class_base: int = 1) -> FigureFiles:
    """Write ``figures/<name>.pdf`` and ``.png``: the sample with the density at a minimum,
    beside the contours of the mean loss over the two locations; or skip with a note.  The
    components (1 and 2 of the derivation) are labelled from ``class_base``."""
    name = d.assumption.name
    try:
        s = mixture_surface(d)
    except Skip as why:
        return FigureFiles(name, None, "", note=str(why))
    found = minima(s)
    first_tex, second_tex = latex(s.first.base[class_base]), latex(s.second.base[class_base + 1])
    (y,) = d.data
    best = found[-1]
    density = _lambdified(sp.exp(-s.nll), [y, s.first, s.second])
    mpl, Figure, Canvas, params = matplotlib_api()
    with mpl.rc_context(params):
        fig = Figure(figsize=(6.4, 2.9))
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.05]})
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.88, wspace=0.28)
        xs = np.linspace(-5.0, 5.0, 401)
        left.hist(s.ys, bins=16, range=(-5.0, 5.0), density=True, color="0.85", edgecolor="0.6", linewidth=0.5)
        left.plot(xs, density(xs, *best), color=COLORS[0])
        left.set_title(f"the sample ($n = {len(s.ys)}$), density at a minimum", fontsize=8.0)
        left.set_xlabel(f"${latex(y)}$")
        low = float(np.min(s.surface))
        levels = low + np.array([0.02, 0.06, 0.12, 0.25, 0.45, 0.7, 1.0, 1.4, 1.9, 2.5, 3.2])
        right.contour(s.locations, s.locations, s.surface, levels=levels, colors="0.35", linewidths=0.7)
        right.contourf(s.locations, s.locations, s.surface, levels=np.concatenate([[low], levels]),
                       cmap="Blues_r", alpha=0.6, extend="max")
        right.plot(s.locations, s.locations, "--", color="0.5", linewidth=0.9)
        right.plot([m[0] for m in found], [m[1] for m in found], "o", color=COLORS[1], markersize=4.5)
        right.set_aspect("equal")
        right.set_xlabel(f"${first_tex}$")
        right.set_ylabel(f"${second_tex}$")
        right.set_title("mean loss at " + _values_tex(s.values, class_base), fontsize=8.0)
        stem = f"{FIGURE_DIR}/{name}"
        save(fig, Canvas, out, stem, symbols)
    centres = ", ".join(f"{c:g}" for c in SAMPLE["centres"])
    caption = (f"Left: {len(s.ys)} points drawn (seed {SAMPLE['seed']}) from two Gaussians of standard deviation "
               f"{SAMPLE['scale']:g} centred at {centres}, each with probability one half, and the mixture's density "
               f"at a minimum of the loss.  Right: the mean loss $\\ell$ over those points as a function of the "
               f"two components' locations ${first_tex}$, ${second_tex}$ ($K = 2$), drawn at "
               f"{_values_tex(s.values, class_base)}: "
               f"its two minima (dots) are mirror images across the diagonal ${first_tex} = {second_tex}$ (dashed), "
               f"since swapping the components' labels leaves the loss unchanged (label switching).")
    return FigureFiles(name, stem, rename_math(caption, dict(symbols)))
