"""The multivariate Normal with a full covariance matrix of symbolic size d.

    p(y; mu, Sigma) = exp(-(y - mu)^T Sigma^{-1} (y - mu) / 2) / sqrt((2 pi)^d det Sigma),
    y in R^d, Sigma positive definite

    gaussian_covariance   mu predicted, Sigma fixed   -> squared Mahalanobis distance
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as dsym
from derive.entries import Assumption, Reference, register
from derive.symbolic.constraints import POSITIVE_DEFINITE

d = dsym.size("d")

class QuadraticForm(sp.Expr):
    """The scalar v^T A v of a column vector v and a square matrix A, kept as one symbol
    of the textbook ((y - mu)^T Sigma^{-1} (y - mu)); ``doit`` computes it once v and A are
    explicit matrices.  Real for real v and symmetric A."""

    is_commutative = True

    def __new__(cls, v, A):
        return sp.Expr.__new__(cls, sp.sympify(v), sp.sympify(A))

    @property
    def vector(self):
        return self.args[0]

    @property
    def matrix(self):
        return self.args[1]

    def _eval_is_real(self):
        return True

    def _eval_is_extended_real(self):
        return True

    def doit(self, **hints):
        v, A = (a.doit(**hints) if hasattr(a, "doit") else a for a in self.args)
        if isinstance(v, sp.MatrixBase) and isinstance(A, sp.MatrixBase):
            return (v.T * A * v)[0, 0]
        explicit = [a for a in (v, A) if hasattr(a, "as_explicit")]
        try:
            v_, A_ = v.as_explicit(), A.as_explicit()
            return (v_.T * A_ * v_)[0, 0]
        except Exception:  # symbolic size: stays a quadratic form
            return QuadraticForm(v, A)

    def _latex(self, printer):
        v = printer._print(self.vector)
        if isinstance(self.vector, sp.MatAdd):  # (y - mu), the positive term first
            terms = sorted(self.vector.args, key=lambda t: t.could_extract_minus_sign())
            v = printer._print(terms[0])
            for t in terms[1:]:
                v += " - " + printer._print(-t) if t.could_extract_minus_sign() else " + " + printer._print(t)
            v = r"\left(%s\right)" % v
        return r"%s^{T} %s %s" % (v, printer._print(self.matrix), v)

    def _sympystr(self, printer):
        return "(%s).T*%s*(%s)" % (printer._print(self.vector), printer._print(self.matrix), printer._print(self.vector))


y_col = sp.MatrixSymbol("y", d, 1)
mu_col = sp.MatrixSymbol("mu", d, 1)
Sigma = sp.MatrixSymbol("Sigma", d, d)

register(Assumption(
    name="gaussian_covariance",
    title="Gaussian noise with a fixed covariance matrix",
    statement=r"y \sim \mathcal{N}(\mu, \Sigma),\quad y \in \mathbb{R}^d",
    words=r"The target vector is Gaussian around the predicted mean $\mu$ with a fixed covariance $\Sigma$.",
    loss_name="Mahalanobis (squared) distance",
    density=sp.exp(-QuadraticForm(y_col - mu_col, Sigma.I) / 2)
    / sp.sqrt((2 * sp.pi) ** d * sp.Determinant(Sigma)),
    data=(y_col,), params=(mu_col,), fixed=(Sigma,),
    domains={d: sp.Range(1, sp.oo), Sigma: POSITIVE_DEFINITE},
    support=dsym.REALS,
    references=(Reference(r"(y - \mu)^T \Sigma^{-1} (y - \mu)", "loss", label="squared Mahalanobis distance"),),
    order=510,
))
