"""derive(): assumption -> likelihood -> -log -> expand -> drop constants -> loss.

Every stage is a pure function of SymPy expressions, recorded as a :class:`Step`:

    nll  = -log p(data | params, fixed)                        (expanded, nothing dropped)
    nll  = dep + const,  const = sum(dropped) free of params   (``as_independent``)
    dep  = scale * loss,  scale > 0 free of params and data
    H(P_hat, Q) = (1/n) sum_i nll_i                            (cross-entropy = mean NLL)
    dataset_loss = (1/n) sum_i loss_i                          (what the frameworks average)

so that ``nll == scale*loss + sum(dropped)`` holds exactly.

Optional stages, each driven by a field of the :class:`Assumption` (never by its name):
a normaliser derived for a density known up to a constant (``kernel``), a quasi-likelihood
integrated from a variance function (``quasi``), an expected NLL under soft targets
(``expected_data``), a link from the model's output to the distribution's parameter,
explicit or the canonical one derived from the density (``link``), and products kept
whole under the log (``groups``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable, Mapping

import sympy as sp

from derive import symbols as S
from derive.assumptions import Assumption, get
from derive.assumptions.base import Link
from derive.errors import DeriveError, DomainError, Unsupported
from derive.latex.render import latex, render_steps
from derive.steps import Step


@dataclass(frozen=True)
class Derivation:
    """The result of :func:`derive`: every intermediate quantity and the recorded steps.

    ``density`` is the normalised density the NLL comes from (the kernel divided by the
    derived ``normaliser`` when the assumption gives only a kernel; ``None`` for a
    quasi-likelihood).  ``link`` is the inverse link used, as (mean, expression of the
    output), derived or given.  ``deviance`` is 2*(log-likelihood of the saturated model -
    log-likelihood), or ``None`` when the assumption names no saturated model.
    """

    assumption: Assumption
    nll: sp.Expr
    loss: sp.Expr
    scale: sp.Expr
    dropped: tuple[sp.Expr, ...]
    dataset_nll: sp.Expr
    dataset_loss: sp.Expr
    steps: tuple[Step, ...]
    hard_label: sp.Expr | None = None
    density: sp.Expr | None = None
    normaliser: sp.Expr | None = None
    link: tuple[sp.Basic, sp.Expr] | None = None
    deviance: sp.Expr | None = None

    @property
    def data(self) -> tuple[sp.Basic, ...]:
        return self.assumption.data

    @property
    def params(self) -> tuple[sp.Basic, ...]:
        return self.assumption.params

    @property
    def fixed(self) -> tuple[sp.Basic, ...]:
        return self.assumption.fixed

    @property
    def name(self) -> str:
        return self.assumption.name

    @cached_property
    def peers(self):
        """The framework functions that compute this loss, each with its derived relation
        ``nll == scale*value + offset`` (see :mod:`derive.peers`)."""
        from derive.peers import peers_of

        return peers_of(self)

    def to_latex(self) -> str:
        """The derivation as an ``align*`` block, one row per step (as in ``derive build``:
        the params lead, constants braced as "const. in" the params)."""
        return render_steps(self.steps, params=self.params)

    def _repr_latex_(self) -> str:
        return self.to_latex()

    # Derivatives and generated code: thin delegations (derive.gradients, derive.codegen).
    def gradient(self, wrt=None, of: str = "loss"):
        from derive.gradients import gradient
        return gradient(self, wrt, of)

    def hessian(self, wrt=None, of: str = "loss"):
        from derive.gradients import hessian
        return hessian(self, wrt, of)

    def gradient_derivation(self, wrt=None, of: str = "loss"):
        from derive.gradients import gradient_derivation
        return gradient_derivation(self, wrt, of)

    def to_code(self, target: str = "torch") -> str:
        from derive.codegen import to_code
        return to_code(self, target)


# --------------------------------------------------------------------------- domains


@dataclass(frozen=True)
class PositivityRule:
    """``func(...)`` is positive wherever ``holds(expr, domains)``: facts SymPy's assumption
    system does not know (it cannot see that 0 <= k <= n from a Range)."""

    func: type
    holds: Callable[[sp.Expr, Mapping], bool]
    why: str


def _within_zero_to(k: sp.Expr, n: sp.Expr, domains) -> bool:
    domain = S.domain_of(k, domains) if isinstance(k, (sp.Symbol, sp.Indexed)) else None
    return (isinstance(domain, sp.Range) and bool(domain.inf >= 0)
            and bool(sp.simplify(domain.sup - n).is_nonpositive))


def _positive_definite(matrix: sp.Expr, domains) -> bool:
    return (domains or {}).get(matrix) == "positive_definite"


POSITIVITY_RULES: tuple[PositivityRule, ...] = (
    PositivityRule(sp.Determinant, lambda e, d: _positive_definite(e.args[0], d),
                   "det(Sigma) > 0 for a positive-definite Sigma"),
    PositivityRule(sp.binomial, lambda e, d: _within_zero_to(e.args[1], e.args[0], d),
                   "binomial(n, k) > 0 for integers 0 <= k <= n"),
    PositivityRule(sp.besseli, lambda e, d: (e.args[0] == 0 and _is_real_on(e.args[1], d))
                   or (bool(e.args[0].is_nonnegative) and is_positive_on(e.args[1], d)),
                   "I_0(x) >= 1 for real x; I_nu(x) > 0 for x > 0, nu >= 0"),
)


def _apply_positivity_rules(expr: sp.Expr, domains) -> sp.Expr:
    for rule in POSITIVITY_RULES:
        expr = expr.replace(lambda e, r=rule: isinstance(e, r.func) and r.holds(e, domains),
                            lambda e: sp.Dummy(positive=True))
    return expr


def _reparametrise(expr: sp.Expr, domains) -> sp.Expr:
    """Replace each symbol by a SymPy expression that ranges exactly over its domain:
    (0, 1) -> u/(1+u) with u > 0; (a, b) -> a + (b-a) u/(1+u); (0, oo) -> u > 0.  SymPy's
    assumption system can then decide positivity on the whole domain."""
    subs = {}
    atoms = expr.atoms(sp.Symbol, sp.Indexed)
    for atom in atoms:
        if isinstance(atom, sp.Symbol) and any(atom in a.indices for a in atoms if isinstance(a, sp.Indexed)):
            continue  # an index, not a variable
        domain = S.domain_of(atom, domains)
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
    candidate = sp.together(_reparametrise(expr, domains))
    return bool(candidate.is_positive or sp.factor(candidate).is_positive)


def _is_real_on(expr: sp.Expr, domains) -> bool:
    return bool(expr.is_real or _reparametrise(expr, domains).is_real)


def _log_splits(arg: sp.Expr, domains) -> bool:
    """log(prod f_j^e_j) = sum e_j log f_j holds when every f_j > 0 and e_j is real."""
    for factor in sp.Mul.make_args(arg):
        base, exponent = factor.as_base_exp()
        if isinstance(factor, sp.exp):
            if not _is_real_on(factor.args[0], domains):
                return False
            continue
        if not (is_positive_on(base, domains) and _is_real_on(exponent, domains)):
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


def _holds_on(cond: sp.Basic, domains) -> bool | None:
    """Whether a condition holds at every point of the domains (None: undecided)."""
    if cond in (sp.true, sp.false):
        return bool(cond)
    symbols = [s for s in cond.free_symbols if isinstance(s, sp.Symbol)]
    if len(symbols) == 1:
        (s,) = symbols
        domain = S.domain_of(s, domains)
        try:
            solution = cond.as_set()
        except (NotImplementedError, TypeError, ValueError):
            solution = None
        if solution is not None:
            if domain.is_subset(solution):
                return True
            if domain.intersect(solution) == sp.S.EmptySet:
                return False
    reparam = _reparametrise(cond, domains)
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
            verdict = _holds_on(atom, domains)
            if verdict is not None:
                decided[atom] = sp.true if verdict else sp.false
        reduced = cond.xreplace(decided)
        if reduced != cond:
            return _holds_on(reduced, domains)
    return None


def _almost_everywhere(cond: sp.Basic, domains) -> tuple[sp.Symbol, tuple] | None:
    """(x, points) when ``cond`` fails only at finitely many points of x's interval domain
    (x != c; x < c or x > c): a null set."""
    symbols = [s for s in cond.free_symbols if isinstance(s, sp.Symbol)]
    if len(symbols) != 1:
        return None
    (x,) = symbols
    domain = S.domain_of(x, domains)
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
            verdict = _holds_on(cond, domains)
            if verdict is False:
                continue
            if verdict is True and not remaining:
                return value
            null = _almost_everywhere(cond, domains) if not remaining else None
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


# --------------------------------------------------------------------------- integrals


def integrate_over(f: sp.Expr, y: sp.Symbol, lo, hi, domains, movers=()) -> sp.Expr:
    """The integral of f over (lo, hi), done the way a textbook does it when SymPy cannot
    do it directly: on the real line, shift y = t + c by a location symbol c the integrand
    depends on only through y - c (the result cannot depend on c), then fold the line onto
    (0, oo) as f(t) + f(-t) (exactly 2 f(t) for a symmetric integrand); on (0, oo) with
    log(y) in the integrand, substitute y = exp(u)."""
    if lo == -sp.oo and hi == sp.oo:
        t = sp.Dummy("t", real=True)
        g = f.xreplace({y: t})
        for c in movers:
            shifted = f.xreplace({y: t + c})
            if not shifted.has(c):
                g = shifted
                break
        u = sp.Dummy("u", positive=True)
        right, left = g.xreplace({t: u}), g.xreplace({t: -u})
        folded = 2 * right if (right == left or sp.simplify(right - left) == 0) else right + left
        folded = resolve_piecewise(folded, domains)
        result = sp.integrate(folded, (u, 0, sp.oo))
        if result.has(sp.Integral) and isinstance(sp.expand(folded), sp.Add):
            result = sp.Add(*[resolve_piecewise(sp.integrate(term, (u, 0, sp.oo)), domains)
                              for term in sp.Add.make_args(sp.expand(folded))])
    elif lo == 0 and hi == sp.oo and f.has(sp.log(y)):
        u = sp.Dummy("u", real=True)
        return integrate_over(f.xreplace({y: sp.exp(u)}) * sp.exp(u), u, -sp.oo, sp.oo, domains, movers)
    else:
        result = sp.integrate(f, (y, lo, hi))
    result = resolve_piecewise(result, domains)
    if result.has(sp.Integral):
        return result
    return sp.simplify(sp.powsimp(result, force=False))


def _movers(assumption: Assumption) -> tuple[sp.Symbol, ...]:
    symbols = assumption.params + assumption.fixed
    if assumption.link is not None:
        symbols = (assumption.link.mean,) + symbols
    return tuple(s for s in symbols if isinstance(s, sp.Symbol) and s.is_real)


def mass(density: sp.Expr, assumption: Assumption, sizes: Mapping[str, int] | None = None) -> sp.Expr:
    """``density`` summed or integrated over the data's support (1 when normalised)."""
    a = assumption
    support = a.support
    domains = a.domains
    if sizes:
        size_subs = {s: sizes[s.name] for s in density.free_symbols if s.name in sizes}
        density = density.xreplace(size_subs).doit()
        if isinstance(support, sp.Set):
            support = support.xreplace(size_subs)
        a = dataclasses.replace(a, support=support)
    if support == "onehot":
        c = S.index("c")
        nll = expand_logs(-sp.log(density, evaluate=False), domains)
        return sp.Sum(sp.exp(-hard_label(nll, a)), (c, 1, a.vector_index[2]))
    if support == "counts":
        return _counts_mass(density, a, sizes)
    if any(isinstance(x, sp.MatrixSymbol) for x in a.data):
        raise Unsupported(f"{a.name}: the mass of a density of a symbolic-size matrix is not computed; "
                          "substitute explicit matrices and integrate")
    if a.vector_index is not None and isinstance(density, sp.Product):
        (y,) = a.data
        index = a.vector_index[0]
        scalar = sp.Symbol("y_scalar", **S.assumptions_for(support))
        inner = density.function.replace(lambda e: isinstance(e, sp.Indexed) and e.base == y,
                                         lambda e: scalar)
        inner = inner.replace(lambda e: isinstance(e, sp.Indexed) and e.indices == (index,),
                              lambda e: sp.Symbol(f"{e.base.label}_scalar", **S.assumptions_for(S.domain_of(e, domains))))
        one = dataclasses.replace(a, data=(scalar,), vector_index=None, support=support,
                                  domains={**domains, scalar: support})
        return sp.Product(mass(inner, one), *density.limits).doit()
    (y,) = a.data
    if isinstance(support, sp.FiniteSet):
        return sp.simplify(sp.Add(*[density.subs(y, value) for value in support]))
    if isinstance(support, sp.Range):
        total = sp.summation(density, (y, support.inf, support.sup))
        return sp.simplify(resolve_piecewise(total, domains))
    return integrate_over(density, y, support.inf, support.sup, domains, _movers(a))


