"""derive(): assumption -> likelihood -> -log -> expand -> drop constants -> loss.

Every stage is a pure function of SymPy expressions, recorded as a :class:`Step`:

    nll  = -log p(data | params, fixed)                        (expanded, nothing dropped)
    nll  = dep + const,  const = sum(dropped) free of params   (``as_independent``)
    dep  = scale * loss,  scale > 0 free of params
    H(P_hat, Q) = (1/n) sum_i nll_i                            (cross-entropy = mean NLL)
    dataset_loss = (1/n) sum_i loss_i                          (what the frameworks average)

so that ``nll == scale*loss + sum(dropped)`` holds exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from derive import symbols as S
from derive.assumptions import Assumption, get
from derive.errors import DomainError
from derive.latex.render import latex, render_steps
from derive.steps import Step


@dataclass(frozen=True)
class Derivation:
    """The result of :func:`derive`: every intermediate quantity and the recorded steps."""

    assumption: Assumption
    nll: sp.Expr
    loss: sp.Expr
    scale: sp.Expr
    dropped: tuple[sp.Expr, ...]
    dataset_nll: sp.Expr
    dataset_loss: sp.Expr
    steps: tuple[Step, ...]
    hard_label: sp.Expr | None = None

    @property
    def data(self) -> tuple[sp.Basic, ...]:
        return self.assumption.data

    @property
    def params(self) -> tuple[sp.Basic, ...]:
        return self.assumption.params

    @property
    def fixed(self) -> tuple[sp.Basic, ...]:
        return self.assumption.fixed

    @property
    def name(self) -> str:
        return self.assumption.name

    def to_latex(self) -> str:
        """The derivation as an ``align*`` block, one row per step."""
        return render_steps(self.steps)

    def _repr_latex_(self) -> str:
        return self.to_latex()


# --------------------------------------------------------------------------- domains


def _reparametrise(expr: sp.Expr, domains) -> sp.Expr:
    """Replace each symbol by a SymPy expression that ranges exactly over its domain:
    (0, 1) -> u/(1+u) with u > 0; (0, oo) -> u > 0.  SymPy's assumption system can then
    decide positivity on the whole domain."""
    subs = {}
    atoms = expr.atoms(sp.Symbol, sp.Indexed)
    for atom in atoms:
        if isinstance(atom, sp.Symbol) and any(atom in a.indices for a in atoms if isinstance(a, sp.Indexed)):
            continue  # an index, not a variable
        domain = S.domain_of(atom, domains)
        u = sp.Dummy(positive=True)
        if domain == S.UNIT:
            subs[atom] = u / (1 + u)
        elif domain.is_subset(S.POSITIVE):
            subs[atom] = u
    return expr.xreplace(subs)


def is_positive_on(expr: sp.Expr, domains) -> bool:
    """True when ``expr`` is provably > 0 for every point of the domains."""
    if expr.is_positive:
        return True
    candidate = sp.together(_reparametrise(expr, domains))
    return bool(candidate.is_positive or sp.factor(candidate).is_positive)


def _is_real_on(expr: sp.Expr, domains) -> bool:
    return bool(expr.is_real or _reparametrise(expr, domains).is_real)


def _log_splits(arg: sp.Expr, domains) -> bool:
    """log(prod f_j^e_j) = sum e_j log f_j holds when every f_j > 0 and e_j is real."""
    for factor in sp.Mul.make_args(arg):
        base, exponent = factor.as_base_exp()
        if isinstance(factor, sp.exp):
            base, exponent = factor, sp.S.One
            if not _is_real_on(factor.args[0], domains):
                return False
            continue
        if not (is_positive_on(base, domains) and _is_real_on(exponent, domains)):
            return False
    return True


def expand_logs(expr: sp.Expr, domains) -> sp.Expr:
    """Expand every log whose argument's factors are positive on the domain; the log of a
    Product of positive factors becomes the Sum of their logs.  Powers are left alone, so
    ``(y - yhat)**2`` keeps its textbook form."""

    def rewrite(e: sp.Expr) -> sp.Expr:
        arg = e.args[0]
        if isinstance(arg, sp.Product) and is_positive_on(arg.function, domains):
            return sp.Sum(sp.log(arg.function), *arg.limits)
        if _log_splits(arg, domains):
            return sp.expand_log(e, force=True)
        return e

    for _ in range(8):  # each pass removes one level of nesting; 8 is far beyond our densities
        new = expr.replace(lambda e: isinstance(e, sp.log), rewrite)
        if new == expr:
            break
        expr = new
    return split_sums(expr)


def split_sums(expr: sp.Expr) -> sp.Expr:
    """Sum(a + b) -> Sum(a) + Sum(b); factors free of the index move out of the Sum;
    a summand free of the index becomes a multiple of the range's length."""

    def rewrite(s: sp.Sum) -> sp.Expr:
        indices = [limit[0] for limit in s.limits]
        total = sp.S.Zero
        for term in sp.Add.make_args(s.function):
            outside, inside = term.as_independent(*indices, as_Add=False)
            if inside == 1:
                count = sp.Mul(*[(hi - lo + 1) for _, lo, hi in s.limits])
                total += outside * count
            else:
                total += outside * sp.Sum(inside, *s.limits)
        return total

    return expr.replace(lambda e: isinstance(e, sp.Sum), rewrite)


