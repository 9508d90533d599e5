"""Gradients, Hessians and Fisher information of a derived loss, proved against SymPy's derivative.

For a derivation ``d`` and a param theta (a scalar, or an element ``z_k`` of a vector param):

    raw      = d loss / d theta                         (SymPy's derivative, sums over K picked)
    textbook = w(theta) * (mu(theta) - t(y))            when the loss has that form, with
               mu the mean (through the link: sigma(z), softmax(z)_k, e^z) and t(y) the data's
               saturated value; w == 1 for a canonical link, so the gradient is mu - y
    proof    : simplify(raw - textbook) == 0            (recorded as a step; never assumed)
    hessian  = d textbook / d theta, proved equal to d^2 loss / d theta^2 the same way
    fisher   = E_y[d^2 nll / d theta^2]                  (the Hessian is affine in y: y -> E[y])

The one-hot constraint sum_k y_k = 1 is used (and stated) where the derivative contains it.
Where the loss has kinks (|u|, max, a piecewise threshold) each kink is located and its
one-sided derivatives given: the subgradient is the interval between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive.symbolic.constraints import ONE_HOT
from derive.bounded import bounded
from derive.errors import DeriveError, Unsupported
from derive.latex.render import latex
from derive.symbolic.domains import is_positive_on
from derive.steps import Step

OF = ("loss", "nll")


class sigmoid(sp.Function):
    """sigma(z) = 1/(1 + e^{-z}); d sigma/dz = sigma (1 - sigma)."""

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return sp.exp(z) / (1 + sp.exp(z))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


class softmax(sp.Function):
    """softmax(z)_k = e^{z_k} / sum_j e^{z_j} for an IndexedBase z, a class index k and K classes;
    d softmax_k / d z_l = softmax_k (delta_kl - softmax_l)."""

    nargs = 4  # (z, k, j, K): the base, the class, the summation dummy, the number of classes

    def _eval_rewrite_as_exp(self, z, k, j, K, **kwargs):
        return sp.exp(z[k]) / sp.Sum(sp.exp(z[j]), (j, 1, K))

    def _eval_is_positive(self):
        return True

    def _latex(self, printer):
        z, k = self.args[0], self.args[1]
        return rf"\operatorname{{softmax}}\left({printer._print(z)}\right)_{{{printer._print(k)}}}"


NAMED = (sigmoid, softmax)


def expand_named(expr: sp.Expr) -> sp.Expr:
    """The named functions written out in exp (what the proofs compare)."""
    return expr.rewrite(sp.exp) if expr.has(*NAMED) else expr


@dataclass(frozen=True)
class Kink:
    """A point where the loss is not twice differentiable in ``wrt``: ``where`` (an equation),
    the one-sided first derivatives ``left``/``right`` there (equal: differentiable, only the
    Hessian jumps; different: the subgradient is the interval between them)."""

    where: sp.Expr
    left: sp.Expr
    right: sp.Expr

    @property
    def differentiable(self) -> bool:
        return sp.simplify(self.left - self.right) == 0

    def statement(self) -> str:
        where = f"${latex(self.where.lhs)} = {latex(self.where.rhs)}$"
        if self.differentiable:
            return (f"at {where} the gradient is continuous ({latex_dollar(self.left)}) but the Hessian "
                    f"jumps: the loss is once, not twice, differentiable there")
        return (f"not differentiable at {where}: the one-sided derivatives are {latex_dollar(self.left)} and "
                f"{latex_dollar(self.right)}; the subgradient is every value between them")


def latex_dollar(expr: sp.Expr) -> str:
    return f"${latex(expr)}$"


@dataclass(frozen=True)
class GradientDerivation:
    """The gradient and Hessian of ``of`` (``"loss"`` or ``"nll"``) in ``wrt``, with the steps
    and the statements (constraints used, kinks, Fisher information)."""

    name: str
    of: str
    wrt: sp.Basic
    raw: sp.Expr
    gradient: sp.Expr
    hessian: sp.Expr
    fisher: sp.Expr | None
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    kinks: tuple[Kink, ...] = field(default_factory=tuple)

    def to_latex(self) -> str:
        rows = []
        for step in self.steps:
            lhs = step.lhs if step.lhs is not None else ""
            rows.append(rf"{lhs} &{step.relation} {latex(step.expr)} && \text{{{step.note}}}")
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def text(self) -> str:
        lines = [f"{step.label:>10}: {step.expr}    [{step.note}]" for step in self.steps]
        lines += [f"{'note':>10}: {n}" for n in self.notes]
        lines += [f"{'kink':>10}: {k.statement()}" for k in self.kinks]
        return "\n".join(lines)


# --------------------------------------------------------------------------- the parameter


def _index_symbol(d) -> sp.Symbol:
    vi = d.assumption.vector_index
    base = vi[0] if vi else sp.Symbol("k")
    return sp.Symbol(base.name, integer=True, positive=True)


def resolve_wrt(d, wrt=None) -> sp.Basic:
    """The param to differentiate in: a Symbol, or ``base[k]`` for an IndexedBase param (k a
    free class index).  ``wrt`` is None (the only param), a param or a name."""
    params = d.params
    if wrt is None:
        if len(params) != 1:
            raise DeriveError(f"{d.name} has params {', '.join(map(str, params))}: say which with wrt=")
        chosen = params[0]
    else:
        chosen = next((p for p in params if p == wrt or str(p) == str(wrt)
                       or (isinstance(p, sp.IndexedBase) and str(p.label) == str(wrt))), None)
        if chosen is None:
            raise DeriveError(f"{wrt!r} is not a param of {d.name}; params: {', '.join(map(str, params))}")
    if isinstance(chosen, sp.IndexedBase):
        return chosen[_fresh_index(d)]
    return chosen


def _fresh_index(d) -> sp.Symbol:
    """An index symbol for the free class that no Sum of the loss binds."""
    return sp.Symbol("l" if _index_symbol(d).name != "l" else "m", integer=True, positive=True)


def _pick_deltas(expr: sp.Expr) -> sp.Expr:
    """sum_j f(j) delta(j, l) -> f(l): the free index l is one of the summed classes (1 <= l <= K)."""
    def pick(s: sp.Sum):
        (j, lo, hi), body = s.limits[0], s.function
        deltas = [a for a in body.atoms(sp.KroneckerDelta) if j in a.free_symbols]
        if len(s.limits) != 1 or not deltas:
            return s
        delta = sorted(deltas, key=sp.default_sort_key)[0]  # the others become delta(l, m)
        other = delta.args[0] if delta.args[1] == j else delta.args[1]
        return body.subs(delta, 1).subs(j, other)

    return expr.replace(lambda e: isinstance(e, sp.Sum), pick)


# --------------------------------------------------------------------------- the derivative


def _target(d, of: str) -> sp.Expr:
    if of not in OF:
        raise DeriveError(f"of={of!r}: differentiate the 'loss' or the 'nll'")
    return d.loss if of == "loss" else d.nll


def _nll_of_link(d) -> sp.Expr:
    """-sum_k y_k log mean_k(z): the categorical NLL with the link, no constraint used yet."""
    mean, expr = d.link
    k, (_, lo, hi) = mean.indices[0], (None, *d.assumption.vector_index[1:])
    return -sp.Sum(d.data[0][k] * sp.expand_log(sp.log(expr), force=True), (k, lo, hi))


def _one_hot(d, expr: sp.Expr) -> tuple[sp.Expr, str | None]:
    """Replace sum_k y_k by 1 where the data are one-hot."""
    if d.assumption.support != ONE_HOT:
        return expr, None
    y = d.data[0]
    sums = [s for s in expr.atoms(sp.Sum) if s.function == y[s.limits[0][0]] and s.limits[0][1] == 1]
    if not sums:
        return expr, None
    return expr.subs({s: 1 for s in sums}), r"one-hot label: \sum_k y_k = 1"


def _mean_forms(d, wrt: sp.Basic) -> list[tuple[sp.Expr, sp.Expr, sp.Expr]]:
    """Candidates (mean in elementary functions, mean as named, data value) with which the
    gradient may read w * (mean - value): from the link and the saturated model."""
    out = []
    link = d.link
    if link is not None:
        mean, expr = link
        labels = isinstance(d.data[0], sp.IndexedBase) and isinstance(wrt, sp.Indexed) \
            and wrt.base == d.assumption.link.output  # not so for a mixture's weights: no label y_l
        if isinstance(mean, sp.Indexed) and labels:  # softmax over the classes: the mean of class l
            k, l = mean.indices[0], wrt.indices[0]
            z = wrt.base
            j = next(iter(expr.atoms(sp.Sum))).limits[0][0]
            K = next(iter(expr.atoms(sp.Sum))).limits[0][2]
            out.append((expr.subs(k, l), softmax(z, l, j, K), d.data[0][l]))
        elif not isinstance(mean, sp.Indexed):
            named = expr
            if sp.simplify(expr - sp.exp(wrt) / (1 + sp.exp(wrt))) == 0:
                named = sigmoid(wrt)
            for param, value in d.assumption.saturated:
                if param == mean:
                    out.append((expr, named, value))
    for param, value in d.assumption.saturated:
        if param == wrt:
            out.append((param, param, value))
    return out


def _zero(expr: sp.Expr) -> bool:
    """expr == 0 identically (a symbolic proof, bounded in time)."""
    status, result = bounded(_is_zero, (expr,), 20.0)
    return status == "ok" and result


def _is_zero(expr: sp.Expr) -> bool:
    expr = expand_named(expr)
    if expr.has(sp.Sum):
        expr = sp.together(sp.expand(expr))
    return sp.simplify(expr) == 0


def _textbook(d, wrt, raw) -> tuple[sp.Expr, str]:
    for mean, named, value in _mean_forms(d, wrt):
        if sp.simplify(mean - value) == 0:
            continue
        w = sp.factor(sp.simplify(sp.cancel(sp.together(raw / (mean - value)))))
        if any(w.has(x) for x in _data_atoms(d)):
            continue
        form = w * (named - value) if w != 1 else named - value
        if _zero(raw - form):
            how = "the mean minus the data" if w == 1 else "a weight times (the mean minus the data)"
            return sign_into_difference(form, d.assumption.domains), how
    if raw.has(sp.Piecewise, sp.Heaviside, sp.sign):
        return sp.piecewise_fold(raw), "piecewise"
    simplified = in_terms_of(sp.factor(sp.together(raw)), _target_sums(d))
    return sign_into_difference(simplified, d.assumption.domains), "simplified"


def _target_sums(d) -> list[sp.Expr]:
    return list(d.loss.find(sp.Add) | d.nll.find(sp.Add))


def in_terms_of(expr: sp.Expr, sums: list[sp.Expr]) -> sp.Expr:
    """A sum of ``expr`` that is a sum of the loss expanded is written as the loss writes it:
    1/sqrt(delta^2 + y^2 - 2 y yhat + yhat^2) -> 1/sqrt(delta^2 + (y - yhat)^2)."""
    table = {sp.expand(a): a for a in sorted(sums, key=sp.count_ops) if sp.expand(a) != a}
    if not table:
        return expr
    return expr.replace(lambda e: isinstance(e, sp.Add) and sp.expand(e) in table, lambda e: table[sp.expand(e)])


def sign_into_difference(expr: sp.Expr, domains) -> sp.Expr:
    """A product brought to the textbook's signs, equal to ``expr``:

    - (a - b)^e with b - a > 0 on the domain is written (b - a)^e, the sign (-1)^e moving to
      the coefficient:  -(yhat - y)/(yhat (yhat - 1)) -> (yhat - y)/(yhat (1 - yhat)),
      (yhat - 1)^2 -> (1 - yhat)^2;
    - a negative coefficient left goes into a difference of the numerator not known to be
      positive:  -(y - mu)/w -> (mu - y)/w."""
    coeff, rest = expr.as_coeff_Mul()
    if not isinstance(rest, sp.Mul) or not coeff.is_Rational:
        return expr
    factors = list(rest.args)

    def difference(f):
        base, e = f.as_base_exp()
        return isinstance(base, sp.Add) and e.is_Integer

    def flip(index):
        base, e = factors[index].as_base_exp()
        factors[index] = sp.Pow(sp.Add(*[-t for t in base.args]), e)
        return -1 if e.is_odd else 1

    for index, f in enumerate(factors):
        if difference(f) and is_positive_on(-f.as_base_exp()[0], domains):
            coeff *= flip(index)
    if coeff < 0:
        numerator = [i for i, f in enumerate(factors) if difference(f) and f.as_base_exp()[1].is_odd
                     and f.as_base_exp()[1] > 0 and not is_positive_on(f.as_base_exp()[0], domains)]
        if numerator:
            coeff *= flip(numerator[0])
    return sp.Mul(*([coeff] if coeff != 1 else []), *factors)


def _data_atoms(d) -> list[sp.Basic]:
    return list(d.data)


_CACHE: dict = {}


def _derive_gradient(d, wrt_key: str | None, of: str) -> GradientDerivation:
    key = (id(d), wrt_key, of)
    if key not in _CACHE:
        _CACHE[key] = (d, _compute(d, wrt_key, of))  # d kept alive: its id stays its own
    return _CACHE[key][1]


def _compute(d, wrt_key: str | None, of: str) -> GradientDerivation:
    name = d.name
    wrt = resolve_wrt(d, wrt_key)
    f = _target(d, of)
    if f.has(sp.MatrixSymbol) or isinstance(f, sp.MatrixExpr):
        raise Unsupported(f"{name}: gradients of matrix formulas are not derived (a vector param in matrix form)")
    smooth = f.rewrite(sp.Piecewise) if f.has(sp.Max, sp.Min) else f
    notes = []
    if of == "nll" and isinstance(wrt, sp.Indexed) and d.link is not None and d.assumption.support == ONE_HOT:
        smooth = _nll_of_link(d)
        notes.append(r"the NLL differentiated as $-\sum_k y_k \log \hat{y}_k$ with the link, before "
                     r"the one-hot constraint is used")
    raw = _pick_deltas(sp.expand(sp.diff(smooth, wrt)))
    raw = raw.replace(lambda e: isinstance(e, sp.Sum), sp.factor_terms)
    steps = [Step("diff", raw, "SymPy's derivative" + (r", $\sum_j f_j \delta_{jl} = f_l$"
                                                       if isinstance(wrt, sp.Indexed) else ""), lhs=lhs(of, wrt))]
    raw, used = _one_hot(d, raw)
    if used:
        notes.append(used)
        steps.append(Step("one_hot", raw, f"one-hot label: ${used.split(': ')[1]}$"))
    grad, how = _textbook(d, wrt, raw)
    if not _zero(grad - raw):
        raise DeriveError(f"{name}: the gradient's textbook form is not proved equal to the derivative")
    steps.append(Step("textbook", grad, f"{how}; proved equal to the derivative"))
    hess = _hessian(smooth, wrt, grad, d)
    steps.append(Step("hessian", hess, "proved equal to SymPy's second derivative", lhs=lhs(of, wrt, second=True)))
    nll_hess = hess if of == "nll" else gradient_derivation(d, wrt_key, "nll").hessian
    fisher = _fisher(d, wrt, nll_hess)
    if fisher is not None:
        steps.append(Step("fisher", fisher, r"Fisher information: $E_y$ of the NLL's Hessian"
                          + (r", $E[y]$ from $E[\text{score}] = 0$" if any(nll_hess.has(x) for x in d.data) else ""),
                          lhs=rf"\mathcal{{I}}({latex(wrt)})"))
    for atom in f.atoms(sp.Abs):
        beta = under_power(f, atom)
        if beta is not None:
            notes.append(f"at ${latex(atom.args[0])} = 0$ the power $|u|^{{{latex(beta)}}}$ is differentiable only "
                         f"for ${latex(beta)} > 1$; for ${latex(beta)} = 1$ the subgradient is an interval, "
                         f"below 1 the derivative is unbounded")
    if isinstance(wrt, sp.Indexed) and d.link is None and d.assumption.domains.get(wrt.base) == sp.Interval.open(0, 1):
        notes.append(r"the unconstrained partial derivative: on the simplex ($\sum_k \hat{y}_k = 1$) only "
                     r"directions that sum to 0 count; the logits entry has the constraint built in")
    if d.assumption.vector_index and isinstance(wrt, sp.Indexed):
        notes.append(f"index {wrt.indices[0]} is any one of the classes; 0-based in generated code")
    out = GradientDerivation(name, of, wrt, steps[0].expr, grad, hess, fisher, tuple(steps), tuple(notes),
                             tuple(kinks(f, wrt)))
    return _textbook_indices(d, out) if isinstance(wrt, sp.Indexed) else out


def _textbook_indices(d, g: GradientDerivation) -> GradientDerivation:
    """Name the free class indices as a textbook does (k, and l for the Hessian's second) when
    no sum left in the results binds those names."""
    k = _index_symbol(d)
    l, m = g.wrt.indices[0], sp.Symbol("m", integer=True, positive=True)
    second = sp.Symbol("l", integer=True, positive=True)
    exprs = (g.raw, g.gradient, g.hessian) + tuple(st.expr for st in g.steps)
    bound = {lim[0] for e in exprs for s in e.atoms(sp.Sum) for lim in s.limits}
    if k in bound or l != second:
        return g
    rename = {m: sp.Dummy("m")}
    rename2 = {l: k}
    final = {v: second for v in rename.values()}

    def ren(e):
        return e.xreplace(rename).xreplace(rename2).xreplace(final)

    notes = tuple(n.replace("index l", f"index {k}") for n in g.notes)
    steps = tuple(Step(st.label, ren(st.expr), st.note, st.lhs if st.lhs is None else
                       lhs(g.of, ren(g.wrt), second=st.label == "hessian", other=second), st.relation, st.dropped)
                  for st in g.steps)
    return GradientDerivation(g.name, g.of, ren(g.wrt), ren(g.raw), ren(g.gradient), ren(g.hessian), g.fisher,
                              steps, notes, g.kinks)


def lhs(of: str, wrt, second: bool = False, other=None) -> str:
    """The derivative's left side: d loss/d z, d^2 NLL/d z^2, d^2 loss/(d z_k d z_l)."""
    top = r"\ell" if of == "loss" else r"\mathrm{NLL}"
    if not second:
        return rf"\frac{{\partial {top}}}{{\partial {latex(wrt)}}}"
    if isinstance(wrt, sp.Indexed):
        other = other if other is not None else sp.Symbol("m")
        return rf"\frac{{\partial^2 {top}}}{{\partial {latex(wrt)}\, \partial {latex(wrt.base[other])}}}"
    return rf"\frac{{\partial^2 {top}}}{{\partial {latex(wrt)}^2}}"


def _hessian(f: sp.Expr, wrt, grad: sp.Expr, d) -> sp.Expr:
    """d grad/d wrt (of the textbook form, named functions kept), proved equal to d^2 f/d wrt^2.
    For a class logit z_l the Hessian's (l, m) entry is given, m a second class index."""
    if isinstance(wrt, sp.Indexed):
        m = sp.Symbol("m" if wrt.indices[0].name != "m" else "n", integer=True, positive=True)
        other = wrt.base[m]
        second = _pick_deltas(sp.expand(sp.diff(sp.diff(f, wrt), other)))
        second = _one_hot(d, second.replace(lambda e: isinstance(e, sp.Sum), sp.factor_terms))[0]
        named = _named_second(grad, wrt, other) if grad.has(softmax) else _pick_deltas(sp.diff(grad, other))
    else:
        second = sp.diff(f, wrt, 2)
        named = sp.diff(grad, wrt)
        other = None
    if named.has(sp.Piecewise, sp.Heaviside, sp.sign, sp.DiracDelta):
        named = sp.piecewise_fold(named.replace(sp.DiracDelta, lambda *a: sp.S.Zero))
        second = second.replace(sp.DiracDelta, lambda *a: sp.S.Zero)
        return sp.piecewise_fold(sp.simplify(named)) if _zero(sp.piecewise_fold(named - second)) else second
    if not named.has(*NAMED):
        named = sign_into_difference(in_terms_of(sp.factor(named), _target_sums(d)), d.assumption.domains)
    if not _zero(named - second):
        raise DeriveError(f"{d.name}: the Hessian is not proved equal to the second derivative")
    return named


def _named_second(grad: sp.Expr, wrt: sp.Indexed, other: sp.Indexed) -> sp.Expr:
    """d softmax(z)_l / d z_m = softmax_l (delta_lm - softmax_m); the data term is constant."""
    out = sp.S.Zero
    for term in sp.Add.make_args(grad):
        if term.has(softmax):
            s = next(iter(term.atoms(softmax)))
            z, l, j, K = s.args
            out += term.subs(s, s * (sp.KroneckerDelta(l, other.indices[0]) - softmax(z, other.indices[0], j, K)))
    return out


# --------------------------------------------------------------------------- kinks


def kinks(f: sp.Expr, wrt) -> list[Kink]:
    """Each |u| (u linear in wrt), max(a, b) and piecewise boundary |u| <= c of f: located, with
    the one-sided first derivatives there."""
    found = []
    inside = set().union(*(pw.atoms(sp.Abs) for pw in f.atoms(sp.Piecewise))) if f.has(sp.Piecewise) else set()
    for atom in f.atoms(sp.Abs) - inside:
        u = atom.args[0]
        if not u.has(wrt) or under_power(f, atom) is not None:
            continue
        roots = sp.solve(u, wrt)
        if len(roots) != 1:
            continue
        at = {wrt: roots[0]}
        sides = (sp.simplify(sp.diff(f.xreplace({atom: s * u}), wrt).subs(at)) for s in (-1, 1))
        found.append(Kink(sp.Eq(wrt, roots[0]), *sides))  # the sides u < 0 and u > 0
    for atom in f.atoms(sp.Max, sp.Min):
        a, b = atom.args
        roots = sp.solve(a - b, wrt)
        if len(roots) != 1:
            continue
        at = {wrt: roots[0]}
        found.append(Kink(sp.Eq(wrt, roots[0]), *(sp.simplify(sp.diff(f.xreplace({atom: x}), wrt).subs(at))
                                                   for x in (a, b))))
    for pw in f.atoms(sp.Piecewise):
        found += _piecewise_kinks(pw, wrt)
    return _unique(found)


def under_power(f, atom) -> sp.Expr | None:
    """The exponent beta of a power (c |u|)**beta of f, if any: such a term is differentiable at
    u = 0 only for beta > 1 -- stated apart, not as a kink."""
    return next((p.exp for p in f.atoms(sp.Pow) if p.base.has(atom) and not p.exp.is_Integer), None)


def _piecewise_kinks(pw: sp.Piecewise, wrt) -> list[Kink]:
    """Piecewise((f1, c >= |u|), (f2, True)): at |u| = c (u > 0 side), compare the branches'
    derivatives; the |u| = 0 kink of f2 lies inside the first branch and is not one."""
    out = []
    if len(pw.args) != 2:
        return out
    (f1, cond), (f2, _) = pw.args
    if not isinstance(cond, (sp.GreaterThan, sp.LessThan)):
        return out
    c, absu = (cond.lhs, cond.rhs) if isinstance(cond, sp.GreaterThan) else (cond.rhs, cond.lhs)
    if not isinstance(absu, sp.Abs):
        return out
    u = absu.args[0]
    for sign in (1, -1):
        roots = sp.solve(u - sign * c, wrt)
        if len(roots) != 1:
            continue
        at = {wrt: roots[0]}
        inner = sp.simplify(sp.diff(f1.subs(absu, sign * u), wrt).subs(at))
        outer = sp.simplify(sp.diff(f2.subs(absu, sign * u), wrt).subs(at))
        out.append(Kink(sp.Eq(wrt, roots[0]), inner, outer))
    return out


def _unique(found: list[Kink]) -> list[Kink]:
    seen, out = set(), []
    for k in found:
        key = sp.srepr(k.where)
        if key not in seen:
            seen.add(key)
            out.append(k)
    return out


# --------------------------------------------------------------------------- Fisher information


def _fisher(d, wrt, hess: sp.Expr) -> sp.Expr | None:
    """E_y[d^2 nll / d theta^2]: the Hessian itself when it is free of the data; when the Hessian
    and the score are affine in a scalar datum y, the Hessian at y = E[y], and E[y] solves
    E[score] = a + b E[y] = 0 (the expected score vanishes; the support is free of theta)."""
    if isinstance(wrt, sp.Indexed):
        return None  # the matrix softmax_l (delta_lm - softmax_m): the Hessian, stated by it
    nll = d.nll.rewrite(sp.Piecewise) if d.nll.has(sp.Max, sp.Min) else d.nll
    if nll.has(sp.Abs, sp.Piecewise):
        return None
    h = sp.simplify(sp.diff(nll, wrt, 2))
    data = [x for x in d.data if h.has(x)]
    if not data:
        return hess
    (y,) = data if len(data) == 1 else (None,)
    score = sp.diff(nll, wrt)
    if not isinstance(y, sp.Symbol) or any(sp.simplify(sp.diff(e, y, 2)) != 0 for e in (h, score)):
        return None  # not affine in the datum: E_y needs more of the distribution than its mean
    b = sp.simplify(sp.diff(score, y))
    if b == 0:
        return None
    mean = sp.simplify(-sp.simplify(score - b * y) / b)
    return sign_into_difference(sp.factor(sp.simplify(h.subs(y, mean))), d.assumption.domains)


# --------------------------------------------------------------------------- the public entry points


def gradient_derivation(d, wrt=None, of: str = "loss") -> GradientDerivation:
    key = None if wrt is None else str(wrt.label if isinstance(wrt, sp.IndexedBase) else wrt)
    return _derive_gradient(d, key, of)


def gradient(d, wrt=None, of: str = "loss") -> sp.Expr:
    """The textbook gradient of ``d.loss`` (or ``d.nll``) in ``wrt``; with several params and no
    ``wrt``, the column of partial derivatives."""
    if wrt is None and len(d.params) > 1:
        return sp.ImmutableMatrix([gradient_derivation(d, p, of).gradient for p in d.params])
    return gradient_derivation(d, wrt, of).gradient


def hessian(d, wrt=None, of: str = "loss") -> sp.Expr:
    """The Hessian in ``wrt`` (for several params and no ``wrt``: the full matrix, each entry
    SymPy's mixed derivative of the proved gradient)."""
    if wrt is None and len(d.params) > 1:
        grads = [gradient_derivation(d, p, of).gradient for p in d.params]
        return sp.ImmutableMatrix([[sp.factor(sp.diff(g, p)) for p in d.params] for g in grads])
    return gradient_derivation(d, wrt, of).hessian
