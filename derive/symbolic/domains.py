"""Domain reasoning: what holds at every point of the symbols' domains.

    is_positive_on(e, D)      e > 0 on D: SymPy's assumptions, then the positivity rules
                              (det of a positive-definite matrix, binomial(n, k), I_nu, K_nu, erfc,
                              1 - t for 0 < t < 1), then a
                              reparametrisation x = a + (b - a) u/(1 + u), u > 0, of each bounded
                              interval so that SymPy can decide on the whole domain
    expand_logs(e, D)         log(prod f_j^e_j) -> sum e_j log f_j where every f_j > 0 on D
    factor_out_of_logs(e, D)  log(c a + c b) -> log c + log(a + b) for a common factor c > 0 on D
    split_sums(e)             Sum(a + b) -> Sum(a) + Sum(b), index-free factors moved out
    resolve_piecewise(e, D)   Piecewise branches decided on D (removable singularities taken)

``D`` maps a symbol (or IndexedBase, or name) to its domain: a SymPy set or a constraint of
:mod:`derive.symbolic.constraints`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import sympy as sp

from derive import symbols as dsym
from derive.symbolic.constraints import POSITIVE_DEFINITE


@dataclass(frozen=True)
class PositivityRule:
    """``func(...)`` is positive wherever ``holds(expr, domains)``: facts SymPy's assumption
    system does not know (it cannot see that 0 <= k <= n from a Range)."""

    func: type
    holds: Callable[[sp.Expr, Mapping], bool]
    why: str


def _within_zero_to(k: sp.Expr, n: sp.Expr, domains) -> bool:
    domain = dsym.domain_of(k, domains) if isinstance(k, (sp.Symbol, sp.Indexed)) else None
    return (isinstance(domain, sp.Range) and bool(domain.inf >= 0)
            and bool(sp.simplify(domain.sup - n).is_nonpositive))


def _positive_definite(matrix: sp.Expr, domains) -> bool:
    return (domains or {}).get(matrix) == POSITIVE_DEFINITE


def _complement_of_a_probability(e: sp.Expr, domains) -> bool:
    """c (1 - t) > 0 for a number c > 0 and 0 < t < 1: t = e^(-lambda), (1 + alpha mu)^(-1/alpha)
    (positive with a negative log), or t = +-erf(x) for real x (1 - Phi(x) = (1 - erf(x/sqrt 2))/2)."""
    if not (isinstance(e, sp.Add) and len(e.args) == 2):
        return False
    c, e = e.as_content_primitive()
    if not (c.is_positive and sp.S.One in e.args):
        return False
    t = -(e - 1)
    if isinstance(t, sp.erf) or isinstance(-t, sp.erf):
        return is_real_on(t.atoms(sp.erf).pop().args[0], domains)
    if not isinstance(t, (sp.Pow, sp.exp)) or not t.free_symbols or not is_positive_on(t, domains):
        return False
    return bool(sp.expand_log(sp.log(reparametrise(t, domains))).is_negative)


POSITIVITY_RULES: tuple[PositivityRule, ...] = (
    PositivityRule(sp.Add, _complement_of_a_probability, "c (1 - t) > 0 for c > 0, 0 < t < 1 (t > 0 with log t < 0, or t = +-erf(x))"),
    PositivityRule(sp.erfc, lambda e, d: is_real_on(e.args[0], d), "erfc(x) > 0 for real x"),
    PositivityRule(sp.Determinant, lambda e, d: _positive_definite(e.args[0], d),
                   "det(Sigma) > 0 for a positive-definite Sigma"),
    PositivityRule(sp.binomial, lambda e, d: _within_zero_to(e.args[1], e.args[0], d),
                   "binomial(n, k) > 0 for integers 0 <= k <= n"),
    PositivityRule(sp.besseli, lambda e, d: (e.args[0] == 0 and is_real_on(e.args[1], d))
                   or (bool(e.args[0].is_nonnegative) and is_positive_on(e.args[1], d)),
                   "I_0(x) >= 1 for real x; I_nu(x) > 0 for x > 0, nu >= 0"),
    PositivityRule(sp.besselk, lambda e, d: is_real_on(e.args[0], d) and is_positive_on(e.args[1], d),
                   "K_nu(x) = int_0^oo e^(-x cosh t) cosh(nu t) dt > 0 for x > 0, real nu"),
)


def _apply_positivity_rules(expr: sp.Expr, domains) -> sp.Expr:
    for rule in POSITIVITY_RULES:
        expr = expr.replace(lambda e, r=rule: isinstance(e, r.func) and r.holds(e, domains),
                            lambda e: sp.Dummy(positive=True))
    return expr


def reparametrise(expr: sp.Expr, domains) -> sp.Expr:
    """Replace each symbol by a SymPy expression that ranges exactly over its domain:
    (0, 1) -> u/(1+u) with u > 0; (a, b) -> a + (b-a) u/(1+u); (0, oo) -> u > 0.  SymPy's
    assumption system can then decide positivity on the whole domain."""
    subs = {}
    atoms = expr.atoms(sp.Symbol, sp.Indexed)
    for atom in atoms:
        if isinstance(atom, sp.Symbol) and any(atom in a.indices for a in atoms if isinstance(a, sp.Indexed)):
            continue  # an index, not a variable
        domain = dsym.domain_of(atom, domains)
        u = sp.Dummy(positive=True)
        if isinstance(domain, sp.Interval) and domain.inf.is_finite and domain.sup.is_finite \
                and domain.left_open and domain.right_open:
            subs[atom] = domain.inf + (domain.sup - domain.inf) * u / (1 + u)
        elif isinstance(domain, sp.Interval) and domain.inf.is_finite and domain.sup == sp.oo \
                and domain.left_open:
            subs[atom] = domain.inf + u
        elif isinstance(domain, sp.Interval) and domain.inf.is_finite and domain.sup == sp.oo:
            subs[atom] = domain.inf + sp.Dummy(nonnegative=True)
    return expr.xreplace(subs)


def is_positive_on(expr: sp.Expr, domains) -> bool:
    """True when ``expr`` is provably > 0 for every point of the domains."""
    if expr.is_positive:
        return True
    expr = _apply_positivity_rules(expr, domains)
    if expr.is_positive:
        return True
    candidate = sp.together(reparametrise(expr, domains))
    return bool(candidate.is_positive or sp.factor(candidate).is_positive)


def is_real_on(expr: sp.Expr, domains) -> bool:
    return bool(expr.is_real or reparametrise(expr, domains).is_real)


def _log_splits(arg: sp.Expr, domains) -> bool:
    """log(prod f_j^e_j) = sum e_j log f_j holds when every f_j > 0 and e_j is real."""
    for factor in sp.Mul.make_args(arg):
        base, exponent = factor.as_base_exp()
        if isinstance(factor, sp.exp):
            if not is_real_on(factor.args[0], domains):
                return False
            continue
        if not (is_positive_on(base, domains) and is_real_on(exponent, domains)):
            return False
    return True


def _expand_one_log(e: sp.Expr, domains, positive_atoms) -> sp.Expr:
    """log(prod f_j^e_j) -> sum e_j log f_j, with rule-positive atoms (binomial, I_0)
    protected from SymPy's own expansion of them."""
    arg = e.args[0]
    protect = {}
    for atom in positive_atoms:
        if arg.has(atom):
            protect[atom] = sp.Dummy(positive=True)
    expanded = sp.expand_log(sp.log(arg.xreplace(protect)), force=True)
    return expanded.xreplace({v: k for k, v in protect.items()})