def _counts_mass(density: sp.Expr, a: Assumption, sizes) -> sp.Expr:
    """Sum over all count vectors (y_1..y_K) with y_1 + ... + y_K = N, at concrete K, N."""
    from itertools import product as cartesian

    (y,) = a.data
    k, _, K = a.vector_index
    N = a.fixed[0]
    if not sizes or K.name not in sizes or N.name not in sizes:
        raise Unsupported("the mass of a count vector needs concrete sizes K and N")
    K_, N_ = sizes[K.name], sizes[N.name]
    total = sp.S.Zero
    for counts in cartesian(range(N_ + 1), repeat=K_):
        if sum(counts) == N_:
            total += density.xreplace({y[j + 1]: c for j, c in enumerate(counts)}).doit()
    return sp.expand(total)


def total_mass(assumption: Assumption, sizes: Mapping[str, int] | None = None) -> sp.Expr:
    """The density summed or integrated over the data's support (1 when normalised).

    Continuous support: the integral; a finite or countable set: the sum; a one-hot vector
    over K classes: the sum over the K vectors e_c of exp(-NLL at e_c), which is
    ``Sum(yhat[c], (c, 1, K))``, equal to 1 exactly when the probabilities sum to 1; a
    vector of independent coordinates: the product of the coordinates' masses; count
    vectors: the sum over the compositions of N, at concrete ``sizes``.  A kernel is first
    divided by its derived normaliser (so the result is 1 by construction, and the test is
    of the derivation of Z)."""
    a = assumption
    if a.quasi is not None:
        raise Unsupported(f"{a.name}: a quasi-likelihood is not a density; it has no mass")
    density = a.density
    if a.kernel:
        density = density / mass(density, a, sizes)
    if sizes:
        return mass(density, a, sizes)
    return mass(density, a)


