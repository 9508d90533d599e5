"""Print a rewritten SymPy formula as a batched torch or NumPy expression.

Conventions: every argument is an array whose leading axes are the batch; a class-indexed
symbol y_k is an array with the classes on the last axis (0-based: SymPy's y[1] is y[..., 0]);
a sum over the classes is a reduction over the last axis (kept as a size-1 axis inside
formulas, so it broadcasts against per-class arrays); a free class index (a gradient
softmax(z)_k - y_k) is the whole last axis.  In a formula with class-indexed symbols, a
per-example scalar is given a trailing axis of size 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.codegen.rewrites import (expm1, lgamma, log1p, log_ndtr, log_ndtr_diff, logcosh, logit_ratio, logsumexp, softplus,
                                     xlog1py, xlogy)
from derive.errors import Unsupported
from derive.gradients import sigmoid, softmax


@dataclass(frozen=True)
class Target:
    name: str
    xp: str  # the array module's name in the generated code
    imports: str
    calls: dict  # SymPy function -> format string of its call
    relu: str
    sum: str  # format: {0} the body, reduced over the last axis keeping it
    amax: str
    where: str
    softmax: str
    shape: str


_ELEMENTARY = {sp.log: "log", sp.exp: "exp", sp.Abs: "abs", sp.sign: "sign", sp.cos: "cos", sp.sin: "sin",
               sp.cosh: "cosh", sp.sinh: "sinh", sp.tanh: "tanh", sp.erf: "erf", sp.atanh: "atanh"}

TORCH = Target(
    "torch", "torch", "import torch",
    {**{f: f"torch.{n}({{0}})" for f, n in _ELEMENTARY.items()},
     log1p: "torch.log1p({0})", expm1: "torch.expm1({0})", xlogy: "torch.xlogy({0}, {1})",
     xlog1py: "torch.special.xlog1py({0}, {1})", lgamma: "torch.lgamma({0})", sp.loggamma: "torch.lgamma({0})",
     sigmoid: "torch.sigmoid({0})", log_ndtr: "torch.special.log_ndtr({0})", sp.Max: "torch.maximum({0}, {1})", sp.Min: "torch.minimum({0}, {1})"},
    relu="torch.relu({0})", sum="torch.sum({0}, -1, keepdim=True)", amax="torch.amax({0}, -1, keepdim=True)",
    where="torch.where({0}, {1}, {2})", softmax="torch.softmax({0}, -1)", shape="{0}.shape[-1]")

NUMPY = Target(
    "numpy", "np", "import numpy as np\nfrom scipy import special",
    {**{f: f"np.{n}({{0}})" for f, n in _ELEMENTARY.items() if f is not sp.erf},
     sp.atanh: "np.arctanh({0})", sp.erf: "special.erf({0})",
     log1p: "np.log1p({0})", expm1: "np.expm1({0})", xlogy: "special.xlogy({0}, {1})",
     xlog1py: "special.xlog1py({0}, {1})", lgamma: "special.gammaln({0})", sp.loggamma: "special.gammaln({0})",
     sigmoid: "special.expit({0})", log_ndtr: "special.log_ndtr({0})", sp.Max: "np.maximum({0}, {1})", sp.Min: "np.minimum({0}, {1})"},
    relu="np.maximum({0}, 0)", sum="np.sum({0}, -1, keepdims=True)", amax="np.amax({0}, -1, keepdims=True)",
    where="np.where({0}, {1}, {2})", softmax="special.softmax({0}, axis=-1)", shape="{0}.shape[-1]")

TARGETS = {"torch": TORCH, "numpy": NUMPY}


def identifier(symbol) -> str:
    """A Python name for a symbol: ``lambda`` -> ``lambda_``, ``yhat`` stays."""
    name = str(getattr(symbol, "label", symbol))
    return name + "_" if name in ("lambda", "lam_", "def", "in", "is") else name


class Printer:
    """Prints one formula; ``vector``: the formula has class-indexed symbols (scalars get [..., None])."""

    def __init__(self, target: Target, vector: bool, arrays: dict, entry: str):
        self.t, self.vector, self.arrays, self.entry = target, vector, arrays, entry

    def __call__(self, e) -> str:
        return self.p(e)

    def p(self, e) -> str:
        t = self.t
        if e.is_number and not e.is_Rational:
            value = complex(e.evalf(20))
            if value.imag:
                raise Unsupported(f"{self.entry}: a complex constant {e}")
            return repr(value.real)
        if isinstance(e, sp.Integer):
            return f"{int(e)}"
        if isinstance(e, sp.Rational):
            return f"({e.p}/{e.q})"
        if isinstance(e, (sp.Float, sp.NumberSymbol)) or e in (sp.pi, sp.E):
            return repr(float(e))
        if isinstance(e, sp.Indexed):
            return identifier(e.base)
        if isinstance(e, sp.Symbol):
            if e in self.arrays:  # a size: the length of a class-indexed argument
                return t.shape.format(self.arrays[e])
            return identifier(e) + ("[..., None]" if self.vector else "")
        if isinstance(e, sp.Add):
            return self.add(e)
        if isinstance(e, sp.Mul):
            return self.mul(e)
        if isinstance(e, sp.Pow):
            return self.pow(e)
        if isinstance(e, sp.Sum):
            if len(e.limits) != 1 or e.limits[0][1] != 1:
                raise Unsupported(f"{self.entry}: code for the sum {e} (only sums over all classes from 1)")
            return t.sum.format(self.p(e.function))
        if isinstance(e, softmax):
            return t.softmax.format(identifier(e.args[0]))
        if isinstance(e, logcosh):
            return self.parts(e)[1]
        if isinstance(e, logit_ratio):
            return self.logit_ratio(self.p(e.args[0]))
        if isinstance(e, log_ndtr_diff):
            return self.log_ndtr_diff(*(self.p(x) for x in e.args))
        if isinstance(e, (softplus, logsumexp)):
            head, tail = self.parts(e)
            return f"({head} + {tail})"
        if isinstance(e, sp.polygamma):
            order = int(e.args[0])
            return (f"{t.xp if t.name == 'torch' else 'special'}.{'digamma' if order == 0 else 'polygamma'}("
                    + ("" if order == 0 else f"{order}, ") + f"{self.p(e.args[1])})")
        if isinstance(e, sp.besseli) and e.args[0] == 0:
            return ("torch.special.i0({0})" if t.name == "torch" else "special.i0({0})").format(self.p(e.args[1]))
        if isinstance(e, sp.log) and isinstance(e.args[0], sp.besselk):
            return self.log_besselk(*e.args[0].args)
        if isinstance(e, sp.besselk):
            return self.besselk(*e.args, scaled=False)
        if isinstance(e, sp.Piecewise):
            return self.piecewise(e)
        if isinstance(e, (sp.Max, sp.Min)) and len(e.args) > 2:
            return self.p(e.func(e.args[0], e.func(*e.args[1:])))
        if isinstance(e, sp.core.relational.Relational):
            return f"({self.p(e.lhs)} {e.rel_op} {self.p(e.rhs)})"
        if isinstance(e, (sp.And, sp.Or)):
            op = " & " if isinstance(e, sp.And) else " | "
            return "(" + op.join(self.p(a) for a in e.args) + ")"
        call = t.calls.get(type(e))
        if call is None:
            raise Unsupported(f"{self.entry}: no {t.name} code for {type(e).__name__} in {e}")
        return call.format(*(self.p(a) for a in e.args))

    def besselk(self, nu, x, scaled: bool) -> str:
        """K_nu(x), or e^x K_nu(x) (``scaled``): SciPy's kv / kve; torch's modified_bessel_k0/k1."""
        if self.t.name == "numpy":
            return f"special.{'kve' if scaled else 'kv'}({self.p(nu)}, {self.p(x)})"
        if nu not in (0, 1):
            raise Unsupported(f"{self.entry}: torch has K_0 and K_1 only, not K_{nu}")
        return f"torch.special.{'scaled_' if scaled else ''}modified_bessel_k{int(nu)}({self.p(x)})"

    def log_besselk(self, nu, x) -> str:
        """log K_nu(x) = log(e^x K_nu(x)) - x: K_nu(x) ~ e^(-x) sqrt(pi/(2x)) underflows for x > ~700."""
        return f"({self.t.calls[sp.log].format(self.besselk(nu, x, scaled=True))} - {self.p(x)})"

    def logit_ratio(self, p: str) -> str:
        """(2p - 1) / logit(p): x / (2 atanh x) with x = 2p - 1 where |x| < 1/2 (1/2 at x = 0), the
        quotient as written elsewhere; each branch gets an argument inside its own domain (numpy
        evaluates both), so no branch divides by 0 or takes atanh(+-1)."""
        t = self.t
        x, near_here = f"(2*{p} - 1)", f"({t.calls[sp.Abs].format(f'(2*{p} - 1)')} < 0.5)"
        inner = t.where.format(f"{near_here} & ({x} != 0)", x, "0.25")
        near = t.where.format(f"{x} == 0", "0.5", f"{inner} / (2*{t.calls[sp.atanh].format(inner)})")
        q = t.where.format(near_here, "0.25", p)
        far = f"(2*{q} - 1) / ({t.calls[sp.log].format(q)} - {t.calls[log1p].format('-' + q)})"
        return t.where.format(near_here, near, far)

    def log_ndtr_diff(self, b: str, a: str) -> str:
        """log(Phi(b) - Phi(a)) from the tail the interval lies in: mirrored (-a, -b) when a > 0."""
        t = self.t
        ndtr = t.calls[log_ndtr]

        def from_upper(hi: str, lo: str) -> str:
            return f"({ndtr.format(hi)} + {t.calls[log1p].format('-' + t.calls[sp.exp].format(f'{ndtr.format(lo)} - {ndtr.format(hi)}'))})"

        return t.where.format(f"({a} > 0)", from_upper(f"-({a})", f"-({b})"), from_upper(b, a))

    def parts(self, e) -> tuple[str, str]:
        """(head, tail): the exactly computed part and the small correction added last."""
        t = self.t
        if isinstance(e, softplus):
            x = self.p(e.args[0])
            return t.relu.format(x), t.calls[log1p].format(t.calls[sp.exp].format(f"-{t.calls[sp.Abs].format(x)}"))
        if isinstance(e, logcosh):  # log1p(2 sinh(x/2)^2) near 0, |x| + log1p(e^{-2|x|}) - log 2 beyond
            x = self.p(e.args[0])
            ax = t.calls[sp.Abs].format(x)
            clipped = t.where.format(ax + " < 1", ax, "1.0")  # sinh of |x| < 1 only: no overflow elsewhere
            near = t.calls[log1p].format("2*" + t.calls[sp.sinh].format(clipped + "/2") + "**2")
            far = f"{ax} + {t.calls[log1p].format(t.calls[sp.exp].format(f'-2*{ax}'))} - {float(sp.log(2))!r}"
            return "0", t.where.format(f"{ax} < 1", near, f"({far})")
        z = identifier(e.args[0])
        m = t.amax.format(z)
        # sum_j e^{z_j - m} - 1 without rounding: the largest logit's e^0 = 1 left out of the sum
        # (ties: each further maximum adds exactly 1)
        others = t.sum.format(t.where.format(f"{z} == {m}", "0.0", t.calls[sp.exp].format(f"{z} - {m}")))
        ties = t.sum.format(f"({z} == {m})") + " - 1"
        return m, t.calls[log1p].format(f"{others} + ({ties})")

    def add(self, e: sp.Add) -> str:
        heads, tails = [], []
        for term in sp.Add.make_args(e):
            coeff, rest = term.as_coeff_Mul()
            if isinstance(rest, (softplus, logsumexp)) and coeff.is_positive:
                head, tail = self.parts(rest)
                c = "" if coeff == 1 else f"{self.p(coeff)}*"
                heads.append(f"{c}{head}")
                tails.append(f"{c}{tail}")
            else:
                heads.append(self.p(term))
        text = " + ".join(heads)
        if tails:
            text = f"({text}) + " + " + ".join(tails)
        return f"({text})".replace("+ -", "- ").replace("+ (-1)*", "- ")

    def mul(self, e: sp.Mul) -> str:
        num, den = [], []
        for f in e.args:
            base, exp = f.as_base_exp()
            if exp.is_number and exp.is_negative and not isinstance(f, sp.Rational):
                den.append(self.p(base if exp == -1 else sp.Pow(base, -exp)))
            elif f == -1:
                num.append("(-1)")
            else:
                num.append(self.p(f))
        text = "*".join(num) or "1"
        if den:
            text += "/(" + "*".join(den) + ")"
        return f"({text})"

    def pow(self, e: sp.Pow) -> str:
        base, exp = e.args
        if exp == sp.Rational(1, 2):
            return f"({self.p(base)})**0.5"
        if exp.is_number and exp.is_negative:
            return f"(1/({self.p(sp.Pow(base, -exp))}))"
        return f"({self.p(base)})**({self.p(exp)})"

    def piecewise(self, e: sp.Piecewise) -> str:
        (value, cond), rest = e.args[0], e.args[1:]
        if cond == sp.true or not rest:
            return self.p(value)
        text = self.t.where.format(self.p(cond), self.p(value), self.p(sp.Piecewise(*rest)))
        data = sorted(cond.free_symbols, key=str)
        if self.t.name == "torch" and data and all(v.is_number for v, _ in e.args):
            # an indicator: torch.where of two ints is an int tensor, which times a Python float
            # is float32 whatever the data's dtype; in the data's dtype instead
            text = f"{text}.to({identifier(data[0])}.dtype)"
        return text
