"""The identities that make cross-entropy the loss, proved by SymPy and rendered as steps.

    H(P, Q)           = H(P) + D_KL(P || Q)           (K outcomes; densities on the real line)
    d/dtheta H(P, Q_theta) = d/dtheta D_KL(P || Q_theta)     (H(P) is free of theta)
    H(e_{k*}, Q)      = -log q_{k*}                   (one-hot P: the NLL of the true class)
    H(P_hat, Q)       = -(1/n) sum_i log q(x_i)       (empirical P: the NLL divided by n)
    D_KL(N(mu_p, sigma_p^2) || N(mu_q, sigma_q^2)), and the VAE term D_KL(N(mu, sigma^2) || N(0, 1))

An :class:`Identity` is proved when SymPy reduces lhs - rhs to 0 (:func:`.algebra.vanishes`)
and every two consecutive checkable steps are equal too: no numeric probing.  Rows that
name a quantity (``H(P)``) or hold an unevaluated expectation explain; they are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive import symbols as dsym
from derive.infotheory.algebra import vanishes
from derive.infotheory.closed_forms import kl_derivation
from derive.infotheory.families import bind
from derive.memo import memo
from derive.steps import Step, render, tex
from derive.symbolic.expectation import Expectation

KL_TEX = r"D_{\mathrm{KL}}"


class Named(sp.Symbol):
    """A quantity shown by name (``H(P)``): its LaTeX is its name, verbatim."""

    def _latex(self, printer) -> str:
        return self.name


@dataclass(frozen=True)
class Identity:
    """``statement`` (LaTeX) with sides ``lhs`` and ``rhs`` (SymPy), the ``steps`` from one
    to the other, the ``hypotheses`` it needs, and ``proved``: established by SymPy."""

    name: str
    title: str
    statement: str
    lhs: sp.Expr
    rhs: sp.Expr
    steps: tuple[Step, ...]
    proved: bool
    hypotheses: str = ""

    def to_latex(self) -> str:
        return render(self.steps)

    def _repr_latex_(self) -> str:
        return self.to_latex()


def _checkable(expr: sp.Basic) -> bool:
    return not expr.has(Named) and not expr.atoms(Expectation)


def _identity(name: str, title: str, statement: str, lhs: sp.Expr, rhs: sp.Expr, steps: list[Step],
              assumptions: sp.Boolean = sp.true, hypotheses: str = "") -> Identity:
    """An :class:`Identity`, proved: lhs - rhs and each consecutive checkable step vanish."""
    chain = [lhs] + [s.expr for s in steps if _checkable(s.expr)] + [rhs]
    proved = all(vanishes(a - b, assumptions) for a, b in zip(chain, chain[1:]))
    return Identity(name, title, statement, lhs, rhs, tuple(steps), proved, hypotheses)


# --------------------------------------------------------------------------- H = H + KL


THETA = sp.Symbol("theta", real=True)


def _measures(theta: sp.Symbol | None = None):
    """(kind, words, P(.), Q(.), sum-or-integrate over the outcomes) for K outcomes and for
    densities on the real line; Q depends on ``theta`` when given."""
    x = sp.Symbol("x", real=True)
    pf, qf = sp.Function("p", positive=True), sp.Function("q", positive=True)
    q_k = qf(dsym.k, theta) if theta is not None else dsym.indexed_base("q")[dsym.k]
    return (
        ("discrete", "K outcomes", dsym.indexed_base("p")[dsym.k], q_k, lambda body: sp.Sum(body, (dsym.k, 1, dsym.K))),
        ("density", "densities on the real line", pf(x), qf(x, theta) if theta is not None else qf(x),
         lambda body: sp.Integral(body, (x, -sp.oo, sp.oo))),
    )


def _quantities(p: sp.Expr, q: sp.Expr, over) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """H(P, Q), H(P), D_KL(P || Q) as sums or integrals."""
    return -over(p * sp.log(q)), -over(p * sp.log(p)), over(p * sp.log(p / q))


def _decomposition(kind: str, words: str, p: sp.Expr, q: sp.Expr, over) -> Identity:
    cross, ent, div = _quantities(p, q, over)
    steps = [
        Step("definition", cross, "definition of cross-entropy", lhs="H(P, Q)"),
        Step("split_log", -over(p * (sp.log(p) - sp.log(p / q))), r"$\log q = \log p - \log(p/q)$"),
        Step("linearity", sp.Add(ent, div, evaluate=False), "linearity"),
        Step("recognise", Named("H(P)") + Named(rf"{KL_TEX}(P \| Q)"), "entropy plus KL divergence"),
    ]
    return _identity(f"cross_entropy_decomposition_{kind}", f"Cross-entropy is entropy plus KL ({words})",
                     rf"H(P, Q) = H(P) + {KL_TEX}(P \| Q)", cross, ent + div, steps)


def _gradient(kind: str, words: str, p: sp.Expr, q: sp.Expr, over) -> Identity:
    cross, ent, div = _quantities(p, q, over)
    d = lambda e: sp.Derivative(e, THETA)  # noqa: E731
    steps = [
        Step("decompose", d(ent + div), rf"$H(P, Q_\theta) = H(P) + {KL_TEX}(P \| Q_\theta)$",
             lhs=r"\frac{\partial}{\partial \theta} H(P, Q_\theta)"),
        Step("linearity", sp.Add(d(ent), d(div), evaluate=False), "linearity of the derivative"),
        Step("constant", d(div), r"$H(P)$ does not depend on $\theta$"),
        Step("recognise", Named(rf"\frac{{\partial}}{{\partial \theta}} {KL_TEX}(P \| Q_\theta)"),
             "same gradient everywhere, hence the same minimisers"),
    ]
    return _identity(f"cross_entropy_gradient_is_kl_gradient_{kind}",
                     f"Minimising cross-entropy is minimising KL ({words})",
                     rf"\frac{{\partial}}{{\partial \theta}} H(P, Q_\theta) = "
                     rf"\frac{{\partial}}{{\partial \theta}} {KL_TEX}(P \| Q_\theta)",
                     d(cross), d(div), steps)


def _one_hot() -> Identity:
    kstar = sp.Symbol("k^*", integer=True, positive=True)
    q = dsym.indexed_base("q")
    cross = -sp.Sum(sp.KroneckerDelta(dsym.k, kstar) * sp.log(q[dsym.k]), (dsym.k, 1, dsym.K))
    rhs = -sp.log(q[kstar])
    steps = [
        Step("definition", cross, r"one-hot $P$: $p_k = [k = k^*]$", lhs=r"H(e_{k^*}, Q)"),
        Step("collapse", rhs, r"only $k = k^*$ survives ($1 \le k^* \le K$)"),
        Step("recognise", Named(r"\operatorname{NLL}(k^*)"), "the negative log-likelihood of the true class"),
    ]
    return _identity("one_hot_cross_entropy_is_nll", "One-hot cross-entropy is the NLL of the true class",
                     r"H(e_{k^*}, Q) = -\log q_{k^*}", cross, rhs, steps,
                     assumptions=sp.Q.le(kstar, dsym.K), hypotheses=r"1 \le k^* \le K")


def _empirical() -> Identity:
    x = sp.Symbol("x", real=True)
    # the sample's label is Symbol("x") without assumptions: a different symbol from the
    # real variable x, so that x_i does not contain x
    data, q = sp.IndexedBase("x"), sp.Function("q", positive=True)
    i, n = dsym.i, dsym.n
    p_hat = sp.Sum(sp.DiracDelta(x - data[i]), (i, 1, n)) / n
    cross = -sp.Integral(p_hat * sp.log(q(x)), (x, -sp.oo, sp.oo))
    rhs = -sp.Sum(sp.log(q(data[i])), (i, 1, n)) / n
    steps = [
        Step("definition", cross, r"$\hat{P}(x) = \frac{1}{n}\sum_i \delta(x - x_i)$", lhs=r"H(\hat{P}, Q)"),
        Step("exchange", -sp.Sum(sp.Integral(sp.DiracDelta(x - data[i]) * sp.log(q(x)), (x, -sp.oo, sp.oo)),
                                 (i, 1, n)) / n, "exchange the finite sum and the integral"),
        Step("sift", rhs, r"sifting property of $\delta$"),
        Step("recognise", Named(r"\frac{1}{n} \operatorname{NLL}(x_1, \dots, x_n)"),
             "the negative log-likelihood of the sample, divided by $n$"),
    ]
    return _identity("empirical_cross_entropy_is_nll", "Cross-entropy with the data is the NLL over n",
                     r"H(\hat{P}, Q) = -\frac{1}{n}\sum_{i=1}^{n} \log q(x_i)", cross, rhs, steps)


# --------------------------------------------------------------------------- Normal KL


def _normal_kl() -> Identity:
    cf = kl_derivation("normal", "normal")
    P, Q = bind("normal", "_p"), bind("normal", "_q")
    mp, sp_, mq, sq = P.s.mu, P.s.sigma, Q.s.mu, Q.s.sigma
    textbook = sp.log(sq / sp_) + (sp_**2 + (mp - mq) ** 2) / (2 * sq**2) - sp.Rational(1, 2)
    steps = [*cf.steps] + ([] if cf.expr == textbook else [Step("textbook", textbook, "rearranged")])
    return _identity("kl_normal_normal", "KL divergence between two Normals",
                     f"{cf.lhs} = {tex(textbook)}", cf.expr, textbook, steps)


def _vae_kl() -> Identity:
    cf = kl_derivation("normal", "normal")
    P, Q = bind("normal", "_p"), bind("normal", "_q")
    mu, sigma = dsym.symbol("mu"), dsym.sigma
    special = {P.s.mu: mu, P.s.sigma: sigma, Q.s.mu: sp.S.Zero, Q.s.sigma: sp.S.One}
    lhs = rf"{KL_TEX}\left(\mathcal{{N}}\left(\mu, \sigma^{{2}}\right) \,\middle\|\, \mathcal{{N}}(0, 1)\right)"
    textbook = (mu**2 + sigma**2 - 1 - sp.log(sigma**2)) / 2
    steps = [Step(s.label, s.expr.xreplace(special), s.note, lhs=lhs if s.lhs else None) for s in cf.steps
             if s.label != "rearrange"]  # the general textbook form is not the special case's
    steps.append(Step("textbook", textbook, r"the VAE term, with $\log \sigma^2$"))
    return _identity("kl_vae", "The VAE term: KL to the standard Normal", f"{lhs} = {tex(textbook)}",
                     cf.expr.xreplace(special), textbook, steps)


@memo("identities")
def _all() -> tuple[Identity, ...]:
    return (*(_decomposition(*m) for m in _measures()), *(_gradient(*m) for m in _measures(THETA)),
            _one_hot(), _empirical(), _normal_kl(), _vae_kl())


def identities() -> list[Identity]:
    """Every identity, proved (see each ``.proved``), in reading order."""
    return list(_all())