# --------------------------------------------------------------------------- rules


def _substitute_mean(expr: sp.Expr, mean: sp.Basic, value: sp.Expr) -> sp.Expr:
    """mean -> value; an Indexed pattern yhat[k] maps every yhat[c] to value at k = c."""
    if isinstance(mean, sp.Indexed):
        base, indices = mean.base, mean.indices
        return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == base,
                            lambda e: value.xreplace(dict(zip(indices, e.indices))))
    return expr.xreplace({mean: value})


def _distribute(expr: sp.Expr) -> sp.Expr:
    """Multiply out products over sums (not powers: (y - yhat)**2 keeps its form)."""
    return sp.expand(expr, mul=True, multinomial=False, power_exp=False, power_base=False,
                     log=False, basic=False)


def separate_coefficients(expr: sp.Expr, params) -> sp.Expr:
    """A product with a sum factor that is partly free of the params is multiplied out, so
    that its param-free part can be dropped: (mu*phi - 1)*log(y) -> mu*phi*log(y) - log(y)."""

    def mixed(e: sp.Expr) -> bool:
        if not isinstance(e, sp.Mul):
            return False
        for factor in e.args:
            if isinstance(factor, sp.Add):
                free = [t for t in factor.args if not t.has(*params)]
                if free and len(free) < len(factor.args):
                    return True
        return False

    terms = list(sp.Add.make_args(expr))
    done: list[sp.Expr] = []
    while terms:  # only the terms of the sum: inside Max, Piecewise, logs nothing moves
        term = terms.pop()
        if mixed(term):
            terms.extend(sp.Add.make_args(sp.expand_mul(term, deep=False)))
        else:
            done.append(term)
    return sp.Add(*done)


