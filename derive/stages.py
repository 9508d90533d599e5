"""The stages of the pipeline that read an :class:`Assumption`, each a pure function.

    split_constants   nll = dependent + sum(dropped), the dropped terms free of the params
    split_scale       dependent = scale * loss, scale > 0 free of the params and the data
    per_example       y -> y_i, yhat[k] -> yhat[i, k]
    hard_label        the loss at a one-hot y = e_c
    onehot_constraint sum_k y_k = 1 for a one-hot (or soft) target
    canonical_link    the natural parameter solved for the mean
    quasi_log_likelihood  Q = int_y^mu (y - t)/V(t) dt
    deviance          2 (loglik of the saturated model - loglik)
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Link
from derive.errors import Unsupported
from derive.symbolic.constraints import ONE_HOT
from derive.symbolic.domains import expand_logs, is_positive_on, resolve_piecewise
from derive.symbolic.rules import distribute, separate_coefficients, xlogy


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
        subs[s] = dsym.indexed_base(s.name, dsym.domain_of(s, assumption.domains))[i]
    expr = expr.xreplace(subs)
    bases = {s for s in assumption.data + assumption.params if isinstance(s, sp.IndexedBase)}
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base in bases,
        lambda e: e.base[(i, *e.indices)],
    )


def hard_label(loss: sp.Expr, assumption: Assumption) -> sp.Expr | None:
    """For one-hot data y[k], the loss at y = e_c: substitute y[k] = delta(k, c)."""
    if assumption.support != ONE_HOT:
        return None
    k, _, K = assumption.vector_index
    c = dsym.index("c")
    (y,) = assumption.data
    at_onehot = loss.replace(lambda e: isinstance(e, sp.Indexed) and e.base == y,
                             lambda e: sp.KroneckerDelta(e.indices[0], c))
    return sp.refine(at_onehot.doit(), sp.Q.le(c, K))



def onehot_constraint(expr: sp.Expr, assumption: Assumption) -> sp.Expr:
    """A one-hot (or soft) target sums to 1 over the classes: Sum(y[k], (k, 1, K)) -> 1."""
    if assumption.support != ONE_HOT:
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
        j = dsym.index("j")
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
    integrand = sp.powsimp(distribute((y - t) / variance.xreplace({mean: t})))
    q = sp.S.Zero
    for term in sp.Add.make_args(integrand):
        antiderivative = resolve_piecewise(sp.integrate(term, t), assumption.domains)
        if antiderivative.has(sp.Piecewise, sp.Integral):
            raise Unsupported(f"quasi-likelihood: cannot integrate {term} in closed form")
        q += antiderivative.xreplace({t: mean}) - sp.powsimp(antiderivative.xreplace({t: y}))
    return q




def deviance(nll_mean: sp.Expr, assumption: Assumption) -> sp.Expr | None:
    """2*(log-likelihood of the saturated model - log-likelihood), in the distribution's
    parameters (the link is applied by the caller)."""
    a = assumption
    if not a.saturated:
        return None
    saturated_nll = nll_mean.xreplace(dict(a.saturated))
    saturated_nll = xlogy(expand_logs(saturated_nll, a.domains), a.data, a.domains)
    if isinstance(a.support, sp.FiniteSet):
        (y,) = a.data
        if all(sp.simplify(saturated_nll.subs(y, v)) == 0 for v in a.support):
            saturated_nll = sp.S.Zero
    # powers of the data combined (y*y**(1 - p) -> y**(2 - p)): finite where y = 0 is data
    return sp.powsimp(2 * (nll_mean - saturated_nll))