# --------------------------------------------------------------------------- pipeline


def split_constants(nll: sp.Expr, params) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
    """nll = dependent + sum(dropped), the dropped terms free of every param."""
    const, dependent = nll.as_independent(*params, as_Add=True)
    return dependent, sp.Add.make_args(const) if const != 0 else ()


def split_scale(dependent: sp.Expr, params, domains, keep_numeric: bool) -> tuple[sp.Expr, sp.Expr]:
    """dependent = scale * loss with scale > 0 and free of params.  The sign stays in the
    loss; with ``keep_numeric`` a pure number (torch's 1/2) stays in the loss too."""
    factor, loss = sp.factor_terms(dependent).as_independent(*params, as_Add=False)
    if factor.could_extract_minus_sign():
        factor, loss = -factor, -loss
    if not is_positive_on(factor, domains):
        return sp.S.One, dependent
    if keep_numeric:
        number, factor = factor.as_coeff_Mul()
        loss = number * loss
    return factor, loss


def per_example(expr: sp.Expr, assumption: Assumption, i: sp.Symbol) -> sp.Expr:
    """Index data and params by example i: y -> y[i], yhat[k] -> yhat[i, k]."""
    subs = {}
    for s in assumption.data + assumption.params:
        if isinstance(s, sp.IndexedBase):
            continue
        subs[s] = S.indexed_base(s.name, S.domain_of(s, assumption.domains))[i]
    expr = expr.xreplace(subs)
    bases = {s for s in assumption.data + assumption.params if isinstance(s, sp.IndexedBase)}
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base in bases,
        lambda e: e.base[(i, *e.indices)],
    )


def hard_label(loss: sp.Expr, assumption: Assumption) -> sp.Expr | None:
    """For one-hot data y[k], the loss at y = e_c: substitute y[k] = delta(k, c)."""
    if assumption.support != "onehot":
        return None
    k, _, K = assumption.vector_index
    c = S.index("c")
    (y,) = assumption.data
    at_onehot = loss.replace(lambda e: isinstance(e, sp.Indexed) and e.base == y,
                             lambda e: sp.KroneckerDelta(e.indices[0], c))
    return sp.refine(at_onehot.doit(), sp.Q.le(c, K))


def _params_tex(assumption: Assumption) -> str:
    return ", ".join(latex(p) for p in assumption.params)


def _data_tex(assumption: Assumption) -> str:
    return ", ".join(latex(d) for d in assumption.data)


