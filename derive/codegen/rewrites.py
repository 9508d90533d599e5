"""The stable forms generated code uses, and the table of rewrites into them.

Each stable function is a SymPy function with its definition in elementary functions
(``definition``) and the way it is evaluated, written as ``head + tail``: ``head`` is the part
computed exactly (a max, a logit), ``tail`` a small non-negative correction.  The printer adds
every head and ordinary term first and the tails last, so that ``softplus(z) - y z`` at
z = 30, y = 1 is ``(max(z, 0) - y z) + log1p(e^{-|z|})``: no cancellation.

Each :class:`Rewrite` replaces a pattern of a derived formula (``log(1 + e^x)``) by a stable
function; its identity ``before == after`` is proved by :func:`derive.equivalent` in the test
suite, on each sign of the argument where the evaluation takes |x| or max(x, 0) (``cases``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from derive.gradients import sigmoid

x = sp.Symbol("x", real=True)
u = sp.Symbol("u", positive=True)
a = sp.Symbol("a", real=True)


class Stable(sp.Function):
    """A function evaluated stably; ``definition(*args)`` in elementary functions."""

    @classmethod
    def definition(cls, *args):
        raise NotImplementedError

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return self.definition(*args)

    def _latex(self, printer):
        name = type(self).__name__.replace("_", r"\_")
        return rf"\operatorname{{{name}}}\left({', '.join(printer._print(a) for a in self.args)}\right)"


class softplus(Stable):
    """softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^{-|x|})."""

    @classmethod
    def definition(cls, x):
        return sp.log(1 + sp.exp(x))


class logcosh(Stable):
    """log cosh(x) = log1p(2 sinh(x/2)^2) for |x| < 1 (no cancellation near 0), else
    |x| + log1p(e^{-2|x|}) - log 2 (no overflow)."""

    @classmethod
    def definition(cls, x):
        return sp.log(sp.cosh(x))


class log1p(Stable):
    """log1p(x) = log(1 + x), accurate for small x."""

    @classmethod
    def definition(cls, x):
        return sp.log(1 + x)


class expm1(Stable):
    """expm1(x) = e^x - 1, accurate for small x."""

    @classmethod
    def definition(cls, x):
        return sp.exp(x) - 1


class xlogy(Stable):
    """xlogy(a, b) = a log b, and 0 where a = 0 (a label that is 0 times the log of 0)."""

    @classmethod
    def definition(cls, a, b):
        return a * sp.log(b)


class xlog1py(Stable):
    """xlog1py(a, b) = a log(1 + b), and 0 where a = 0."""

    @classmethod
    def definition(cls, a, b):
        return a * sp.log(1 + b)


class logsumexp(Stable):
    """logsumexp(z) over the last axis = log sum_j e^{z_j} = max_j z_j + log sum_j e^{z_j - max z}.
    Args (z, j, K): the IndexedBase, the dummy, the size."""

    @classmethod
    def definition(cls, z, j, K):
        return sp.log(sp.Sum(sp.exp(z[j]), (j, 1, K)))

    def _latex(self, printer):
        return rf"\operatorname{{logsumexp}}\left({printer._print(self.args[0])}\right)"


class lgamma(Stable):
    """lgamma(x) = log Gamma(x) for x > 0 (log(y!) = lgamma(y + 1))."""

    @classmethod
    def definition(cls, x):
        return sp.log(sp.gamma(x))


class logit_ratio(Stable):
    """(2p - 1) / logit(p) = (2p - 1) / (log p - log(1 - p)), and its limit 1/2 at p = 1/2 (a
    removable singularity: the continuous Bernoulli's normaliser).  Near 1/2 (|2p - 1| < 1/2) it is
    x / (2 atanh(x)) with x = 2p - 1, exact in floating point, and atanh accurate near 0; elsewhere
    the quotient as written, whose logs keep a p of 1e-300 (where 2p - 1 rounds to -1)."""

    @classmethod
    def definition(cls, p):
        return (2 * p - 1) / (sp.log(p) - sp.log(1 - p))


class log_ndtr(Stable):
    """log Phi(x) = log((1 + erf(x / sqrt 2)) / 2), the log of the standard normal CDF, evaluated
    without forming Phi (which underflows below x = -38, and 1 - Phi above x = 8.3)."""

    @classmethod
    def definition(cls, x):
        return sp.log((1 + sp.erf(x / sp.sqrt(2))) / 2)

    def fdiff(self, argindex=1):
        """d/dx log Phi(x) = phi(x) / Phi(x) = e^(-x^2/2 - log Phi(x)) / sqrt(2 pi): no 0/0 in the tails."""
        x = self.args[0]
        return sp.exp(-x**2 / 2 - log_ndtr(x)) / sp.sqrt(2 * sp.pi)

    def _latex(self, printer):
        return rf"\log \Phi\left({printer._print(self.args[0])}\right)"


class log_ndtr_diff(Stable):
    """log(Phi(b) - Phi(a)) for b > a, the log of a normal interval's probability: from the
    tail the interval lies in, log Phi(b) + log1p(-e^(log Phi(a) - log Phi(b))) for a <= 0, and
    mirrored, log Phi(-a) + log1p(-e^(log Phi(-b) - log Phi(-a))), for a > 0 (Phi(b) and Phi(a)
    both round to 1 far in the upper tail: their difference would be 0)."""

    @classmethod
    def definition(cls, b, a):
        return sp.log((sp.erf(b / sp.sqrt(2)) - sp.erf(a / sp.sqrt(2))) / 2)

    def fdiff(self, argindex=1):
        """d/db = phi(b) / (Phi(b) - Phi(a)), d/da = -phi(a) / (Phi(b) - Phi(a)), each as
        e^(-x^2/2 - log(Phi(b) - Phi(a))) / sqrt(2 pi)."""
        b, a = self.args
        x, sign = (b, 1) if argindex == 1 else (a, -1)
        return sign * sp.exp(-x**2 / 2 - self) / sp.sqrt(2 * sp.pi)

    def _latex(self, printer):
        b, a = (printer._print(x) for x in self.args)
        return rf"\log\left(\Phi\left({b}\right) - \Phi\left({a}\right)\right)"


STABLE = (softplus, logcosh, log1p, expm1, xlogy, xlog1py, logsumexp, lgamma, logit_ratio, log_ndtr, log_ndtr_diff)


@dataclass(frozen=True)
class Rewrite:
    """``before`` -> ``after``: ``apply`` rewrites one node (or returns None).  ``proof``: the
    identity's sides in the table's symbols, with the substitutions (``cases``) under which it is
    proved -- each sign of x where the evaluation splits on it.  ``lift``: compare exp of both sides
    (exp is one-to-one on the reals) when SymPy proves the exponentiated form more easily."""

    name: str
    before: sp.Expr
    after: sp.Expr
    apply: Callable[[sp.Expr], sp.Expr | None]
    evaluation: sp.Expr | tuple  # what the code computes, in elementary functions (each branch)
    cases: tuple[dict, ...] = ({},)
    lift: bool = False
    why: str = ""
    anchor: dict | None = None  # prove d/dx of both sides equal, and the sides equal at this point

    def identities(self) -> list[tuple[sp.Expr, sp.Expr]]:
        """The equalities whose proofs establish ``before == evaluation`` on the domain."""
        out = []
        forms = self.evaluation if isinstance(self.evaluation, tuple) else (self.evaluation,)
        for case, form in itertools.product(self.cases, forms):
            lhs, rhs = self.before.xreplace(case), form.xreplace(case)
            lhs = lhs.rewrite(sp.exp) if lhs.has(sigmoid) else lhs  # sigma(x) by its definition
            # atanh(x) by its definition on (-1, 1), (log(1 + x) - log(1 - x)) / 2: the cases keep x there
            rhs = rhs.rewrite(sp.log) if rhs.has(sp.atanh) else rhs
            if self.lift:
                lhs, rhs = sp.exp(lhs), sp.exp(rhs)
            if self.anchor:
                (var,) = self.anchor
                out += [(sp.diff(lhs, var), sp.diff(rhs, var)), (lhs.xreplace(self.anchor), rhs.xreplace(self.anchor))]
            else:
                out.append((lhs, rhs))
        return out


def _log_of(node, test):
    return isinstance(node, sp.log) and test(node.args[0])


def _one_plus(arg) -> sp.Expr | None:
    """1 + r -> r (an Add with the constant 1), else None."""
    if isinstance(arg, sp.Add) and sp.S.One in arg.args:
        return arg - 1
    return None


def _softplus(node):
    if _log_of(node, lambda g: (r := _one_plus(g)) is not None and isinstance(r, sp.exp)):
        return softplus(_one_plus(node.args[0]).args[0])
    return None


def _logcosh(node):
    if _log_of(node, lambda g: isinstance(g, sp.cosh)):
        return logcosh(node.args[0].args[0])
    return None


def _tanh(node):
    if isinstance(node, sp.Mul):
        for f in node.args:
            if isinstance(f, sp.sinh) and sp.cosh(f.args[0]) ** -1 in node.args:
                return node / f * sp.cosh(f.args[0]) * sp.tanh(f.args[0])
    return None


def _sigmoid_minus(node):
    """sigma(x) + r -> (1 + r) sigma(x) + r sigma(-x): the same for every r (sigma(x) + sigma(-x) = 1)."""
    if isinstance(node, sp.Add):
        s = [t for t in node.args if isinstance(t, sigmoid)]
        if len(s) == 1:
            r = node - s[0]
            if not r.has(s[0].args[0]) and r != 0:
                return (1 + r) * s[0] + r * sigmoid(-s[0].args[0])
    return None


def _erf_log(arg) -> sp.Expr | None:
    """log(A + B erf(w)) with B = +-A, A > 0 (a normal CDF or tail times 2A):
    log(2A) + log_ndtr(+-sqrt(2) w), else None."""
    if not (isinstance(arg, sp.Add) and len(arg.args) == 2):
        return None
    const = [t for t in arg.args if t.is_number]
    rest = [t for t in arg.args if not t.is_number]
    if len(const) != 1 or len(rest) != 1 or not const[0].is_positive:
        return None
    coefficient, erfs = rest[0].as_coeff_mul()
    if len(erfs) != 1 or not isinstance(erfs[0], sp.erf) or abs(coefficient) != const[0]:
        return None
    return sp.log(2 * const[0]) + log_ndtr(sp.sign(coefficient) * sp.sqrt(2) * erfs[0].args[0])


def _erf_diff_log(arg) -> sp.Expr | None:
    """log(c erf(w1) - c erf(w2)), c > 0 (twice c times a normal interval's probability):
    log(2c) + log_ndtr_diff(sqrt(2) w1, sqrt(2) w2), else None."""
    if not (isinstance(arg, sp.Add) and len(arg.args) == 2):
        return None
    terms = [t.as_coeff_mul() for t in arg.args]
    if not all(len(f) == 1 and isinstance(f[0], sp.erf) for _, f in terms):
        return None
    (c1, (e1,)), (c2, (e2,)) = terms
    if c1 != -c2 or c1 == 0:
        return None
    (c, upper), lower = ((c1, e1), e2) if c1 > 0 else ((c2, e2), e1)
    return sp.log(2 * c) + log_ndtr_diff(sp.sqrt(2) * upper.args[0], sp.sqrt(2) * lower.args[0])


def _log_ndtr(node):
    """log(A +- A erf(w)) -> log(2A) + log_ndtr(+-sqrt(2) w); and a quotient e^u / (A +- A erf(w))
    (a Gaussian's density over its CDF or tail: Mills' ratio) -> e^(u - log(A +- A erf(w))), the
    log then rewritten: e^u and the tail each under- or overflow where the quotient does not."""
    if isinstance(node, sp.log):
        return _erf_log(node.args[0])
    if not isinstance(node, sp.Mul):
        return None
    for factor in node.args:
        if isinstance(factor, sp.Pow) and factor.exp == -1 and factor.base.has(sp.erf):
            base = sp.factor_terms(factor.base)
            parts = sp.Mul.make_args(base)
            tails = [(p, _erf_log(p)) for p in parts if _erf_log(p) is not None]
            if len(tails) != 1:
                continue
            tail, log_tail = tails[0]
            rest = node / factor * tail / base  # the other factors, and the base's other factors
            exps = [f for f in sp.Mul.make_args(rest) if isinstance(f, sp.exp)]
            exponent = sp.Add(*(f.args[0] for f in exps))
            return sp.Mul(*(f for f in sp.Mul.make_args(rest) if not isinstance(f, sp.exp))) * sp.exp(exponent - log_tail)
    return None


def _log1p(node):
    if _log_of(node, lambda g: _one_plus(g) is not None):
        return log1p(_one_plus(node.args[0]))
    return None


def _expm1(node):
    if isinstance(node, sp.Add) and sp.S.NegativeOne in node.args and len(node.args) == 2:
        rest = node - sp.S.NegativeOne
        if isinstance(rest, sp.exp):
            return expm1(rest.args[0])
    return None


def _lse(node):
    if _log_of(node, lambda g: isinstance(g, sp.Sum) and isinstance(g.function, sp.exp)
               and isinstance(g.function.args[0], sp.Indexed) and len(g.limits) == 1):
        s = node.args[0]
        (j, lo, hi), zj = s.limits[0], s.function.args[0]
        if lo == 1 and zj.indices == (j,):
            return logsumexp(zj.base, j, hi)
    return None


def _lgamma(node):
    if _log_of(node, lambda g: isinstance(g, sp.gamma)):
        return lgamma(node.args[0].args[0])
    if _log_of(node, lambda g: isinstance(g, sp.factorial)):
        return lgamma(node.args[0].args[0] + 1)
    return None


def _lbinom(node):
    if _log_of(node, lambda g: isinstance(g, sp.binomial)):
        n, k = node.args[0].args
        return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
    return None


def _logit_ratio(node):
    """(2p - 1) / (log p - log1p(-p)) (log(1 - p) already rewritten) -> logit_ratio(p)."""
    if not isinstance(node, sp.Mul):
        return None
    for factor in node.args:
        if not (isinstance(factor, sp.Pow) and factor.exp == -1 and isinstance(factor.base, sp.Add)
                and len(factor.base.args) == 2):
            continue
        plain = [t for t in factor.base.args if isinstance(t, sp.log)]
        minus = [t for t in factor.base.args if isinstance(-t, log1p)]
        if len(plain) == 1 and len(minus) == 1 and (-minus[0]).args[0] == -plain[0].args[0]:
            p = plain[0].args[0]
            quotient = sp.cancel(node / factor / (2 * p - 1))
            if not quotient.has(p):
                return quotient * logit_ratio(p)
    return None


_n, _k = sp.Symbol("n", integer=True, nonnegative=True), sp.Symbol("k", integer=True, nonnegative=True)
_p = sp.Symbol("p", positive=True)  # a probability: the identity is proved for 0 < p < 1 (its case below)


REWRITES: tuple[Rewrite, ...] = (
    Rewrite("softplus", sp.log(1 + sp.exp(x)), softplus(x), _softplus,
            sp.Max(x, 0) + sp.log(1 + sp.exp(-sp.Abs(x))), ({x: u}, {x: -u}),
            why="log(1 + e^x) overflows at x = 710 in float64, x = 89 in float32"),
    Rewrite("logcosh", sp.log(sp.cosh(x)), logcosh(x), _logcosh,
            (sp.Abs(x) + sp.log(1 + sp.exp(-2 * sp.Abs(x))) - sp.log(2), sp.log(1 + 2 * sp.sinh(x / 2) ** 2)),
            ({x: u}, {x: -u}), lift=True, why="cosh overflows at |x| = 710; log(cosh x) cancels near 0"),
    Rewrite("tanh", sp.sinh(x) / sp.cosh(x), sp.tanh(x), _tanh, sp.tanh(x),
            why="sinh/cosh is inf/inf = nan at |x| > 710"),
    Rewrite("sigmoid_minus", sigmoid(x) + a, (1 + a) * sigmoid(x) + a * sigmoid(-x), _sigmoid_minus,
            (1 + a) / (1 + sp.exp(-x)) + a / (1 + sp.exp(x)), ({x: sp.log(u)},),  # e^x = u ranges over (0, oo)
            why="sigma(z) - y cancels at y = 1, z = 30 (1 - 1e-13); (1 - y) sigma(z) - y sigma(-z) does not"),
    Rewrite("logsumexp", logsumexp.definition(sp.IndexedBase("z", real=True), sp.Symbol("j", integer=True, positive=True),
                                              sp.Symbol("K", integer=True, positive=True)),
            logsumexp(sp.IndexedBase("z", real=True), sp.Symbol("j", integer=True, positive=True),
                      sp.Symbol("K", integer=True, positive=True)), _lse,
            a + sp.log(1 + (sp.Sum(sp.exp(sp.IndexedBase("z", real=True)[sp.Symbol("j", integer=True, positive=True)] - a),
                                   (sp.Symbol("j", integer=True, positive=True), 1,
                                    sp.Symbol("K", integer=True, positive=True))) - 1)),
            why="any shift a, in code the largest logit m: no exponent above 0, and log1p of the sum "
                "without the largest term's 1 (added exactly): lse - z_max is accurate when it is tiny"),
    Rewrite("lgamma", sp.log(sp.gamma(u)), lgamma(u), _lgamma, sp.loggamma(u), anchor={u: 1},
            why="Gamma overflows at 171.6; log(y!) is lgamma(y + 1)"),
    Rewrite("lbinom", sp.log(sp.binomial(_n + _k, _k)), lgamma(_n + _k + 1) - lgamma(_k + 1) - lgamma(_n + 1), _lbinom,
            sp.log(sp.gamma(_n + _k + 1)) - sp.log(sp.gamma(_k + 1)) - sp.log(sp.gamma(_n + 1)), lift=True,
            why="log C(N, y) from three lgamma (then the lgamma row): C(1e6, 5e5) overflows; written for N = n + k"),
    Rewrite("log_ndtr", sp.log(1 + sp.erf(x)), sp.log(2) + log_ndtr(sp.sqrt(2) * x), _log_ndtr,
            sp.log(2) + sp.log((1 + sp.erf(x)) / 2),
            why="1 - erf(x) underflows to 0 at x = 6.5 (log of 0); the tail's log, and Mills' ratio "
                "e^(-x^2)/(1 - erf x), are finite far beyond"),
    Rewrite("log_ndtr_diff", sp.log(sp.erf(x + u) - sp.erf(x)), sp.log(2) + log_ndtr_diff(sp.sqrt(2) * (x + u), sp.sqrt(2) * x),
            lambda node: _erf_diff_log(node.args[0]) if isinstance(node, sp.log) else None,
            (sp.log(1 + sp.erf(x + u)) + sp.log(1 - (1 + sp.erf(x)) / (1 + sp.erf(x + u))),
             sp.log(1 - sp.erf(x)) + sp.log(1 - (1 - sp.erf(x + u)) / (1 - sp.erf(x)))), lift=True,
            why="erf(b) - erf(a) is 1 - 1 = 0 when both are far in the upper tail (b > a > 6), and the "
                "difference of two tiny CDFs in the lower tail loses its digits"),
    Rewrite("log1p", sp.log(1 + x), log1p(x), _log1p, sp.log(1 + x),
            why="1 + x loses the digits of a small x (log(1 - p) at p = 1e-20)"),
    Rewrite("expm1", sp.exp(x) - 1, expm1(x), _expm1, sp.exp(x) - 1, why="e^x - 1 cancels at small x"),
    Rewrite("logit_ratio", (2 * _p - 1) / (sp.log(_p) - sp.log(1 - _p)), logit_ratio(_p), _logit_ratio,
            ((2 * _p - 1) / (2 * sp.atanh(2 * _p - 1)), (2 * _p - 1) / (sp.log(_p) - sp.log(1 - _p))),
            ({_p: 1 / (1 + u)},),  # p = 1/(1 + u), u > 0: every p in (0, 1)
            why="0/0 at p = 1/2 (the continuous Bernoulli's normaliser); near it log p - log(1 - p) cancels"),
)

#: Products a*log(b) with a datum a (a label or count that may be 0 where b is 0) become
#: xlogy/xlog1py, whose value at a = 0 is 0: the limit of a log b along a = 0, not nan.
XLOGY = Rewrite("xlogy", a * sp.log(u), xlogy(a, u), lambda n: None, a * sp.log(u),
                why="0 * log 0 is nan in floating point; the loss's value there is 0")


def rewrite(expr: sp.Expr, data: tuple) -> tuple[sp.Expr, tuple[str, ...]]:
    """Apply the table bottom-up, then xlogy where a datum multiplies a log; returns the new
    expression and the names of the rewrites used."""
    used: list[str] = []

    def visit(node):
        if not node.args or isinstance(node, (sp.Indexed, sp.IndexedBase)):
            return node
        node = node.func(*[visit(arg) for arg in node.args]) if not isinstance(node, sp.Sum) else \
            sp.Sum(visit(node.function), *node.limits)
        for rule in REWRITES:
            new = rule.apply(node)
            if new is not None:
                used.append(rule.name)
                return new
        return node

    out = visit(sp.expand_log(expr))  # log of a product of positive factors: a sum of logs
    out, xl = _xlogy(out, data)
    return out, tuple(dict.fromkeys(used + xl))


def _is_datum(e, data) -> bool:
    return bool(e.free_symbols) and all(
        any(s == d or (isinstance(d, sp.IndexedBase) and s == d.label) for d in data) or s.is_integer
        for s in e.free_symbols) and any(e.has(d) for d in data)


def _xlogy(expr, data) -> tuple[sp.Expr, list[str]]:
    used = []

    def fix(node):
        if not isinstance(node, sp.Mul):
            return node
        logs = [f for f in node.args if isinstance(f, (sp.log, log1p))]
        if len(logs) != 1:
            return node
        if logs[0].args[0].is_number:  # the log of a constant is finite: a * log 2 needs no guard
            return node
        rest = node / logs[0]
        coeff, datum = rest.as_independent(*data, as_Add=False) if data else (rest, sp.S.One)
        if datum == 1 or not _is_datum(datum, data):
            return node
        used.append("xlogy")
        inner = logs[0].args[0]
        return coeff * (xlogy(datum, inner) if isinstance(logs[0], sp.log) else xlog1py(datum, inner))

    return expr.replace(lambda e: isinstance(e, sp.Mul), fix), used
