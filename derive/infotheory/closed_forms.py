"""Closed forms of entropy, cross-entropy and KL for the families of :mod:`.families`,
derived (never looked up) and recorded as textbook steps.

    H(P)        = E_P[-log p(x)]
    H(P, Q)     = E_P[-log q(x)]
    D_KL(P||Q)  = E_P[log p(x) - log q(x)]       (oo unless supp P is inside supp Q)

Each is computed the same way: expand the logs into sum_f c_f f(x), use linearity, find
each E_P[f] (:func:`derive.symbolic.expectation.expect`), simplify.  A family of independent coordinates
(``mvn_diag``) sums the closed form of its coordinate family over j = 1..d.

KL pairs live in a registry (:func:`register_kl`), filled from each family's ``kl`` (declared
in its module of :mod:`derive.distributions`): a pair must be registered to be served, a pair
is registered once, and a miss names both families.  Results are cached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import sympy as sp

from derive.errors import Unsupported
from derive.memo import memo
from derive.symbols import srepr
from derive.symbolic.rules import substitute_mean
from derive.infotheory.algebra import textbook, tidy, vanishes
from derive.symbolic.expectation import (INTEGRATION, SCORE, SERIES, SUMMATION, Expectation, expect, log_terms,
                                         score_moments)
from derive.infotheory.families import FAMILIES, Bound, attr, bind, family, outcome, parameters
from derive.steps import Step, render, tex


@dataclass(frozen=True)
class ClosedForm:
    """A derived closed form: ``lhs = expr`` (``lhs`` in LaTeX), the steps that derive it,
    and ``methods``: for each expectation used, how it was found (``integration``,
    ``summation``, ``score identity``, or ``per coordinate``)."""

    title: str
    lhs: str
    expr: sp.Expr
    steps: tuple[Step, ...]
    methods: tuple[tuple[str, str], ...] = ()

    @property
    def statement(self) -> str:
        return f"{self.lhs} = {tex(self.expr)}"

    def to_latex(self) -> str:
        return render(self.steps)

    def _repr_latex_(self) -> str:
        return self.to_latex()


#: How each method of finding an expectation reads in a step note.
HOW_TEX = {INTEGRATION: "integration over the support", SUMMATION: "summation over the support",
           SERIES: "summation (a series with no closed form, left as it is)",
           SCORE: r"the score identity $\mathbb{E}_P[\nabla_\theta \log p] = 0$"}


# --------------------------------------------------------------------------- registry

_KL_PAIRS: list[tuple[str, str]] = []


def register_kl(p: str, q: str) -> None:
    """Serve D_KL(p || q).  Both families must exist; registering a pair twice is an error.
    Every family's own pair and the pairs its ``kl`` declares are registered on import."""
    fp, fq = family(p), family(q)
    if (p, q) in _KL_PAIRS:
        raise ValueError(f"KL({p} || {q}) is already registered")
    if (fp.coordinates or fq.coordinates) and p != q:
        raise ValueError(f"KL({p} || {q}): a family of coordinates pairs only with itself")
    _KL_PAIRS.append((p, q))


@cache
def _pair_order(pair: tuple[str, str]) -> tuple:
    """Each family with itself first (in the families' order); then the pairs across
    families with a finite (or support-guarded) KL, then those whose KL is infinite (supp P
    not within supp Q), each alphabetically."""
    p, q = pair
    if p == q:
        return (0, list(FAMILIES).index(p))
    infinite = _support_condition(bind(p, "_p", "P"), bind(q, "_q", "Q")) == sp.false
    return (1, infinite, p, q)


def kl_pairs() -> list[tuple[str, str]]:
    """The registered (P family, Q family) pairs, in the order of :func:`_pair_order` (sorted
    when asked, not at each registration: importing the module binds no family)."""
    return sorted(_KL_PAIRS, key=_pair_order)


def _require_pair(p: str, q: str) -> None:
    family(p), family(q)
    if (p, q) not in _KL_PAIRS:
        with_p = [b for a, b in _KL_PAIRS if a == p]
        raise Unsupported(f"no KL rule for P = {p}, Q = {q}; registered with P = {p}: "
                          f"{', '.join(with_p) or 'none'}")


# --------------------------------------------------------------------------- derivation


def _expect(P: Bound, f: sp.Expr) -> tuple[sp.Expr, str | None]:
    """(E_P[f], how it was found); cached by family, symbols and f."""
    if f == 1:
        return sp.S.One, None
    return _expect_cached(P.family.name, P.suffix, P.label, P.x, f)