def run(assumption: Assumption) -> Derivation:
    """The whole pipeline for one assumption."""
    a = assumption
    params, domains = a.params, a.domains
    given = f"p({_data_tex(a)} \\mid {_params_tex(a)})"
    steps = [Step("assumption", a.density, f"assumption ${a.statement}$", lhs=given)]

    likelihood = a.density
    steps.append(Step("likelihood", likelihood, "likelihood of one example, a function of the parameters",
                      lhs=f"\\mathcal{{L}}({_params_tex(a)})"))
    neg_log = -sp.log(likelihood, evaluate=False)
    steps.append(Step("neg_log", neg_log, "negative log-likelihood",
                      lhs=f"-\\log \\mathcal{{L}}({_params_tex(a)})"))

    nll = expand_logs(neg_log, domains)
    steps.append(Step("expand", nll, "log of a product is the sum of the logs (valid on the domain)"))

    dependent, dropped = split_constants(nll, params)
    steps.append(Step("split", nll, f"terms free of ${_params_tex(a)}$ are constants", dropped=dropped))

    scale, loss = split_scale(dependent, params, domains, a.keep_numeric_factor)
    scale_note = "drop the constants" + ("" if scale == 1 else f" and the positive factor ${latex(scale)}$")
    steps.append(Step("loss", loss, scale_note + "; the minimisers are unchanged", relation="\\propto"))

    i, n = S.i, S.n
    nll_i = per_example(nll, a, i)
    sum_nll = split_sums(sp.Sum(nll_i, (i, 1, n)))
    steps.append(Step("dataset", sp.Sum(nll_i, (i, 1, n)),
                      "i.i.d. examples: the log of the product is the sum of the logs",
                      lhs=f"-\\log \\prod_{{i=1}}^{{n}} p({_data_tex(a)}_i \\mid {_params_tex(a)}_i)"))
    dataset_nll = sum_nll / n
    steps.append(Step("cross_entropy", sp.Sum(nll_i, (i, 1, n)) / n,
                      "the mean NLL is the cross-entropy of the empirical distribution with the model",
                      lhs="H(\\hat{P}, Q_\\theta) = -\\frac{1}{n}\\sum_{i=1}^{n} \\log Q(x_i; \\theta)"))
    dataset_loss = sp.Sum(per_example(loss, a, i), (i, 1, n)) / n
    steps.append(Step("dataset_loss", dataset_loss, "the same constants and factor dropped: " + a.loss_name,
                      relation="\\propto"))

    onehot = hard_label(loss, a)
    if onehot is not None:
        steps.append(Step("hard_label", onehot, "one-hot target $y = e_c$: only the true class $c$ survives",
                          lhs=r"\text{at } y = e_c"))
    return Derivation(a, nll, loss, scale, tuple(dropped), dataset_nll, dataset_loss, tuple(steps), onehot)


def total_mass(assumption: Assumption) -> sp.Expr:
    """The density summed or integrated over the data's support (1 when normalised).

    Continuous support: the integral; a finite or countable set: the sum; a one-hot vector
    over K classes: the sum over the K vectors e_c of exp(-NLL at e_c), which is
    ``Sum(yhat[c], (c, 1, K))``, equal to 1 exactly when the probabilities sum to 1.
    """
    a = assumption
    support = a.support
    if support == "onehot":
        k, _, K = a.vector_index
        c = S.index("c")
        nll = expand_logs(-sp.log(a.density, evaluate=False), a.domains)
        return sp.Sum(sp.exp(-hard_label(nll, a)), (c, 1, K))
    (y,) = a.data
    if isinstance(support, sp.FiniteSet):
        return sp.Add(*[a.density.subs(y, value) for value in support])
    if isinstance(support, sp.Range):
        return sp.summation(a.density, (y, support.inf, support.sup))
    return sp.integrate(a.density, (y, support.inf, support.sup))


# --------------------------------------------------------------------------- public


def specialise(assumption: Assumption, values: dict) -> Assumption:
    """The assumption with some fixed symbols given values, each checked against its domain."""
    by_name = {s.name: s for s in assumption.fixed}
    subs = {}
    for name, value in values.items():
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise DomainError(f"{assumption.name}: {name!r} is not a fixed symbol (fixed: {known})")
        value = sp.sympify(value)
        domain = S.domain_of(by_name[name], assumption.domains)
        if domain.contains(value) is not sp.true:
            raise DomainError(f"{assumption.name}: {name}={value} is outside its domain {domain}")
        subs[by_name[name]] = value
    return dataclasses.replace(
        assumption,
        density=assumption.density.xreplace(subs),
        fixed=tuple(s for s in assumption.fixed if s not in subs),
        name=assumption.name,
    )


@lru_cache(maxsize=None)
def _derive_cached(name: str, fixed_items: tuple) -> Derivation:
    assumption = get(name)
    if fixed_items:
        assumption = specialise(assumption, dict(fixed_items))
    return run(assumption)


def derive(name: str, **fixed) -> Derivation:
    """Derive the loss implied by the assumption ``name`` (see :func:`derive.names`).

    Keyword arguments give values to fixed symbols: ``derive("gaussian", sigma=1)``.
    """
    return _derive_cached(name, tuple(sorted((k, sp.sympify(v)) for k, v in fixed.items())))