def regroup_logs(expr: sp.Expr, groups, params) -> sp.Expr:
    """For a group g = f * o_1 * ... (one factor f with params), log f = log g - sum log o_j:
    log(alpha) + log(mu) becomes log(alpha*mu)."""
    for group in groups:
        factors = sp.Mul.make_args(group)
        moving = [f for f in factors if f.has(*params)]
        if len(moving) != 1:
            raise DeriveError(f"group {group} must have exactly one factor with params")
        (f,) = moving
        others = [o for o in factors if o is not f]
        expr = expr.xreplace({sp.log(f): sp.log(group, evaluate=False) - sp.Add(*[sp.log(o) for o in others])})
        expr = _distribute(expr)
        expr = expr.xreplace({sp.log(group, evaluate=False): sp.log(group, evaluate=False)})
    return expr


def collect_logs(expr: sp.Expr, params) -> sp.Expr:
    """Terms sharing the same log (or sum) of the params are collected:
    y*log(1 + alpha*mu) + log(1 + alpha*mu)/alpha -> (y + 1/alpha)*log(1 + alpha*mu)."""
    if not isinstance(expr, sp.Add):
        return expr
    atoms = [g for g in expr.atoms(sp.log, sp.Sum) if g.has(*params)]
    shared = [g for g in atoms if sum(1 for t in expr.args if t.has(g)) > 1
              and not any(g != h and h.has(g) for h in atoms)]
    if not shared:
        return expr
    return sp.collect(expr, shared)


def onehot_constraint(expr: sp.Expr, assumption: Assumption) -> sp.Expr:
    """A one-hot (or soft) target sums to 1 over the classes: Sum(y[k], (k, 1, K)) -> 1."""
    if assumption.support != "onehot":
        return expr
    (y,) = assumption.data
    return expr.replace(
        lambda e: isinstance(e, sp.Sum) and isinstance(e.function, sp.Indexed) and e.function.base == y
        and len(e.limits) == 1 and tuple(e.limits[0]) == tuple(assumption.vector_index),
        lambda e: sp.S.One)


