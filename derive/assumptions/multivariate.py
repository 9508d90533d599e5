"""Vector-valued targets: independent coordinates and a full covariance."""

from __future__ import annotations

import sympy as sp

from derive import symbols as S
from derive.assumptions.base import Assumption, Reference, register
from derive.symbolic.constraints import POSITIVE_DEFINITE

j = S.j
d = S.size("d")
sigma = S.sigma
y_vec = S.indexed_base("y", S.REALS)
yhat_vec = S.indexed_base("yhat", S.REALS)

register(Assumption(
    name="multivariate_gaussian",
    title="Isotropic Gaussian noise on a vector",
    statement=r"y \sim \mathcal{N}(\hat{y}, \sigma^2 I_d),\quad y \in \mathbb{R}^d",
    words=r"Each of the $d$ coordinates of the target is the prediction plus independent Gaussian noise of variance $\sigma^2$.",
    loss_name="sum of squared errors over the coordinates",
    density=sp.Product(sp.exp(-(y_vec[j] - yhat_vec[j]) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2),
                       (j, 1, d)),
    data=(y_vec,), params=(yhat_vec,), fixed=(sigma, d),
    domains={y_vec: S.REALS, yhat_vec: S.REALS, sigma: S.POSITIVE, d: sp.Range(1, sp.oo)},
    support=S.REALS,
    vector_index=(j, 1, d),
    references=(Reference(r"\sum_{j=1}^{d} (y_j - \hat{y}_j)^2", "loss", label="squared Euclidean error"),),
))


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
    support=S.REALS,
    references=(Reference(r"(y - \mu)^T \Sigma^{-1} (y - \mu)", "loss", label="squared Mahalanobis distance"),),
))