@cache
def _expect_cached(name: str, suffix: str, label: str, x: sp.Symbol, f: sp.Expr) -> tuple[sp.Expr, str | None]:
    P = bind(name, suffix, label, x)
    fam = P.family
    moments = score_moments(P.density, P.x, P.params, fam.name) if fam.moments == "score" else None
    return expect(f, P.density, P.x, P.support, discrete=fam.discrete, vector=fam.index is not None,
                  moments=moments, how=fam.integrator)


def _expected_logs(P: Bound, weighted: list[tuple[int, Bound]], title: str, lhs: str,
                   definition: str) -> ClosedForm:
    """E_P[sum_w w log d(x)] for (w, d) in ``weighted``, derived step by step."""
    integrand = sp.Add(*(w * sp.log(d.density, evaluate=False) for w, d in weighted))
    terms: dict[sp.Expr, sp.Expr] = {}
    for w, d in weighted:
        for f, c in log_terms(d.density, P.x).items():
            terms[f] = terms.get(f, sp.S.Zero) + w * c
    terms = {f: c for f, c in terms.items() if sp.simplify(c) != 0}
    label = sp.Symbol(P.label)
    values, methods = {}, []
    for f in terms:
        values[f], how = _expect(P, f)
        if how:
            methods.append((tex(Expectation(f, label)), how))
    by_method: dict[str, list[str]] = {}
    for text, how in methods:
        by_method.setdefault(how, []).append(f"${text}$")
    moments_note = "; ".join(f"{', '.join(texs)} by {HOW_TEX[how]}" for how, texs in by_method.items())
    result = tidy(sp.Add(*(c * values[f] for f, c in terms.items())))
    steps = [
        Step("definition", Expectation(integrand, label), definition, lhs=lhs),
        Step("expand_logs", Expectation(sp.Add(*(c * f for f, c in terms.items())), label),
             "expand the logs (each factor of a density is positive on its support)"),
        Step("linearity", sp.Add(*(c * (Expectation(f, label) if f != 1 else 1) for f, c in terms.items())),
             "linearity of expectation"),
        Step("moments", sp.Add(*(c * values[f] for f, c in terms.items())), moments_note or "constants"),
        Step("simplify", result, "simplify"),
    ]
    result, rearranged = _rearranged(result)
    return ClosedForm(title, lhs, result, tuple(steps + rearranged), tuple(methods))


def _rearranged(result: sp.Expr) -> tuple[sp.Expr, list[Step]]:
    """``result`` in the form textbooks print (:func:`textbook`), with the step that
    rearranges it, when SymPy proves the two equal; else ``result`` as it is."""
    shown = textbook(result)
    if shown == result or not vanishes(shown - result):
        return result, []
    return shown, [Step("rearrange", shown, "rearranged")]


def _kl_lhs(P: Bound, Q: Bound) -> str:
    return r"D_{\mathrm{KL}}\left(%s \,\middle\|\, %s\right)" % (P.notation, Q.notation)


def _support_condition(P: Bound, Q: Bound) -> sp.Boolean:
    """supp P inside supp Q (as intervals of reals or of integers)."""
    (lo_p, hi_p), (lo_q, hi_q) = P.support, Q.support
    return sp.And(sp.Le(lo_q, lo_p), sp.Le(hi_p, hi_q))


def _coordinatewise(name: str, quantity: str) -> ClosedForm:
    """A family of independent coordinates: the coordinate family's closed form, summed."""
    fam = family(name)
    j, d = (sp.Symbol(n, integer=True, positive=True) for n in fam.index)
    suffixes = ("",) if quantity == "entropy" else ("_p", "_q")
    base = entropy_derivation(fam.coordinates) if quantity == "entropy" else kl_derivation(fam.coordinates)
    subs = {}
    for suffix in suffixes:
        scalar, vector = parameters(family(fam.coordinates), suffix), parameters(fam, suffix)
        for p in fam.params:
            subs[getattr(scalar, attr(p.name))] = getattr(vector, attr(p.name))[j]
    per = base.expr.xreplace(subs)
    const, varying = sp.expand(per).as_independent(j, as_Add=True)
    result, _ = _rearranged(tidy(d * const) + sp.Sum(tidy(varying), (j, 1, d)))  # proved there
    bound = [bind(name, s, lab) for s, lab in zip(suffixes, "PQ")]
    lhs = ("H(%s)" % bound[0].notation if quantity == "entropy"
           else _kl_lhs(*bound))
    steps = (
        Step("coordinates", sp.Sum(per, (j, 1, d)), "independent coordinates: the log-density is a sum "
             f"over $j$, so the {quantity} is a sum of one {family(fam.coordinates).title} {quantity} per "
             "coordinate", lhs=lhs),
        Step("simplify", result, "sum the terms free of j"),
    )
    return ClosedForm(f"{quantity} of the {fam.title}", lhs, result, steps, base.methods)


