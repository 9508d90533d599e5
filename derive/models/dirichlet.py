"""The Dirichlet-Categorical update over K classes (symbolic K), and label smoothing.

    prior       q ~ Dir(alpha):  -log p(q) = -sum_k (alpha_k - 1) log q_k + const
    likelihood  y_i one-hot:     -log p(y | q) = -sum_k c_k log q_k,  c_k = sum_i y_ik, sum_k c_k = n
    posterior   Dir(alpha_k + c_k)            (the coefficient of log q_k matched)
    mean        (c_k + alpha_k) / (n + alpha_0)    (a coordinate's marginal is Beta(a_k, a_0 - a_k))
    MAP         (c_k + alpha_k - 1) / (n + alpha_0 - K)   (Lagrange multiplier for sum_k q_k = 1)

Laplace smoothing is the posterior mean at alpha_k = 1.  Label smoothing with weight eps on
the mean NLL of n examples and one shared q equals, up to the factor 1 - eps, the negative
log-posterior under a symmetric Dirichlet with alpha - 1 = n eps / (K (1 - eps)); for
per-example predictions q_i it is a Dirichlet(1 + eps/(K(1 - eps))) term on each q_i, which
depends on the example, so it is not a prior on the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive import symbols as dsym
from derive.steps import Step
from derive.symbolic.domains import split_sums

k, j, i = dsym.index("k"), dsym.index("j"), dsym.index("i")
K, n = dsym.size("K"), dsym.size("n")
q = dsym.indexed_base("q", dsym.UNIT)
alpha = dsym.indexed_base("alpha", dsym.POSITIVE)
c = dsym.indexed_base("c", dsym.NONNEG_INT)
y = dsym.indexed_base("y", sp.FiniteSet(0, 1))
eps = dsym.symbol("eps", dsym.UNIT)
alpha_s = dsym.symbol("alpha", dsym.POSITIVE)


@dataclass(frozen=True)
class DirichletUpdate:
    """The derived update: the posterior's ``alpha_k``, ``mean``, ``map``, the Laplace and
    additive smoothing, the label-smoothing weight ``label_smoothing_alpha`` (shared q) and
    ``per_example_alpha`` (per-example q_i), and ``checks`` (each proof, True when it holds)."""

    posterior_alpha: sp.Expr
    mean: sp.Expr
    map: sp.Expr
    laplace: sp.Expr
    label_smoothing_alpha: sp.Expr
    per_example_alpha: sp.Expr
    checks: dict[str, bool]
    steps: tuple[Step, ...]


def _coefficient_of_log_q(summand: sp.Expr) -> sp.Expr:
    return sp.expand(summand).coeff(sp.log(q[k]))


def update() -> DirichletUpdate:
    checks: dict[str, bool] = {}
    steps: list[Step] = []
    prior_summand = -(alpha[k] - 1) * sp.log(q[k])
    lik_summand = -c[k] * sp.log(q[k])  # sum_i y_ik log q_k = c_k log q_k
    nlp_summand = lik_summand + prior_summand
    steps.append(Step("neg_log", sp.Sum(nlp_summand, (k, 1, K)),
                      "negative log: the counts $c_k = \\sum_i y_{ik}$; terms free of $q$ dropped",
                      lhs=r"-\log p(q \mid y)"))
    a_new = sp.Dummy("a", positive=True)
    (posterior_alpha,) = sp.solve(sp.Eq(_coefficient_of_log_q(nlp_summand), -(a_new - 1)), a_new)
    steps.append(Step("recognise", posterior_alpha, "a Dirichlet kernel: match the coefficient of $\\log q_k$",
                      lhs=r"\alpha'_k"))
    alpha0 = sp.Sum(alpha[j], (j, 1, K))
    post0 = alpha0 + n  # sum_k (alpha_k + c_k), sum_k c_k = n
    mean = posterior_alpha / post0
    # the marginal Beta(a, b) has mean a / (a + b): integrated, not assumed
    a_, b_ = sp.symbols("a b", positive=True)
    t = sp.Symbol("t", positive=True)
    beta_mean = sp.simplify(sp.integrate(t * t ** (a_ - 1) * (1 - t) ** (b_ - 1) * sp.gamma(a_ + b_)
                                         / (sp.gamma(a_) * sp.gamma(b_)), (t, 0, 1)))
    checks["mean_from_the_beta_marginal"] = sp.simplify(
        beta_mean.xreplace({a_: posterior_alpha, b_: post0 - posterior_alpha}) - mean) == 0
    steps.append(Step("mean", mean, "posterior mean (a coordinate's marginal is Beta($\\alpha'_k$, $\\alpha'_0 - \\alpha'_k$))",
                      lhs=r"\mathbb{E}[q_k \mid y]"))
    laplace = mean.xreplace({alpha[k]: 1, alpha[j]: 1}).doit()
    steps.append(Step("laplace", laplace, "Laplace smoothing: $\\alpha_k = 1$", lhs=r"\hat{q}_k"))
    # MAP on the simplex: d/dq_k [nlp + nu (sum_k q_k - 1)] = 0
    nu, qk = sp.Symbol("nu", positive=True), sp.Symbol("q_k", positive=True)
    stationary = sp.solve(sp.diff(nlp_summand.xreplace({q[k]: qk}), qk) + nu, qk)
    (mode_nu,) = stationary
    # sum_k q_k = 1: sum_k (alpha'_k - 1) / nu = 1 -> nu = alpha'_0 - K
    nu_value = sp.solve(sp.Eq(split_sums(sp.Sum(sp.expand(mode_nu * nu), (k, 1, K))).xreplace(
        {sp.Sum(c[k], (k, 1, K)): n}) / nu, 1), nu)[0].xreplace({sp.Sum(alpha[k], (k, 1, K)): alpha0})
    mode = sp.simplify(mode_nu.xreplace({nu: nu_value}))
    steps.append(Step("map", mode, "MAP: Lagrange multiplier $\\nu = \\alpha'_0 - K$ for $\\sum_k q_k = 1$",
                      lhs=r"\hat{q}_{k,\mathrm{MAP}}"))
    grad_at_mode = sp.simplify(sp.diff(nlp_summand.xreplace({q[k]: qk}), qk).xreplace({qk: mode}))
    checks["map_gradient_is_constant_over_classes"] = k not in grad_at_mode.free_symbols and sp.simplify(grad_at_mode + nu_value) == 0
    u = sp.Symbol("u", positive=True)  # alpha'_k = 1 + u: an interior mode
    curvature = sp.diff(nlp_summand.xreplace({q[k]: qk}), qk, 2).xreplace({c[k]: 1 + u - alpha[k]})
    checks["map_hessian_positive"] = bool(sp.simplify(curvature).is_positive)
    # label smoothing, shared q over n examples
    per_example = sp.Sum(-((1 - eps) * y[i, k] + eps / K) * sp.log(q[k]), (k, 1, K))
    # sum over the examples inside the sum over the classes (finite sums commute); c_k = sum_i y_ik
    smoothed_total = split_sums(sp.Sum(split_sums(sp.Sum(sp.expand(per_example.function), (i, 1, n))), (k, 1, K)))
    smoothed_total = split_sums(smoothed_total.xreplace({sp.Sum(y[i, k], (i, 1, n)): c[k]}))
    a_ls = sp.Dummy("alpha", positive=True)
    map_objective = -sp.Sum(c[k] * sp.log(q[k]), (k, 1, K)) - (a_ls - 1) * sp.Sum(sp.log(q[k]), (k, 1, K))
    (ls_alpha,) = sp.solve(sp.expand(split_sums(smoothed_total - (1 - eps) * map_objective)).coeff(
        sp.Sum(sp.log(q[k]), (k, 1, K))), a_ls)
    checks["label_smoothing_is_map"] = sp.simplify(split_sums(smoothed_total - (1 - eps) * map_objective.xreplace(
        {a_ls: ls_alpha}))) == 0
    per_example_alpha = ls_alpha.xreplace({n: 1})
    steps.append(Step("label_smoothing", ls_alpha, "label smoothing $\\epsilon$ with one shared $q$: "
                      "$(1 - \\epsilon)$ times the negative log-posterior under a symmetric Dirichlet",
                      lhs=r"\alpha"))
    return DirichletUpdate(posterior_alpha, mean, mode, laplace, ls_alpha, per_example_alpha, checks, tuple(steps))