def canonical_link(link: Link, nll_mean: sp.Expr, assumption: Assumption) -> sp.Expr:
    """The inverse of the canonical link: the natural parameter eta(mean) is the coefficient
    of the data in the log-likelihood; solve eta(mean) = output for mean.  For a probability
    vector the solution exp(output_k) is normalised over the classes (the natural
    parameters are defined up to a common constant, fixed by sum_k mean_k = 1)."""
    (y,) = assumption.data
    mean, output = link.mean, link.output
    loglik = -nll_mean
    if isinstance(mean, sp.Indexed):
        (k,) = mean.indices
        sums = [s for s in loglik.atoms(sp.Sum) if s.has(mean.base)]
        if len(sums) != 1:
            raise Unsupported("canonical link: expected one sum over the classes")
        summand = sums[0].function
        eta = sp.diff(summand, y[k])
        solved = sp.solve(sp.Eq(eta, output[k]), mean)
        if len(solved) != 1:
            raise Unsupported(f"canonical link: cannot solve {eta} = {output[k]} for {mean}")
        _, lo, hi = assumption.vector_index
        j = S.index("j")
        return solved[0] / sp.Sum(solved[0].xreplace({output[k]: output[j]}), (j, lo, hi))
    dependent = loglik.as_independent(mean, as_Add=True)[1]
    eta = sp.expand(sp.diff(dependent, y))
    if sp.diff(dependent, y, 2) != 0:
        raise Unsupported(f"canonical link: the log-likelihood is not affine in {y}")
    solved = sp.solve(sp.Eq(eta, output), mean)
    if len(solved) != 1:
        raise Unsupported(f"canonical link: cannot solve {eta} = {output} for {mean}")
    return solved[0]


def quasi_log_likelihood(assumption: Assumption) -> sp.Expr:
    """Q(y; mu) = integral_y^mu (y - t)/V(t) dt, term by term, each antiderivative's
    branches decided on the domain (t**(1-p)/(1-p) for p in (1, 2), not log t)."""
    (y,) = assumption.data
    mean, variance = assumption.quasi
    t = sp.Dummy("t", positive=True)
    integrand = sp.powsimp(_distribute((y - t) / variance.xreplace({mean: t})))
    q = sp.S.Zero
    for term in sp.Add.make_args(integrand):
        antiderivative = resolve_piecewise(sp.integrate(term, t), assumption.domains)
        if antiderivative.has(sp.Piecewise, sp.Integral):
            raise Unsupported(f"quasi-likelihood: cannot integrate {term} in closed form")
        q += antiderivative.xreplace({t: mean}) - sp.powsimp(antiderivative.xreplace({t: y}))
    return q


def _can_vanish(a: sp.Expr, data, domains) -> bool:
    """Whether the data expression ``a`` is 0 somewhere on the data's domain."""
    for d in data:
        if isinstance(d, sp.Symbol) and a.has(d) and a.is_polynomial(d):
            for root in sp.solve(sp.Eq(a, 0), d):
                if S.domain_of(d, domains).contains(root) is not sp.false:
                    return True
    return False


def _xlogy(expr: sp.Expr, data, domains) -> sp.Expr:
    """c*log(a) with a data expression a that can vanish and c a multiple of a is written
    Piecewise((0, a = 0), (c*log(a), True)): the convention 0*log(0) = 0 of the saturated
    model (SciPy's xlogy)."""

    def rewrite(term: sp.Expr) -> sp.Expr:
        for g in term.atoms(sp.log):
            a = g.args[0]
            if a.has(*data) and _can_vanish(a, data, domains):
                ratio = sp.simplify(term / (a * g))
                if not ratio.has(g) and not sp.denom(sp.together(ratio)).has(*a.free_symbols):
                    return sp.Piecewise((0, sp.Eq(a, 0)), (term, True))
        return term

    return sp.Add(*[rewrite(t) for t in sp.Add.make_args(expr)])


def deviance(nll_mean: sp.Expr, assumption: Assumption) -> sp.Expr | None:
    """2*(log-likelihood of the saturated model - log-likelihood), in the distribution's
    parameters (the link is applied by the caller)."""
    a = assumption
    if not a.saturated:
        return None
    saturated_nll = nll_mean.xreplace(dict(a.saturated))
    saturated_nll = _xlogy(expand_logs(saturated_nll, a.domains), a.data, a.domains)
    if isinstance(a.support, sp.FiniteSet):
        (y,) = a.data
        if all(sp.simplify(saturated_nll.subs(y, v)) == 0 for v in a.support):
            saturated_nll = sp.S.Zero
    # powers of the data combined (y*y**(1 - p) -> y**(2 - p)): finite where y = 0 is data
    return sp.powsimp(2 * (nll_mean - saturated_nll))


