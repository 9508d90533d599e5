"""derive(): assumption -> likelihood -> -log -> expand -> drop constants -> loss.

Every stage is a pure function of SymPy expressions, recorded as a :class:`Step`:

    nll  = -log p(data | params, fixed)                        (expanded, nothing dropped)
    nll  = dep + const,  const = sum(dropped) free of params   (``as_independent``)
    dep  = scale * loss,  scale > 0 free of params and data
    H(P_hat, Q) = (1/n) sum_i nll_i                            (cross-entropy = mean NLL)
    dataset_loss = (1/n) sum_i loss_i                          (what the frameworks average)

so that ``nll == scale*loss + sum(dropped)`` holds exactly.

Optional stages, each driven by a field of the :class:`Assumption` (never by its name):
a normaliser derived for a density known up to a constant (``kernel``), a quasi-likelihood
integrated from a variance function (``quasi``), an expected NLL under soft targets
(``expected_data``), a link from the model's output to the distribution's parameter,
explicit or the canonical one derived from the density (``link``), and products kept
whole under the log (``groups``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy as sp

from derive import symbols as dsym
from derive.assumptions import Assumption, get
from derive.errors import DeriveError, DomainError, Unsupported
from derive.normalisation import mass
from derive.stages import (canonical_link, deviance, hard_label, onehot_constraint, per_example,
                           quasi_log_likelihood, split_constants, split_scale)
from derive.steps import Step, render, tex
from derive.symbolic.cases import logs_of_cases
from derive.symbolic.domains import expand_logs, factor_out_of_logs, split_sums
from derive.symbolic.rules import collect_logs, distribute, regroup_logs, substitute_mean


@dataclass(frozen=True)
class Derivation:
    """The result of :func:`derive`: every intermediate quantity and the recorded steps.

    ``density`` is the normalised density the NLL comes from (the kernel divided by the
    derived ``normaliser`` when the assumption gives only a kernel; ``None`` for a
    quasi-likelihood).  ``link`` is the inverse link used, as (mean, expression of the
    output), derived or given.  ``deviance`` is 2*(log-likelihood of the saturated model -
    log-likelihood), or ``None`` when the assumption names no saturated model.
    """

    assumption: Assumption
    nll: sp.Expr
    loss: sp.Expr
    scale: sp.Expr
    dropped: tuple[sp.Expr, ...]
    dataset_nll: sp.Expr
    dataset_loss: sp.Expr
    steps: tuple[Step, ...]
    hard_label: sp.Expr | None = None
    density: sp.Expr | None = None
    normaliser: sp.Expr | None = None
    link: tuple[sp.Basic, sp.Expr] | None = None
    deviance: sp.Expr | None = None

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

    @cached_property
    def peers(self):
        """The framework functions that compute this loss, each with its derived relation
        ``nll == scale*value + offset`` (see :mod:`derive.peers`)."""
        from derive.peers import peers_of

        return peers_of(self)

    def entropy(self) -> sp.Expr:
        """H(p) = E_p[-log p(y)] of the assumed distribution, in this entry's symbols: the
        entropy of the family it parametrises (:mod:`derive.distributions`), derived from the
        family's density; raises Unsupported for an entry that parametrises no family."""
        from derive.infotheory.closed_forms import entry_entropy  # the information part loads when used

        return entry_entropy(self)

    def kl(self, other: "Derivation") -> sp.Expr:
        """D_KL(p || q) = E_p[log p - log q], p this derivation's distribution and q
        ``other``'s, for a registered pair of their families (a miss names both)."""
        from derive.infotheory.closed_forms import entry_kl

        return entry_kl(self, other)

    def cross_entropy(self, other: "Derivation") -> sp.Expr:
        """H(p, q) = E_p[-log q] = H(p) + D_KL(p || q), in the entries' symbols."""
        from derive.infotheory.closed_forms import entry_cross_entropy

        return entry_cross_entropy(self, other)

    def to_latex(self) -> str:
        """The derivation as an ``align*`` block, one row per step (as in ``derive build``:
        the params lead, constants braced as "const. in" the params)."""
        return render(self.steps, params=self.params)

    def _repr_latex_(self) -> str:
        return self.to_latex()

    # Derivatives and generated code: thin delegations (derive.gradients, derive.codegen).
    def gradient(self, wrt=None, of: str = "loss"):
        from derive.gradients import gradient
        return gradient(self, wrt, of)

    def hessian(self, wrt=None, of: str = "loss"):
        from derive.gradients import hessian
        return hessian(self, wrt, of)

    def gradient_derivation(self, wrt=None, of: str = "loss"):
        from derive.gradients import gradient_derivation
        return gradient_derivation(self, wrt, of)

    def to_code(self, target: str = "torch") -> str:
        from derive.codegen import to_code
        return to_code(self, target)