def expand_logs(expr: sp.Expr, domains, together: bool = False) -> sp.Expr:
    """Expand every log whose argument's factors are positive on the domain; the log of a
    Product of positive factors becomes the Sum of their logs.  Powers are left alone, so
    ``(y - yhat)**2`` keeps its textbook form.  With ``together``, a log of a sum is first
    brought to one fraction (log(1 - e^z/(1 + e^z)) = -log(1 + e^z)); the link stage uses it."""
    rule_atoms = set()
    for rule in POSITIVITY_RULES:
        rule_atoms |= {a for a in expr.atoms(rule.func) if rule.holds(a, domains)}

    def rewrite(e: sp.Expr) -> sp.Expr:
        arg = e.args[0]
        if isinstance(arg, sp.Product) and is_positive_on(arg.function, domains):
            return sp.Sum(sp.log(arg.function), *arg.limits)
        if together and isinstance(arg, sp.Add):
            combined = sp.together(arg)
            if combined != arg and isinstance(combined, (sp.Mul, sp.Pow)) and _log_splits(combined, domains):
                return _expand_one_log(sp.log(combined), domains, rule_atoms)
        if _log_splits(arg, domains):
            return _expand_one_log(e, domains, rule_atoms)
        return e

    for _ in range(8):  # each pass removes one level of nesting; 8 is far beyond our densities
        new = expr.replace(lambda e: isinstance(e, sp.log), rewrite)
        if new == expr:
            break
        expr = new
    return split_sums(expr)


