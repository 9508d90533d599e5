"""Conjugate updates, derived: the log-posterior kernel is matched to the prior's family.

    log p(theta | y_1..n) = sum_i log p(y_i | theta) + log p(theta) + const
    posterior params P':  d/dtheta [log p(theta | y) - log f(theta; P')] = 0 for every theta

(the numerator of that derivative is a polynomial in theta; its coefficients are solved for
P').  The MAP solves d/dtheta [-log p(theta | y)] = 0; it is the minimiser: the derivative
vanishes there and the second derivative is positive (under the stated condition).  The
posterior mean minimises the posterior expected squared error E[(theta - a)^2]: its
derivative 2a - 2 E[theta] vanishes at a = E[theta] and the second derivative is 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from derive import symbols as dsym
from derive.distributions.base import family as get_family
from derive.errors import DeriveError
from derive.stages import split_constants
from derive.steps import Step
from derive.symbolic.domains import expand_logs, split_sums

i, n = dsym.index("i"), dsym.size("n")


@dataclass(frozen=True)
class Conjugate:
    """A derived conjugate update.  ``posterior`` maps the posterior family's parameter
    names to their derived values; ``mean`` and ``map`` are the posterior mean and mode;
    ``checks`` records each proof (name -> True when it holds symbolically)."""

    name: str
    prior: str
    theta: sp.Symbol
    neg_log_posterior: sp.Expr  # the theta-dependent part, constants dropped
    posterior: dict[str, sp.Expr]
    mean: sp.Expr
    map: sp.Expr
    checks: dict[str, bool]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Pair:
    """One prior-likelihood pair: the parameter ``theta`` with its prior (a family at
    ``prior_params``), the likelihood of one observation y_i, the data's sums renamed
    to statistics (Sum(y_i) -> k), and the condition under which the MAP is interior
    (positive dummies substituted: alpha' = 1 + u)."""

    name: str
    theta: sp.Symbol
    prior: str
    prior_params: dict[str, sp.Expr]
    likelihood: Callable[[sp.Expr, sp.Symbol], sp.Expr]
    y: sp.IndexedBase
    statistics: dict[sp.Expr, sp.Expr]
    domains: dict
    interior: Callable[[dict], dict]  # posterior params -> substitution making the MAP interior
    lo: sp.Expr = sp.S.Zero
    hi: sp.Expr = sp.oo


def _recognise(log_kernel: sp.Expr, theta: sp.Symbol, fam, domains) -> dict[str, sp.Expr]:
    unknown = {p.name: sp.Dummy(p.name, real=True) for p in fam.params}
    log_f = expand_logs(sp.log(fam.at(theta, **unknown), evaluate=False), {**domains, **{v: p.domain for p, v in
                                                                                       zip(fam.params, unknown.values())}})
    log_f = sp.expand_log(log_f, force=True)
    numer = sp.numer(sp.together(sp.diff(log_kernel - log_f, theta)))
    coefficients = sp.Poly(sp.expand(numer), theta).coeffs()
    solutions = sp.solve(coefficients, list(unknown.values()), dict=True)
    good = [s for s in solutions if all(
        fam.params[k].domain.contains(s[v]) is not sp.false and not (s[v].is_negative)
        for k, v in enumerate(unknown.values()))]
    if len(good) != 1:
        raise DeriveError(f"the posterior kernel {log_kernel} is not a {fam.name} kernel in {theta}")
    return {name: sp.simplify(good[0][v]) for name, v in unknown.items()}


def update(pair: Pair) -> Conjugate:
    """Derive the posterior of ``pair``, its mean and mode, and prove both minimisers."""
    theta, fam = pair.theta, get_family(pair.prior)
    domains = pair.domains
    steps: list[Step] = []
    prior = fam.at(theta, **pair.prior_params)
    lik = sp.Product(pair.likelihood(pair.y[i], theta), (i, 1, n))
    steps.append(Step("posterior", lik * prior, f"Bayes: likelihood times the {fam.title} prior",
                      lhs=r"p(%s \mid y)\, p(y)" % sp.latex(theta)))
    nlp = expand_logs(-sp.log(lik, evaluate=False), domains) + expand_logs(-sp.log(prior, evaluate=False), domains)
    nlp = split_sums(sp.expand(split_sums(nlp)))
    nlp = nlp.xreplace(pair.statistics)
    dependent, dropped = split_constants(nlp, (theta,))
    dependent = sp.collect(sp.expand(dependent), [sp.log(theta), sp.log(1 - theta), theta, theta**2])
    steps.append(Step("neg_log", dependent + sp.Add(*dropped), "negative log; the data through their statistics; "
                      "terms free of $%s$ are constants" % sp.latex(theta), dropped=tuple(dropped),
                      lhs=r"-\log p(%s \mid y)" % sp.latex(theta)))
    post = _recognise(-dependent, theta, fam, domains)
    checks = {}
    residual = sp.simplify(sp.diff(-dependent - sp.expand_log(sp.log(fam.at(theta, **post)), force=True), theta))
    checks["posterior_is_the_family"] = residual == 0
    steps.append(Step("recognise", fam.at(theta, **post), f"the kernel is a {fam.title} kernel: match the "
                      "coefficients", lhs=r"p(%s \mid y)" % sp.latex(theta)))
    post_density = fam.at(theta, **post)
    mean = sp.simplify(sp.integrate(theta * fam.at(theta, **{k: sp.Dummy(k, positive=True) if fam.params[m].domain
                                                                 == dsym.POSITIVE else sp.Dummy(k, real=True)
                                                                 for m, k in enumerate(post)}), (theta, pair.lo, pair.hi)))
    # the mean was integrated at free parameters (dummies) and is now put at the posterior's
    dummies = {d.name: d for d in mean.free_symbols if isinstance(d, sp.Dummy)}
    mean = sp.simplify(mean.xreplace({dummies[k]: v for k, v in post.items() if k in dummies}))
    steps.append(Step("mean", mean, "posterior mean: integrate $%s$ against the posterior" % sp.latex(theta),
                      lhs=r"\mathbb{E}[%s \mid y]" % sp.latex(theta)))
    a = sp.Dummy("a", real=True)
    risk = sp.expand((theta - a) ** 2)  # E[(theta - a)^2] = E[theta^2] - 2 a E[theta] + a^2
    expected_risk = risk.coeff(theta, 2) * sp.Symbol("m2") + risk.coeff(theta, 1) * mean + risk.coeff(theta, 0)
    checks["mean_derivative_vanishes"] = sp.simplify(sp.diff(expected_risk, a).subs(a, mean)) == 0
    checks["mean_second_derivative_positive"] = bool(sp.diff(expected_risk, a, 2).is_positive)
    grad = sp.diff(dependent, theta)
    solutions = [s for s in sp.solve(grad, theta) if not s.is_nonpositive]
    if len(solutions) != 1:
        raise DeriveError(f"{pair.name}: the mode is not unique: {solutions}")
    mode = sp.simplify(solutions[0])
    steps.append(Step("map", mode, "MAP: the derivative of the negative log-posterior vanishes",
                      lhs=r"\hat{%s}_{\mathrm{MAP}}" % sp.latex(theta)))
    checks["map_derivative_vanishes"] = sp.simplify(grad.subs(theta, mode)) == 0
    curvature = sp.simplify(sp.diff(dependent, theta, 2).subs(theta, mode).xreplace(pair.interior(post)))
    checks["map_second_derivative_positive"] = bool(curvature.is_positive)
    del post_density
    return Conjugate(pair.name, pair.prior, theta, dependent, post, mean, mode, checks, tuple(steps))