# --------------------------------------------------------------------------- pipeline


def _params_tex(assumption: Assumption) -> str:
    return ", ".join(tex(p) for p in assumption.params)


def _data_tex(assumption: Assumption) -> str:
    return ", ".join(tex(d) for d in assumption.data)


def _per_example_tex(symbols) -> str:
    """``y_i`` or ``\\mu_i, v_i``: each symbol of one example."""
    return ", ".join(f"{tex(s)}_i" for s in symbols)


def density_has_exp(assumption: Assumption) -> bool:
    """The density holds an exponential, whose log the expansion takes."""
    return assumption.density is not None and assumption.density.has(sp.exp)


def _mean_tex(assumption: Assumption) -> str:
    """What the density is written in: the params, the link's mean standing for its output
    (the mixture's weights w for their logits a, beside mu and sigma)."""
    link = assumption.link
    if link is None:
        return _params_tex(assumption)
    if len(assumption.params) == 1:
        return tex(link.mean)
    mean = link.mean.base if isinstance(link.mean, sp.Indexed) else link.mean
    return ", ".join(tex(mean if p == link.output else p) for p in assumption.params)


def _normalise(a: Assumption, steps: list[Step]) -> tuple[sp.Expr, sp.Expr | None]:
    """The density, dividing a kernel by its derived normaliser Z (recorded)."""
    if not a.kernel:
        return a.density, None
    (y,) = a.data
    z = mass(a.density, a)
    if z.has(sp.Integral, sp.Sum):
        raise Unsupported(f"{a.name}: cannot derive the normaliser of {a.density}")
    moving = [p for p in a.params + ((a.link.mean,) if a.link else ()) if z.has(p)]
    note = ("normaliser: the kernel integrated over the support; "
            + ("it depends on $%s$, so its log stays in the loss" % ", ".join(tex(p) for p in moving)
               if moving else "free of the parameters (shift $y$ by the location), so the loss is a proper NLL"))
    steps.append(Step("normaliser", z, note, lhs="Z = \\int \\tilde{p}(%s \\mid %s)\\, d%s"
                      % (_data_tex(a), _mean_tex(a), _data_tex(a))))
    density = a.density / z
    steps.append(Step("density", density, "the normalised density $p = \\tilde{p} / Z$",
                      lhs="p(%s \\mid %s)" % (_data_tex(a), _mean_tex(a))))
    return density, z


def _expand(neg_log: sp.Expr, a: Assumption) -> tuple[sp.Expr, str]:
    """-log p expanded on the domains, and the rules that did it: the logs of products split,
    a positive factor common to a sum's terms taken out of its log, the log of cases taken
    case by case (two cases m - d, m + d either side of d = 0 read m +- |d|)."""
    expanded = expand_logs(neg_log, a.domains)
    factored = factor_out_of_logs(expanded, a.domains)
    cased = logs_of_cases(factored, a.domains)
    rule = "the log of a product is the sum of the logs" + (", and $\\log e^{u} = u$" if density_has_exp(a) else "")
    if factored != expanded:
        rule = "the positive factor common to the terms of a sum taken out of its log; " + rule
    if cased != factored:
        rule += "; the log of cases is taken case by case"
        if cased.count(sp.Abs) > factored.count(sp.Abs):
            rule += ", and two cases $m - d$, $m + d$ either side of $d = 0$ are $m \\pm |d|$"
    return cased, rule + " (valid on the domain)"