def _common_positive_factor(terms, indices, domains) -> sp.Expr:
    """The product of the factors every term shares (free of the sum's ``indices``) that are
    positive on the domain; 1 when there is none.  Only the factors: each term keeps its form."""
    terms = list(terms)
    common = sp.factor_terms(sp.Add(*terms)) if len(terms) > 1 else terms[0]
    if len(terms) > 1 and isinstance(common, sp.Add):
        return sp.S.One
    return sp.Mul(*[f for f in sp.Mul.make_args(common)
                    if not isinstance(f, sp.Add) and not f.has(*indices) and is_positive_on(f, domains)])


def factor_out_of_logs(expr: sp.Expr, domains) -> sp.Expr:
    """log(c a_1 + ... + c a_m) = log c + log(a_1 + ... + a_m), log(sum_k c a_k) =
    log c + log(sum_k a_k) and log(c s) = log c + log s, for a factor c > 0 on the domain
    shared by every term (free of the index k): the log of a product is the sum of the logs
    whatever the sign of the rest, as c > 0.  A mixture's 1/sqrt(2 pi) (or a shared 1/sigma,
    1/y!) leaves the log of the mixture this way; log c is then expanded (:func:`expand_logs`)
    and split off as a constant."""

    def rewrite(e: sp.Expr) -> sp.Expr:
        arg = e.args[0]
        if arg.has(sp.erf, sp.erfc):  # Phi(x) = (1 + erf(x/sqrt 2))/2: its 1/2 stays, log Phi is read whole
            return e
        if isinstance(arg, sp.Mul):  # c * (a + b): a factor that left its Sum (split_sums) or not
            c = sp.Mul(*[f for f in arg.args if is_positive_on(f, domains)])
            if c != 1 and c != arg:  # all positive: expand_logs splits the whole product
                return sp.log(c) + sp.log(arg / c)
        elif isinstance(arg, sp.Add):
            c = _common_positive_factor(arg.args, (), domains)
            if c != 1:
                return sp.log(c) + sp.log(sp.Add(*[t / c for t in arg.args]))
        elif isinstance(arg, sp.Sum):
            indices = [limit[0] for limit in arg.limits]
            c = _common_positive_factor(sp.Add.make_args(arg.function), indices, domains)
            if c != 1:
                body = sp.Add(*[t / c for t in sp.Add.make_args(arg.function)])
                return sp.log(c) + sp.log(sp.Sum(body, *arg.limits))
        return e

    return expand_logs(expr.replace(lambda e: isinstance(e, sp.log), rewrite), domains)


def split_sums(expr: sp.Expr) -> sp.Expr:
    """Sum(a + b) -> Sum(a) + Sum(b); factors free of the index move out of the Sum;
    a summand free of the index becomes a multiple of the range's length."""

    def rewrite(s: sp.Sum) -> sp.Expr:
        indices = [limit[0] for limit in s.limits]
        total = sp.S.Zero
        for term in sp.Add.make_args(s.function):
            outside, inside = term.as_independent(*indices, as_Add=False)
            if inside == 1:
                count = sp.Mul(*[(hi - lo + 1) for _, lo, hi in s.limits])
                total += outside * count
            else:
                total += outside * sp.Sum(inside, *s.limits)
        return total

    return expr.replace(lambda e: isinstance(e, sp.Sum), rewrite)