@memo("entropy")
def entropy_derivation(name: str) -> ClosedForm:
    """H(P) = E_P[-log p(x)] for the family ``name``, derived."""
    fam = family(name)
    if fam.coordinates:
        return _coordinatewise(name, "entropy")
    P = bind(name)
    return _expected_logs(P, [(-1, P)], f"Entropy of the {fam.title}", f"H({P.notation})",
                          "definition: $H(P) = \\mathbb{E}_P[-\\log p(x)]$")


def _pair(p: str, q: str) -> tuple[Bound, Bound, sp.Boolean]:
    """P and Q bound to ``_p``/``_q`` symbols, one outcome symbol, and supp P within supp Q."""
    _require_pair(p, q)
    P, Q = bind(p, "_p", "P"), bind(q, "_q", "Q")
    condition = _support_condition(P, Q)
    nonnegative = any(b.support[0].is_nonnegative for b in (P, Q))
    x = outcome(P.family, nonnegative)
    return replace(P, x=x), replace(Q, x=x), condition


def _guarded(cf: ClosedForm, condition: sp.Boolean) -> ClosedForm:
    """``cf`` valid where supp P lies within supp Q, infinite elsewhere."""
    if condition == sp.true:
        return cf
    guarded = sp.Piecewise((cf.expr, condition), (sp.oo, True))
    step = Step("support", guarded, "finite only if supp $P$ lies within supp $Q$: "
                "elsewhere $P$ puts mass where $q = 0$")
    return replace(cf, expr=guarded, steps=cf.steps + (step,))


def _infinite(title: str, lhs: str) -> ClosedForm:
    step = Step("support", sp.oo, "supp $P$ is not within supp $Q$: $P$ puts mass where $q = 0$", lhs=lhs)
    return ClosedForm(title, lhs, sp.oo, (step,))


def kl_derivation(p: str, q: str | None = None) -> ClosedForm:
    """D_KL(P || Q) = E_P[log p(x) - log q(x)] for a registered pair (Q defaults to P's
    family), derived; cached."""
    return _kl_derivation(p, q or p)


@memo("kl")
def _kl_derivation(p: str, q: str) -> ClosedForm:
    if family(p).coordinates:
        _require_pair(p, q)
        return _coordinatewise(p, "KL divergence")
    P, Q, condition = _pair(p, q)
    title = f"KL divergence from {Q.family.title} to {P.family.title}"
    lhs = _kl_lhs(P, Q)
    if condition == sp.false:
        return _infinite(title, lhs)
    cf = _expected_logs(P, [(1, P), (-1, Q)], title, lhs,
                        "definition: $D_{\\mathrm{KL}}(P \\| Q) = \\mathbb{E}_P[\\log p(x) - \\log q(x)]$")
    return _guarded(cf, condition)


def cross_entropy_derivation(p: str, q: str | None = None) -> ClosedForm:
    """H(P, Q) = E_P[-log q(x)] for a registered pair (Q defaults to P's family), derived;
    cached."""
    return _cross_entropy_derivation(p, q or p)


@memo("cross-entropy")
def _cross_entropy_derivation(p: str, q: str) -> ClosedForm:
    if family(p).coordinates:
        raise Unsupported(f"cross-entropy of {p}: use entropy + KL")
    P, Q, condition = _pair(p, q)
    title = f"Cross-entropy of {Q.family.title} relative to {P.family.title}"
    lhs = r"H\left(%s, %s\right)" % (P.notation, Q.notation)
    if condition == sp.false:
        return _infinite(title, lhs)
    cf = _expected_logs(P, [(-1, Q)], title, lhs, "definition: $H(P, Q) = \\mathbb{E}_P[-\\log q(x)]$")
    return _guarded(cf, condition)


def entropy_closed_form(name: str) -> sp.Expr:
    """H of the family ``name`` in its parameter symbols (``mu``, ``sigma``, ...)."""
    return entropy_derivation(name).expr


def kl_closed_form(p: str, q: str | None = None) -> sp.Expr:
    """D_KL(P || Q) in the symbols of P (suffix ``_p``) and Q (suffix ``_q``); Q defaults to
    P's family.  Shared parameters (binomial ``N``, sizes ``K``, ``d``) carry no suffix."""
    return kl_derivation(p, q).expr


