"""The function table: every name the reader applies as a function, in one place.

A name followed by a parenthesised argument is a function value only when this table knows
it, when the caller declares it (``parse_latex(text, functions={"f"})``, an opaque
``sympy.Function``), or under the documented head rules of ``docs/LATEX.md``; otherwise the
reader refuses it and says how to write it either way.  ``docs/LATEX.md`` prints this table
(``function_table_markdown``); a test keeps the two the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

__all__ = [
    "COMMAND_HEADS", "FUNCTIONS", "KnownFunction", "SUBSCRIPTED_HEADS", "WORD_HEADS",
    "apply_function", "function_table_markdown",
]


class ShapeError(ValueError):
    """A known function applied to an argument of the wrong shape (caught and reported)."""


def _is_matrix(x: sp.Basic) -> bool:
    return isinstance(x, sp.MatrixExpr) or isinstance(x, sp.MatrixBase)


def _scalar(name: str, fn: Callable[..., sp.Basic]) -> Callable[..., sp.Basic]:
    def build(*args: sp.Basic) -> sp.Basic:
        if any(_is_matrix(a) for a in args):
            raise ShapeError(f"{name} applies to numbers, not to a matrix")
        return fn(*args)
    return build


def _square(name: str, fn: Callable[[sp.Basic], sp.Basic]) -> Callable[[sp.Basic], sp.Basic]:
    def build(x: sp.Basic) -> sp.Basic:
        if not _is_matrix(x):
            raise ShapeError(f"{name} of {x}, which is not a matrix: give the matrices in symbols= "
                             "(e.g. MatrixSymbol('Sigma', d, d))")
        if x.shape[0] != x.shape[1]:
            raise ShapeError(f"{name} of a {x.shape[0]} x {x.shape[1]} matrix: it must be square")
        return fn(x).doit() if isinstance(x, sp.MatrixBase) else fn(x)  # of explicit entries: evaluated
    return build


def _diag(*args: sp.Basic) -> sp.Basic:
    if len(args) == 1 and _is_matrix(args[0]):
        (v,) = args
        if 1 not in v.shape:
            raise ShapeError(f"diag of a {v.shape[0]} x {v.shape[1]} matrix: it takes a vector")
        return sp.DiagMatrix(v if v.shape[1] == 1 else v.T)
    if any(_is_matrix(a) for a in args):
        raise ShapeError("diag takes one vector or several numbers")
    return args[0] if len(args) == 1 else sp.ImmutableMatrix(sp.diag(*args))


#: The bound index of the multivariate gamma's product (a name no formula writes).
_GAMMA_INDEX = sp.Symbol("m_Gamma", integer=True, positive=True)


def _multigamma(p: sp.Basic, a: sp.Basic) -> sp.Basic:
    """Gamma_p(a) = pi^{p(p-1)/4} prod_{m=1}^{p} Gamma(a + (1 - m)/2) (SymPy's multigamma
    cannot decide its own sign for a symbolic p)."""
    value = sp.pi ** (p * (p - 1) / 4) * sp.Product(sp.gamma(a + (1 - _GAMMA_INDEX) / 2), (_GAMMA_INDEX, 1, p))
    return value.doit() if p.is_Integer else value


def _logsumexp(*args: sp.Basic) -> sp.Basic:
    return sp.log(sp.Add(*(sp.exp(a) for a in args)))


@dataclass(frozen=True)
class KnownFunction:
    """One function: how it is written, what it means, how many arguments it takes."""

    key: str
    written: str  # the spellings, for the docs
    meaning: str  # the SymPy reading, for the docs
    arity: tuple[int, ...]  # accepted numbers of parenthesised arguments (0: any number >= 1)
    build: Callable[..., sp.Basic]
    parameter: bool = False  # takes a subscript parameter first (Gamma_p, I_nu, K_nu)


_SQRT2 = sp.sqrt(2)

_TABLE = [
    KnownFunction("gamma", r"`\Gamma(x)`, `\operatorname{Gamma}(x)`", "gamma(x)", (1,), _scalar("Gamma", sp.gamma)),
    KnownFunction("multigamma", r"`\Gamma_p(a)` (multivariate gamma)",
                  "pi**(p*(p - 1)/4) * Product(gamma(a + (1 - m_Gamma)/2), (m_Gamma, 1, p))", (1,),
                  _scalar("Gamma_p", _multigamma), parameter=True),
    KnownFunction("digamma", r"`\psi(x)`, `\operatorname{digamma}(x)`", "digamma(x) = polygamma(0, x)", (1,),
                  _scalar("digamma", sp.digamma)),
    KnownFunction("polygamma", r"`\psi^{(m)}(x)`, `\operatorname{polygamma}(m, x)`", "polygamma(m, x)", (2,),
                  _scalar("polygamma", sp.polygamma)),
    KnownFunction("beta", r"`\mathrm{B}(a, b)`, `\operatorname{B}(a, b)`, `\operatorname{Beta}(a, b)`",
                  "beta(a, b)", (2,), _scalar("B", sp.beta)),
    KnownFunction("besseli", r"`I_\nu(x)` (modified Bessel, first kind)", "besseli(nu, x)", (1,),
                  _scalar("I_nu", sp.besseli), parameter=True),
    KnownFunction("besselk", r"`K_\nu(x)` (modified Bessel, second kind)", "besselk(nu, x)", (1,),
                  _scalar("K_nu", sp.besselk), parameter=True),
    KnownFunction("erf", r"`\operatorname{erf}(x)`, `\mathrm{erf}(x)`", "erf(x)", (1,), _scalar("erf", sp.erf)),
    KnownFunction("erfc", r"`\operatorname{erfc}(x)`", "erfc(x)", (1,), _scalar("erfc", sp.erfc)),
    KnownFunction("normal_cdf", r"`\Phi(x)` (standard normal CDF)", "(1 + erf(x/sqrt(2)))/2", (1,),
                  _scalar("Phi", lambda x: (1 + sp.erf(x / _SQRT2)) / 2)),
    KnownFunction("trace", r"`\operatorname{tr}(A)`, `\mathrm{tr}(A)`, `\operatorname{trace}(A)`, `\operatorname{Tr}(A)`",
                  "Trace(A) (A must be a declared matrix)", (1,), _square("the trace", sp.Trace)),
    KnownFunction("det", r"`\det(A)`, `\det A`, `\operatorname{det}(A)`, A between absolute-value bars (A a declared matrix)",
                  "Determinant(A) (A must be a declared matrix)", (1,), _square("the determinant", sp.Determinant)),
    KnownFunction("diag", r"`\operatorname{diag}(v)`, `\operatorname{diag}(a, b, ...)`",
                  "DiagMatrix(v), or the diagonal matrix of the numbers", (0,), _diag),
    KnownFunction("sigmoid", r"`\operatorname{sigmoid}(x)`, `\operatorname{expit}(x)`", "1/(1 + exp(-x))", (1,),
                  _scalar("sigmoid", lambda x: 1 / (1 + sp.exp(-x)))),
    KnownFunction("logit", r"`\operatorname{logit}(p)`", "log(p/(1 - p))", (1,),
                  _scalar("logit", lambda p: sp.log(p / (1 - p)))),
    KnownFunction("softplus", r"`\operatorname{softplus}(x)`", "log(1 + exp(x))", (1,),
                  _scalar("softplus", lambda x: sp.log(1 + sp.exp(x)))),
    KnownFunction("logsumexp", r"`\operatorname{logsumexp}(a, b, ...)`, `\operatorname{LSE}(...)`; of one vector z: "
                  r"`\operatorname{logsumexp}(z)`", "log(exp(a) + exp(b) + ...); log(Sum(exp(z[j]), (j, 1, N_{z})))",
                  (0,), _scalar("logsumexp", _logsumexp)),
    KnownFunction("softmax", r"`\operatorname{softmax}(z)_k` (a component of a vector z)",
                  "exp(z[k])/Sum(exp(z[j]), (j, 1, N_{z}))", (1,), _scalar("softmax", lambda z: z)),
    KnownFunction("floor", r"`\lfloor x \rfloor`, `\operatorname{floor}(x)`", "floor(x)", (1,), _scalar("floor", sp.floor)),
    KnownFunction("ceil", r"`\lceil x \rceil`, `\operatorname{ceil}(x)`", "ceiling(x)", (1,), _scalar("ceil", sp.ceiling)),
    KnownFunction("sign", r"`\operatorname{sign}(x)`, `\operatorname{sgn}(x)`", "sign(x)", (1,), _scalar("sign", sp.sign)),
    KnownFunction("indicator", r"`\mathbb{1}[c]`, `\mathbb{1}\{c\}`, `\mathbb{1}_{c}`, `\mathbf{1}[c]`, `\mathbb{I}[c]`, "
                  r"Iverson `[c]` (c a relation such as `y = 0`, `x > 1`, `y \neq k`)", "Piecewise((1, c), (0, True))",
                  (1,), lambda c: sp.Piecewise((1, c), (0, True))),
]

#: key -> the function.
FUNCTIONS: dict[str, KnownFunction] = {f.key: f for f in _TABLE}

#: ``\cmd(...)``: commands that are functions (besides \log, \exp, ... of commands.NAMED_FUNCTIONS).
COMMAND_HEADS = {"psi": "digamma", "Gamma": "gamma", "Phi": "normal_cdf"}
#: ``\operatorname{w}(...)``, ``\mathrm{w}(...)``, ``\text{w}(...)``: words that are functions.
WORD_HEADS = {
    "Gamma": "gamma", "digamma": "digamma", "polygamma": "polygamma", "B": "beta", "Beta": "beta",
    "erf": "erf", "erfc": "erfc", "tr": "trace", "trace": "trace", "Tr": "trace", "det": "det", "diag": "diag",
    "sigmoid": "sigmoid", "expit": "sigmoid", "logit": "logit", "softplus": "softplus",
    "logsumexp": "logsumexp", "LSE": "logsumexp", "softmax": "softmax", "floor": "floor", "ceil": "ceil",
    "sign": "sign", "sgn": "sign",
}
#: ``X_{param}(...)``: subscripted names that are functions of a parameter.
SUBSCRIPTED_HEADS = {"Gamma": "multigamma", "I": "besseli", "K": "besselk"}


def apply_function(key: str, args: list[sp.Basic]) -> sp.Basic:
    """The SymPy value of the known function ``key`` at ``args`` (a parameter first, if any).

    Raises ``ShapeError`` (a ``ValueError``) for a matrix where a number is needed, and the
    reverse; the caller turns it into a ParseError."""
    return FUNCTIONS[key].build(*args)


def function_table_markdown() -> str:
    """The table as docs/LATEX.md prints it."""
    rows = ["| function | written as | read as |", "|---|---|---|"]
    for f in _TABLE:
        rows.append(f"| {f.key} | {f.written} | `{f.meaning}` |")
    return "\n".join(rows) + "\n"