# --------------------------------------------------------------------------- pipeline


def split_constants(nll: sp.Expr, params) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
    """nll = dependent + sum(dropped), the dropped terms free of every param."""
    nll = separate_coefficients(nll, params)
    const, dependent = nll.as_independent(*params, as_Add=True)
    return dependent, sp.Add.make_args(const) if const != 0 else ()


def split_scale(dependent: sp.Expr, params, domains, keep_numeric: bool, data=()) -> tuple[sp.Expr, sp.Expr]:
    """dependent = scale * loss with scale > 0 and free of params and data (a factor with
    data would weight the examples differently).  The sign stays in the loss; with
    ``keep_numeric`` a pure number (torch's 1/2) stays in the loss too."""
    expr = dependent.replace(lambda e: isinstance(e, sp.Pow) and isinstance(e.base, sp.Mul) and e.base.has(sp.Abs),
                             sp.expand_power_base)  # (|y - mu|/alpha)**beta = |y - mu|**beta/alpha**beta
    if isinstance(expr, sp.Add):
        expr = sp.factor_terms(expr)
    factor, loss = expr.as_independent(*params, *data, as_Add=False)
    if factor.could_extract_minus_sign():
        factor, loss = -factor, -loss
    if not is_positive_on(factor, domains):
        return sp.S.One, dependent
    if keep_numeric:
        number, factor = factor.as_coeff_Mul()
        loss = number * loss
    return factor, loss


def per_example(expr: sp.Expr, assumption: Assumption, i: sp.Symbol) -> sp.Expr:
    """Index data and params by example i: y -> y[i], yhat[k] -> yhat[i, k], a vector y
    (MatrixSymbol) -> y_i."""
    subs = {}
    for s in assumption.data + assumption.params:
        if isinstance(s, sp.MatrixSymbol):  # a vector per example: y -> the matrix symbol y_i
            subs[s] = sp.MatrixSymbol(f"{s.name}_{i.name}", *s.shape)
            continue
        if isinstance(s, sp.IndexedBase):
            continue
        subs[s] = S.indexed_base(s.name, S.domain_of(s, assumption.domains))[i]
    expr = expr.xreplace(subs)
    bases = {s for s in assumption.data + assumption.params if isinstance(s, sp.IndexedBase)}
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base in bases,
        lambda e: e.base[(i, *e.indices)],
    )


def hard_label(loss: sp.Expr, assumption: Assumption) -> sp.Expr | None:
    """For one-hot data y[k], the loss at y = e_c: substitute y[k] = delta(k, c)."""
    if assumption.support != "onehot":
        return None
    k, _, K = assumption.vector_index
    c = S.index("c")
    (y,) = assumption.data
    at_onehot = loss.replace(lambda e: isinstance(e, sp.Indexed) and e.base == y,
                             lambda e: sp.KroneckerDelta(e.indices[0], c))
    return sp.refine(at_onehot.doit(), sp.Q.le(c, K))


def _params_tex(assumption: Assumption) -> str:
    return ", ".join(latex(p) for p in assumption.params)


def _data_tex(assumption: Assumption) -> str:
    return ", ".join(latex(d) for d in assumption.data)


def _mean_tex(assumption: Assumption) -> str:
    return latex(assumption.link.mean) if assumption.link is not None else _params_tex(assumption)


def _normalise(a: Assumption, steps: list[Step]) -> tuple[sp.Expr, sp.Expr | None]:
    """The density, dividing a kernel by its derived normaliser Z (recorded)."""
    if not a.kernel:
        return a.density, None
    (y,) = a.data
    z = mass(a.density, a)
    if z.has(sp.Integral, sp.Sum):
        raise Unsupported(f"{a.name}: cannot derive the normaliser of {a.density}")
    moving = [p for p in a.params + ((a.link.mean,) if a.link else ()) if z.has(p)]
    note = ("normaliser: the kernel integrated over the support; "
            + ("it depends on $%s$, so its log stays in the loss" % ", ".join(latex(p) for p in moving)
               if moving else "free of the parameters (shift $y$ by the location), so the loss is a proper NLL"))
    steps.append(Step("normaliser", z, note, lhs="Z = \\int p(%s)\\, d%s" % (_data_tex(a), _data_tex(a))))
    density = a.density / z
    steps.append(Step("density", density, "the normalised density", lhs="p(%s)" % _data_tex(a)))
    return density, z