def run(assumption: Assumption) -> Derivation:
    """The whole pipeline for one assumption."""
    a = assumption
    params, domains = a.params, a.domains
    given = f"p({_data_tex(a)} \\mid {_mean_tex(a)})"
    steps: list[Step] = []
    if a.quasi is not None:
        mean, variance = a.quasi
        steps.append(Step("assumption", variance, f"assumption ${a.statement}$: only the variance function",
                          lhs=f"V({tex(mean)})"))
        q = quasi_log_likelihood(a)
        t = sp.Symbol("t")
        steps.append(Step("quasi", q, "quasi-log-likelihood (Wedderburn): integrate $(y - t)/V(t)$ from $y$ to the mean",
                          lhs="Q = \\int_{y}^{%s} \\frac{%s - t}{%s}\\, dt" % (tex(mean), _data_tex(a), tex(variance.xreplace({mean: t})))))
        density, z = None, None
        nll_mean = distribute(-q)
        steps.append(Step("neg_log", nll_mean, "the negative quasi-log-likelihood stands for the NLL", lhs="-Q"))
    else:
        kernel = f"\\tilde{{p}}({_data_tex(a)} \\mid {_mean_tex(a)})"  # unnormalised until Z is derived
        steps.append(Step("assumption", a.density, f"assumption ${a.statement}$" + (", the kernel" if a.kernel else ""),
                          lhs=kernel if a.kernel else given))
        density, z = _normalise(a, steps)
        steps.append(Step("likelihood", density, "likelihood of one example, a function of the parameters",
                          lhs=f"\\mathcal{{L}}({_mean_tex(a)})"))
        neg_log = -sp.log(density, evaluate=False)
        steps.append(Step("neg_log", neg_log, "negative log-likelihood",
                          lhs=f"-\\log \\mathcal{{L}}({_mean_tex(a)})"))
        target, back = neg_log, {}
        if z is not None:  # Z > 0 as the mass of a positive kernel: its log comes off whole
            z_positive = sp.Dummy("Z", positive=True)
            target, back = -sp.log(a.density / z_positive, evaluate=False), {z_positive: z}
        nll_mean, rule = _expand(target, a)
        nll_mean = nll_mean.xreplace(back)
        steps.append(Step("expand", nll_mean, rule))

    if a.expected_data:
        nll_mean = _expected_nll(nll_mean, a, steps)

    dev = deviance(nll_mean, a)
    nll = nll_mean
    link_pair = None
    if a.link is not None:
        link = a.link
        value = link.expr if link.expr is not None else canonical_link(link, nll_mean, a)
        link_pair = (link.mean, value)
        how = "given" if link.expr is not None else "canonical link, derived: solve natural parameter $=$ output"
        steps.append(Step("link", value, f"{link.name or 'link'} ({how})", lhs=tex(link.mean)))
        nll = _apply_link(nll, link.mean, value, domains)
        steps.append(Step("nll_link", nll, "substitute and expand the logs"))
        if dev is not None:
            dev = _apply_link(dev, link.mean, value, domains)
    nll = onehot_constraint(nll, a)
    if a.groups:
        nll = regroup_logs(nll, a.groups, params)

    dependent, dropped = split_constants(nll, params)
    nll = dependent + sp.Add(*dropped)
    steps.append(Step("split", nll, f"terms free of ${_params_tex(a)}$ are constants", dropped=dropped))

    scale, loss = split_scale(dependent, params, domains, a.keep_numeric_factor, a.data)
    loss = collect_logs(loss, params)
    nll_name = "-Q" if a.quasi is not None else "-\\log \\mathcal{L}"
    if scale == 1:
        scale_note = f"drop the constants: ${nll_name} = \\ell + \\text{{const.}}$, the same minimisers"
    else:
        scale_note = (f"drop the constants and the positive factor $a = {tex(scale)}$: "
                      f"${nll_name} = a \\, \\ell + \\text{{const.}}$, the same minimisers")
    steps.append(Step("loss", loss, scale_note, lhs=f"\\ell({_params_tex(a)})"))

    i, n = dsym.i, dsym.n
    nll_i = per_example(nll, a, i)
    sum_nll = split_sums(sp.Sum(nll_i, (i, 1, n)))
    example = f"{_per_example_tex(a.data)} \\mid {_per_example_tex(a.params)}"
    if a.expected_data:  # each example's NLL is an expectation over its soft target, not -log p(y_i)
        total = f"\\sum_{{i=1}}^{{n}} \\mathbb{{E}}_{{y'_i \\sim t_i}}[-\\log p(y'_i \\mid {_per_example_tex(a.params)})]"
        total_lhs, mean_lhs = total, f"\\frac{{1}}{{n}} {total}"
        iid = "i.i.d. examples: their expected NLLs add"
    else:
        iid = "i.i.d. examples: the log of the product is the sum of the logs"
        total_lhs = f"-\\log \\prod_{{i=1}}^{{n}} p({example})"
        mean_lhs = f"-\\frac{{1}}{{n}} \\log \\prod_{{i=1}}^{{n}} p({example})"
    steps.append(Step("dataset", sp.Sum(nll_i, (i, 1, n)), iid, lhs=total_lhs))
    dataset_nll = sum_nll / n
    steps.append(Step("cross_entropy", sp.Sum(nll_i, (i, 1, n)) / n,
                      "the mean NLL is the cross-entropy of the data's empirical distribution with the model",
                      lhs=mean_lhs))
    dataset_loss = sp.Sum(per_example(loss, a, i), (i, 1, n)) / n
    steps.append(Step("dataset_loss", dataset_loss, "the same constants and factor dropped: " + a.loss_name,
                      lhs="\\bar{\\ell}"))

    onehot = hard_label(loss, a)
    if onehot is not None:
        c = dsym.index("c")
        c_i = sp.IndexedBase(c.name, integer=True, positive=True)[i]
        per_class = per_example(onehot, a, i).xreplace({c: c_i})
        steps.append(Step("hard_label", sp.Sum(per_class, (i, 1, n)) / n,
                          f"one-hot targets ${_per_example_tex(a.data)} = e_{{c_i}}$: only the true class $c_i$ "
                          f"of each example survives", lhs="\\bar{\\ell}"))
    return Derivation(a, nll, loss, scale, tuple(dropped), dataset_nll, dataset_loss, tuple(steps), onehot,
                      density, z, link_pair, dev)