def cross_entropy_closed_form(p: str, q: str | None = None) -> sp.Expr:
    """H(P, Q) in the symbols of P (``_p``) and Q (``_q``), for a registered pair."""
    return cross_entropy_derivation(p, q).expr


# --------------------------------------------------------------------------- catalog


def _entry(cf: ClosedForm) -> dict:
    return {"srepr": srepr(cf.expr), "latex": tex(cf.expr), "lhs": cf.lhs,
            "methods": [{"expectation": text, "how": how} for text, how in cf.methods]}


def family_catalog() -> list[dict]:
    """Per family, JSON-ready: name, parameters, support, entropy and KL closed forms
    (``sp.srepr`` and LaTeX; the KL within the family is None where it is not registered),
    and the registered KL pairs with this family as P."""
    catalog = []
    for name, fam in FAMILIES.items():
        s = parameters(fam)
        catalog.append({
            "name": name,
            "title": fam.title,
            "discrete": fam.discrete,
            "parameters": [{"name": p.name, "latex": tex(getattr(s, attr(p.name))),
                            "domain": sp.sstr(p.domain), "vector": p.vector, "shared": p.shared}
                           for p in fam.params],
            "entropy": _entry(entropy_derivation(name)),
            "kl": _entry(kl_derivation(name, name)) if (name, name) in _KL_PAIRS else None,
            "kl_pairs": [{"q": b, **_entry(kl_derivation(name, b))}
                         for a, b in _KL_PAIRS if a == name and b != name],
        })
    return catalog


for _family in FAMILIES.values():
    if _family.kl_self:
        register_kl(_family.name, _family.name)
    for _q in _family.kl:
        register_kl(_family.name, _q)


# --------------------------------------------------------------------------- catalogue entries


def _entry_values(d, suffix: str) -> tuple[dict, tuple | None]:
    """The family's parameter symbols (named with ``suffix``) -> the entry's values, and the
    entry's link (mean, value) with the mean renamed apart: two entries may share the
    symbol of their mean (bernoulli's yhat is bernoulli_logits' sigmoid(z))."""
    a = d.assumption
    if not a.family:
        raise Unsupported(f"{a.name}: the entry parametrises no family of derive.distributions, "
                          "so its entropy and KL are not derived")
    s = parameters(family(a.family), suffix)
    values = {getattr(s, attr(name)): value for name, value in a.family_params}
    if d.link is None:
        return values, None
    mean, value = d.link
    base = mean.base if isinstance(mean, sp.Indexed) else mean
    label = sp.Dummy(str(base.label if isinstance(base, sp.IndexedBase) else base) + suffix,
                     **(base.label if isinstance(base, sp.IndexedBase) else base).assumptions0)
    apart = sp.IndexedBase(label) if isinstance(base, sp.IndexedBase) else label
    values = {k: v.xreplace({base: apart}) for k, v in values.items()}
    return values, (mean.xreplace({base: apart}), value)


def _in_entries(expr: sp.Expr, *sides: tuple[dict, tuple | None]) -> sp.Expr:
    """``expr`` in the entries' symbols: the family parameters replaced by each entry's
    values, then each entry's mean by its link (bernoulli_logits: p = sigmoid(z))."""
    expr = expr.xreplace({k: v for values, _ in sides for k, v in values.items()})
    for _, link in sides:
        if link is not None:
            expr = substitute_mean(expr, *link)
    return expr


def entry_entropy(d) -> sp.Expr:
    """H of the distribution a derivation ``d`` assumes, in the entry's symbols: the entropy of
    its family (derived from the family's density) at the entry's parameters."""
    side = _entry_values(d, "")
    return _in_entries(entropy_closed_form(d.assumption.family), side)


def entry_kl(d, other) -> sp.Expr:
    """D_KL(P || Q) for P the distribution of ``d`` and Q that of ``other`` (a registered
    pair of their families), in the entries' symbols."""
    p, q = _entry_values(d, "_p"), _entry_values(other, "_q")
    return _in_entries(kl_closed_form(d.assumption.family, other.assumption.family), p, q)


def entry_cross_entropy(d, other) -> sp.Expr:
    """H(P, Q) = E_P[-log q] for P the distribution of ``d`` and Q that of ``other``."""
    p, q = _entry_values(d, "_p"), _entry_values(other, "_q")
    return _in_entries(cross_entropy_closed_form(d.assumption.family, other.assumption.family), p, q)