def run(assumption: Assumption) -> Derivation:
    """The whole pipeline for one assumption."""
    a = assumption
    params, domains = a.params, a.domains
    given = f"p({_data_tex(a)} \\mid {_mean_tex(a)})"
    steps: list[Step] = []
    if a.quasi is not None:
        mean, variance = a.quasi
        steps.append(Step("assumption", variance, f"assumption ${a.statement}$: only the variance function",
                          lhs=f"V({latex(mean)})"))
        q = quasi_log_likelihood(a)
        t = sp.Symbol("t")
        steps.append(Step("quasi", q, "quasi-log-likelihood (Wedderburn): integrate $(y - t)/V(t)$ from $y$ to the mean",
                          lhs="Q = \\int_{y}^{%s} \\frac{%s - t}{%s}\\, dt" % (latex(mean), _data_tex(a), latex(variance.xreplace({mean: t})))))
        density, z = None, None
        nll_mean = _distribute(-q)
        steps.append(Step("neg_log", nll_mean, "the negative quasi-log-likelihood stands for the NLL", lhs="-Q"))
    else:
        steps.append(Step("assumption", a.density, f"assumption ${a.statement}$", lhs=given))
        density, z = _normalise(a, steps)
        steps.append(Step("likelihood", density, "likelihood of one example, a function of the parameters",
                          lhs=f"\\mathcal{{L}}({_mean_tex(a)})"))
        neg_log = -sp.log(density, evaluate=False)
        steps.append(Step("neg_log", neg_log, "negative log-likelihood",
                          lhs=f"-\\log \\mathcal{{L}}({_mean_tex(a)})"))
        if z is not None:  # Z > 0 as the mass of a positive kernel: its log comes off whole
            z_positive = sp.Dummy("Z", positive=True)
            nll_mean = expand_logs(-sp.log(a.density / z_positive, evaluate=False), domains).xreplace({z_positive: z})
        else:
            nll_mean = expand_logs(neg_log, domains)
        steps.append(Step("expand", nll_mean, "log of a product is the sum of the logs (valid on the domain)"))

    if a.expected_data:
        nll_mean = _expected_nll(nll_mean, a, steps)

    dev = deviance(nll_mean, a)
    nll = nll_mean
    link_pair = None
    if a.link is not None:
        link = a.link
        value = link.expr if link.expr is not None else canonical_link(link, nll_mean, a)
        link_pair = (link.mean, value)
        how = "given" if link.expr is not None else "canonical link, derived: solve natural parameter $=$ output"
        steps.append(Step("link", value, f"{link.name or 'link'} ({how})", lhs=latex(link.mean)))
        nll = _apply_link(nll, link.mean, value, domains)
        steps.append(Step("nll_link", nll, "substitute and expand the logs"))
        if dev is not None:
            dev = _apply_link(dev, link.mean, value, domains)
    nll = onehot_constraint(nll, a)
    if a.groups:
        nll = regroup_logs(nll, a.groups, params)

    dependent, dropped = split_constants(nll, params)
    nll = dependent + sp.Add(*dropped)
    steps.append(Step("split", nll, f"terms free of ${_params_tex(a)}$ are constants", dropped=dropped))

    scale, loss = split_scale(dependent, params, domains, a.keep_numeric_factor, a.data)
    loss = collect_logs(loss, params)
    scale_note = "drop the constants" + ("" if scale == 1 else f" and the positive factor ${latex(scale)}$")
    steps.append(Step("loss", loss, scale_note + "; the minimisers are unchanged", relation="\\propto"))

    i, n = S.i, S.n
    nll_i = per_example(nll, a, i)
    sum_nll = split_sums(sp.Sum(nll_i, (i, 1, n)))
    steps.append(Step("dataset", sp.Sum(nll_i, (i, 1, n)),
                      "i.i.d. examples: the log of the product is the sum of the logs",
                      lhs=f"-\\log \\prod_{{i=1}}^{{n}} p({_data_tex(a)}_i \\mid {_params_tex(a)}_i)"))
    dataset_nll = sum_nll / n
    steps.append(Step("cross_entropy", sp.Sum(nll_i, (i, 1, n)) / n,
                      "the mean NLL is the cross-entropy of the empirical distribution with the model",
                      lhs="H(\\hat{P}, Q_\\theta) = -\\frac{1}{n}\\sum_{i=1}^{n} \\log Q(x_i; \\theta)"))
    dataset_loss = sp.Sum(per_example(loss, a, i), (i, 1, n)) / n
    steps.append(Step("dataset_loss", dataset_loss, "the same constants and factor dropped: " + a.loss_name,
                      relation="\\propto"))

    onehot = hard_label(loss, a)
    if onehot is not None:
        steps.append(Step("hard_label", onehot, "one-hot target $y = e_c$: only the true class $c$ survives",
                          lhs=r"\text{at } y = e_c"))
    return Derivation(a, nll, loss, scale, tuple(dropped), dataset_nll, dataset_loss, tuple(steps), onehot,
                      density, z, link_pair, dev)