def _apply_link(expr: sp.Expr, mean: sp.Basic, value: sp.Expr, domains) -> sp.Expr:
    """``mean`` -> ``value``, the logs expanded; a factor free of a sum's index (a softmax's
    normaliser inside the mixture's sum over k) leaves the sum first, so that its log comes off."""
    substituted = split_sums(substitute_mean(expr, mean, value))
    return split_sums(distribute(expand_logs(substituted, domains, together=True)))


def _expected_nll(nll: sp.Expr, a: Assumption, steps: list[Step]) -> sp.Expr:
    """E[nll(y')] over targets y' with mean t(y) is nll(t(y)) when nll is affine in y."""
    (y,) = a.data
    for target, mean in a.expected_data:
        probe = sp.Dummy("s")
        along = substitute_mean(nll, target, target + probe * mean) if not isinstance(target, sp.Indexed) \
            else nll.replace(lambda e: isinstance(e, sp.Indexed) and e.base == target.base,
                             lambda e: e + probe * mean.xreplace(dict(zip(target.indices, e.indices))))
        if sp.diff(along.doit() if along.has(sp.Sum) else along, probe, 2) != 0:
            raise DeriveError(f"{a.name}: the NLL is not affine in the data; the expectation does not substitute")
        nll = substitute_mean(nll, target, mean)
    nll = split_sums(distribute(nll))
    steps.append(Step("expected", nll, "expected NLL over the soft target: the NLL is linear in the target, "
                      "so the expectation puts in its mean", lhs="\\mathbb{E}_{y' \\sim t}[-\\log p(y')]"))
    return nll


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
        if value.has(sp.Float):  # 0.1 -> 1/10: results stay exact (and Sum.doit terminates)
            value = sp.nsimplify(value, rational=True)
        if isinstance(by_name[name], sp.MatrixSymbol):
            raise Unsupported(f"{assumption.name}: giving the matrix {name} a value is not supported "
                              "(its size is symbolic); substitute into d.nll instead")
        domain = dsym.domain_of(by_name[name], assumption.domains)
        if domain.contains(value) is not sp.true:
            raise DomainError(f"{assumption.name}: {name}={value} is outside its domain {dsym.describe(domain)}")
        subs[by_name[name]] = value

    def put(e):
        return e.xreplace(subs) if isinstance(e, sp.Basic) else e

    link = assumption.link
    if link is not None and link.expr is not None:
        link = dataclasses.replace(link, expr=put(link.expr))
    return dataclasses.replace(
        assumption,
        density=put(assumption.density),
        fixed=tuple(s for s in assumption.fixed if s not in subs),
        link=link,
        groups=tuple(put(g) for g in assumption.groups),
        quasi=None if assumption.quasi is None else (assumption.quasi[0], put(assumption.quasi[1])),
        expected_data=tuple((t, put(m)) for t, m in assumption.expected_data),
        saturated=tuple((m, put(v)) for m, v in assumption.saturated),
        domains={key: put(dom) for key, dom in assumption.domains.items() if key not in subs},
        support=put(assumption.support),
        vector_index=None if assumption.vector_index is None else tuple(put(x) for x in assumption.vector_index),
        name=assumption.name,
        given=assumption.given + tuple((s.name, v) for s, v in subs.items()),
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