def holds_on(cond: sp.Basic, domains) -> bool | None:
    """Whether a condition holds at every point of the domains (None: undecided)."""
    if cond in (sp.true, sp.false):
        return bool(cond)
    symbols = [s for s in cond.free_symbols if isinstance(s, sp.Symbol)]
    if len(symbols) == 1:
        (s,) = symbols
        domain = dsym.domain_of(s, domains)
        try:
            solution = cond.as_set()
        except (NotImplementedError, TypeError, ValueError):
            solution = None
        if solution is not None:
            if domain.is_subset(solution):
                return True
            if domain.intersect(solution) == sp.S.EmptySet:
                return False
    reparam = reparametrise(cond, domains)
    if reparam in (sp.true, sp.false):
        return bool(reparam)
    if isinstance(cond, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)):
        gap = cond.gts - cond.lts  # >= 0 is what the relation claims
        if is_positive_on(gap, domains):
            return True
        if is_positive_on(-gap, domains):
            return False
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        decided = {}
        for atom in cond.atoms(sp.core.relational.Relational):
            verdict = holds_on(atom, domains)
            if verdict is not None:
                decided[atom] = sp.true if verdict else sp.false
        reduced = cond.xreplace(decided)
        if reduced != cond:
            return holds_on(reduced, domains)
    return None


def almost_everywhere(cond: sp.Basic, domains) -> tuple[sp.Symbol, tuple] | None:
    """(x, points) when ``cond`` fails only at finitely many points of x's interval domain
    (x != c; x < c or x > c): a null set."""
    symbols = [s for s in cond.free_symbols if isinstance(s, sp.Symbol)]
    if len(symbols) != 1:
        return None
    (x,) = symbols
    domain = dsym.domain_of(x, domains)
    if not isinstance(domain, sp.Interval):
        return None
    try:
        failing = domain - cond.as_set()
    except (NotImplementedError, TypeError, ValueError):
        return None
    if isinstance(failing, sp.FiniteSet) and len(failing) > 0:
        return x, tuple(failing)
    return None


def resolve_piecewise(expr: sp.Expr, domains) -> sp.Expr:
    """Piecewise branches decided on the domain: p != 1 is true for p in (1, 2).  A branch
    whose condition fails only at a point x = c is taken when the other branch is its
    limit there (the removable singularity of the continuous Bernoulli at 1/2)."""

    def rewrite(pw: sp.Piecewise) -> sp.Expr:
        remaining = []
        for value, cond in pw.args:
            verdict = holds_on(cond, domains)
            if verdict is False:
                continue
            if verdict is True and not remaining:
                return value
            null = almost_everywhere(cond, domains) if not remaining else None
            if null is not None:
                x, points = null
                rest = sp.Piecewise(*[a for a in pw.args if a[0] is not value or a[1] is not cond])
                if all(sp.simplify(sp.limit(value, x, c) - sp.limit(rest.subs(x, c) if not rest.subs(x, c).has(sp.nan) else rest, x, c)) == 0
                       for c in points):
                    return value
            remaining.append((value, cond))
            if verdict is True:
                break
        if len(remaining) == len(pw.args):
            return pw
        return sp.Piecewise(*remaining) if remaining else pw

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), rewrite)



def interior_point(domain) -> sp.Expr:
    """A point inside an interval domain: 0 on the reals, the midpoint of a bounded interval,
    one step inside a half-line."""
    lo, hi = domain.inf, domain.sup
    if lo.is_finite and hi.is_finite:
        return (lo + hi) / 2
    if lo.is_finite:
        return lo + 1
    if hi.is_finite:
        return hi - 1
    return sp.S.Zero


def free_of(expr: sp.Expr, symbols, domains) -> sp.Expr | None:
    """``expr`` written without ``symbols`` when it does not depend on them: each derivative
    simplifies to 0 and each symbol ranges over an interval (connected), so ``expr`` equals
    its value at an interior point.  None when that is not proved."""
    points = {}
    for s in symbols:
        domain = dsym.domain_of(s, domains)
        if not isinstance(s, sp.Symbol) or not isinstance(domain, sp.Interval) \
                or sp.simplify(sp.diff(expr, s)) != 0:
            return None
        points[s] = interior_point(domain)
    return sp.simplify(expr.xreplace(points))