def _apply_link(expr: sp.Expr, mean: sp.Basic, value: sp.Expr, domains) -> sp.Expr:
    substituted = _substitute_mean(expr, mean, value)
    return split_sums(_distribute(expand_logs(substituted, domains, together=True)))


def _expected_nll(nll: sp.Expr, a: Assumption, steps: list[Step]) -> sp.Expr:
    """E[nll(y')] over targets y' with mean t(y) is nll(t(y)) when nll is affine in y."""
    (y,) = a.data
    for target, mean in a.expected_data:
        probe = sp.Dummy("s")
        along = _substitute_mean(nll, target, target + probe * mean) if not isinstance(target, sp.Indexed) \
            else nll.replace(lambda e: isinstance(e, sp.Indexed) and e.base == target.base,
                             lambda e: e + probe * mean.xreplace(dict(zip(target.indices, e.indices))))
        if sp.diff(along.doit() if along.has(sp.Sum) else along, probe, 2) != 0:
            raise DeriveError(f"{a.name}: the NLL is not affine in the data; the expectation does not substitute")
        nll = _substitute_mean(nll, target, mean)
    nll = split_sums(_distribute(nll))
    steps.append(Step("expected", nll, "expected NLL over the soft target: the NLL is linear in the target, "
                      "so the expectation puts in its mean", lhs="\\mathbb{E}_{y' \\sim t}[-\\log p(y')]"))
    return nll


# --------------------------------------------------------------------------- public


def specialise(assumption: Assumption, values: dict) -> Assumption:
    """The assumption with some fixed symbols given values, each checked against its domain."""
    by_name = {s.name: s for s in assumption.fixed}
    subs = {}
    for name, value in values.items():
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise DomainError(f"{assumption.name}: {name!r} is not a fixed symbol (fixed: {known})")
        value = sp.sympify(value)
        if value.has(sp.Float):  # 0.1 -> 1/10: results stay exact (and Sum.doit terminates)
            value = sp.nsimplify(value, rational=True)
        if isinstance(by_name[name], sp.MatrixSymbol):
            raise Unsupported(f"{assumption.name}: giving the matrix {name} a value is not supported "
                              "(its size is symbolic); substitute into d.nll instead")
        domain = S.domain_of(by_name[name], assumption.domains)
        if domain.contains(value) is not sp.true:
            raise DomainError(f"{assumption.name}: {name}={value} is outside its domain {S.describe(domain)}")
        subs[by_name[name]] = value

    def put(e):
        return e.xreplace(subs) if isinstance(e, sp.Basic) else e

    link = assumption.link
    if link is not None and link.expr is not None:
        link = dataclasses.replace(link, expr=put(link.expr))
    return dataclasses.replace(
        assumption,
        density=put(assumption.density),
        fixed=tuple(s for s in assumption.fixed if s not in subs),
        link=link,
        groups=tuple(put(g) for g in assumption.groups),
        quasi=None if assumption.quasi is None else (assumption.quasi[0], put(assumption.quasi[1])),
        expected_data=tuple((t, put(m)) for t, m in assumption.expected_data),
        saturated=tuple((m, put(v)) for m, v in assumption.saturated),
        domains={key: put(dom) for key, dom in assumption.domains.items() if key not in subs},
        support=put(assumption.support),
        vector_index=None if assumption.vector_index is None else tuple(put(x) for x in assumption.vector_index),
        name=assumption.name,
        given=assumption.given + tuple((s.name, v) for s, v in subs.items()),
    )


@lru_cache(maxsize=None)
def _derive_cached(name: str, fixed_items: tuple) -> Derivation:
    assumption = get(name)
    if fixed_items:
        assumption = specialise(assumption, dict(fixed_items))
    return run(assumption)


def derive(name: str, **fixed) -> Derivation:
    """Derive the loss implied by the assumption ``name`` (see :func:`derive.names`).

    Keyword arguments give values to fixed symbols: ``derive("gaussian", sigma=1)``.
    """
    return _derive_cached(name, tuple(sorted((k, sp.sympify(v)) for k, v in fixed.items())))
