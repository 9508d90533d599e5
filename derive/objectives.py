"""Custom gradient-boosting objectives (LightGBM, XGBoost) from a derivation, and their exact
relation to the library's built-in objective.

A boosting library needs, per example, the gradient and Hessian of the loss in the raw score F
(the model's output before any link).  For an entry with a link (logit, log-rate) F is its
output; for a positive mean param mu without one, the log link mu = e^F is composed in (the
libraries' own choice for Poisson, Gamma, Tweedie); for a real location, F is the location:

    grad = d loss(F) / dF,   hess = d^2 loss(F) / dF^2      (SymPy, from the derived loss)

For K classes the libraries use the diagonal of the Hessian, softmax_k (1 - softmax_k).

The built-in objective computes ``grad_factor * grad`` and ``hess_factor * hess`` (or, where
it says so, something else): the factors are stated per library and checked in the test suite
by training the built-in and the custom objective on the same data and comparing raw scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive import symbols as dsym
from derive.errors import DeriveError, Unsupported

TARGETS = ("lightgbm", "xgboost")


@dataclass(frozen=True)
class Builtin:
    """The library's built-in objective for an entry: ``name``, the factors by which its gradient
    and Hessian differ from the derived ones (numbers, or expressions in the entry's fixed
    symbols, read from ``FIXED`` by the generated code; ``None``: no such factor: see ``note``),
    the parameters that make it comparable (no intercept: boosting from a zero raw score), and
    ``trainable``: whether training with the factors applied reproduces it."""

    name: str
    grad_factor: sp.Expr | None
    hess_factor: sp.Expr | None
    note: str
    params: tuple = ()
    trainable: bool = True
    hess_override: sp.Expr | None = None  # the built-in's Hessian where it is no multiple of ours


_K = sp.Symbol("K", integer=True, positive=True)
_DELTA = dsym.symbol("delta", dsym.POSITIVE)  # the fixed delta of the entries huber and pseudo_huber
_MAX_DELTA = sp.Rational(7, 10)  # Poisson's max_delta_step default in both libraries

BUILTINS: dict[str, dict[str, Builtin]] = {
    "bernoulli_logits": {
        "lightgbm": Builtin("binary", sp.S.One, sp.S.One, "the same gradient p - y and Hessian p(1 - p)"),
        "xgboost": Builtin("binary:logistic", sp.S.One, sp.S.One,
                           "the same gradient and Hessian; the Hessian floored at 1e-16"),
    },
    "categorical_logits": {
        "lightgbm": Builtin("multiclass", sp.S.One, _K / (_K - 1),
                            "the same gradient; the Hessian diagonal times K/(K - 1)"),
        "xgboost": Builtin("multi:softprob", sp.S.One, sp.Integer(2),
                           "the same gradient; the Hessian diagonal times 2: 2p(1 - p), not p(1 - p)"),
    },
    "poisson_log": {
        "lightgbm": Builtin("poisson", sp.S.One, sp.exp(_MAX_DELTA),
                            "the same gradient; the Hessian e^{F + 0.7}: times e^{0.7} "
                            "(poisson_max_delta_step = 0.7, a safeguard)", (("poisson_max_delta_step", 0.7),)),
        "xgboost": Builtin("count:poisson", sp.S.One, sp.exp(_MAX_DELTA),
                           "the same gradient; the Hessian e^{F + 0.7}: times e^{0.7} (max_delta_step = 0.7)",
                           (("max_delta_step", 0.7),)),
    },
    "gamma": {
        "lightgbm": Builtin("gamma", sp.S.One, sp.S.One,
                            "the loss (shape k = 1: the NLL is k times it) with the log link mu = e^F"),
        "xgboost": Builtin("reg:gamma", sp.S.One, sp.S.One, "the loss with the log link mu = e^F"),
    },
    "tweedie": {
        "lightgbm": Builtin("tweedie", sp.S.One, sp.S.One, "the same; tweedie_variance_power is p",
                            (("tweedie_variance_power", 1.5),)),
        "xgboost": Builtin("reg:tweedie", sp.S.One, sp.S.One, "the same; tweedie_variance_power is p",
                           (("tweedie_variance_power", 1.5),)),
    },
    "gaussian": {
        "lightgbm": Builtin("regression", sp.Rational(1, 2), sp.Rational(1, 2),
                            "half the squared error: gradient F - y and Hessian 1, half of ours"),
        "xgboost": Builtin("reg:squarederror", sp.Rational(1, 2), sp.Rational(1, 2),
                           "half the squared error: gradient F - y and Hessian 1, half of ours"),
    },
    "huber": {
        "lightgbm": Builtin("huber", sp.S.One, None,
                            "the same gradient (alpha is delta); the Hessian is 1 everywhere, ours is 1 "
                            "inside |F - y| <= delta and 0 beyond (a Newton step there would be unbounded)",
                            (("alpha", 1.0),), hess_override=sp.S.One),
        "xgboost": Builtin("reg:pseudohubererror", None, None,
                           "a different loss: the pseudo-Huber delta^2 (sqrt(1 + (r/delta)^2) - 1), smooth "
                           "everywhere; not the Huber loss derived here (see the entry pseudo_huber, whose "
                           "NLL it is)", trainable=False),
    },
    "pseudo_huber": {
        "xgboost": Builtin("reg:pseudohubererror", _DELTA, _DELTA,
                           "the pseudo-Huber loss delta^2 (sqrt(1 + (r/delta)^2) - 1) = delta sqrt(delta^2 + r^2) "
                           "- delta^2 is delta times ours plus a constant (huber_slope is delta): gradient "
                           "r/sqrt(1 + (r/delta)^2), Hessian (1 + (r/delta)^2)^(-3/2) (xgboost 3.2; a later "
                           "source uses the curvature (1 + (r/delta)^2)^(-1/2) of a quadratic bound instead)",
                           (("huber_slope", 1.0),)),
    },
    "asymmetric_laplace": {
        "lightgbm": Builtin("quantile", sp.S.One, None,
                            "the same (sub)gradient (alpha is tau) and Hessian 1 where ours is 0, so the same "
                            "tree; then the library re-fits every leaf to the tau-quantile of its residuals (the "
                            "sorted residuals interpolated at position tau (n - 1), from 0), a minimiser of the "
                            "pinball loss up to that interpolation, which no custom objective can do",
                            (("alpha", 0.5),), trainable=False, hess_override=sp.S.One),
        "xgboost": Builtin("reg:quantileerror", sp.S.One, None,
                           "the same (sub)gradient (quantile_alpha is tau) and Hessian 1, so the same tree; then "
                           "every leaf is re-fitted to the tau-quantile of its residuals (interpolated at position "
                           "tau (n + 1), from 1), which no custom objective can do", (("quantile_alpha", 0.5),),
                           trainable=False, hess_override=sp.S.One),
    },
}


#: Where a library has no built-in for an entry, what it has instead (else "no built-in").
ABSENT: dict[str, dict[str, str]] = {
    "pseudo_huber": {"lightgbm": "LightGBM has no pseudo-Huber objective: its 'huber' is Huber's loss (the entry "
                                 "huber) and its 'fair' the Fair loss; the custom objective is the way"},
}


@dataclass(frozen=True)
class Objective:
    """grad and hess of the loss in the raw score ``score``, with the built-in's relation."""

    entry: str
    target: str
    score: sp.Symbol
    link: str
    grad: sp.Expr
    hess: sp.Expr
    builtin: Builtin | None
    fixed: tuple

    def relation(self) -> str:
        if self.builtin is None:
            return ABSENT.get(self.entry, {}).get(
                self.target, f"{self.target} has no built-in objective for {self.entry}")
        b = self.builtin
        factors = []
        if b.grad_factor is not None:
            factors.append(f"gradient x {b.grad_factor}")
        if b.hess_factor is not None:
            factors.append(f"Hessian x {b.hess_factor}")
        head = f"{self.target} '{b.name}'" + (f" = derived {', '.join(factors)}" if factors else "")
        return f"{head}: {b.note}"


def objective(d, target: str) -> Objective:
    """The custom objective of ``d`` for ``target`` (``"lightgbm"`` or ``"xgboost"``), from the
    proved gradient and Hessian of the loss (:mod:`derive.gradients`): in the entry's output when
    it has a link or a real location, else through the log link mu = e^F by the chain rule
    d/dF = mu d/dmu:  grad_F = mu g,  hess_F = mu^2 h + mu g."""
    from derive.gradients import gradient_derivation

    if target not in TARGETS:
        raise DeriveError(f"unknown target {target!r}; targets: {', '.join(TARGETS)}")
    if len(d.params) != 1:
        raise Unsupported(f"{d.name}: a boosting objective needs one raw score; params are "
                          f"{', '.join(map(str, d.params))}")
    builtin = BUILTINS.get(d.name, {}).get(target)
    g = gradient_derivation(d)
    (param,) = d.params
    if isinstance(g.wrt, sp.Indexed):
        if d.link is None:
            raise Unsupported(f"{d.name}: a vector param without a link (for classes, use the logits entry)")
        (k,) = g.wrt.indices
        delta = next(iter(g.hessian.atoms(sp.KroneckerDelta)))
        other = delta.args[1] if delta.args[0] == k else delta.args[0]
        return Objective(d.name, target, g.wrt.base, d.assumption.link.name, g.gradient,
                         g.hessian.xreplace({other: k}), builtin, tuple(d.fixed))
    F = sp.Symbol("F", real=True)
    domain = d.assumption.domains.get(param, sp.Reals)
    if d.link is not None or domain == sp.Reals:
        link = d.assumption.link.name if d.link is not None else "identity: the raw score is the location"
        return Objective(d.name, target, F, link, g.gradient.xreplace({g.wrt: F}), g.hessian.xreplace({g.wrt: F}),
                         builtin, tuple(d.fixed))
    from derive.gradients import sigmoid

    links = ((sp.Interval.open(0, 1), sigmoid(F), "logit link: the probability is sigma(F)"),
             (sp.Interval.open(0, sp.oo), sp.exp(F), "log link: the mean is e^F"))
    for where, mu, link in links:
        if domain.is_subset(where):
            d1, d2 = sp.diff(mu, F), sp.diff(mu, F, 2)  # chain rule: (g mu')' = h mu'^2 + g mu''
            g1, h1 = g.gradient.xreplace({param: mu}), g.hessian.xreplace({param: mu})
            grad, hess = sp.factor_terms(g1 * d1), sp.factor_terms(h1 * d1**2 + g1 * d2)
            s = sp.Symbol("s", positive=True)  # sigma(F) as a symbol: rational simplification in it
            grad, hess = (sp.factor(sp.cancel(e.xreplace({sigmoid(F): s}))).xreplace({s: sigmoid(F)})
                          if e.has(sigmoid) else sp.simplify(e) for e in (grad, hess))
            return Objective(d.name, target, F, link, grad, hess, builtin, tuple(d.fixed))
    raise Unsupported(f"{d.name}: a param in {domain}; use its logit entry for a boosting objective")


def objective_source(d, target: str) -> str:
    """Python source: ``grad_hess(y, raw, ...)`` (derived), ``objective`` in the library's custom
    objective signature, and ``objective_like_builtin`` (the built-in's factors applied)."""
    from derive.codegen.printer import NUMPY, Printer, identifier

    obj = objective(d, target)
    vector = bool(d.assumption.vector_index)
    y = d.data[0]
    score = obj.score
    sizes = {d.assumption.vector_index[2]: "raw"} if vector else {}

    def code(expr):
        expr = expr.xreplace({score: sp.Symbol("raw")}) if not vector else expr
        if vector:
            expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == score,
                                lambda e: sp.IndexedBase("raw")[e.indices])
            expr = expr.replace(lambda e: hasattr(e, "args") and e.args and e.args[0] == score,
                                lambda e: e.func(sp.IndexedBase("raw"), *e.args[1:]))
        return Printer(NUMPY, vector, sizes, d.name)(expr)

    fixed = [(identifier(s), _default(d.name, s)) for s in d.fixed]
    sig = ", ".join(["y", "raw"] + [f"{n}={v!r}" for n, v in fixed])
    call = "y, raw, **FIXED"
    b = obj.builtin
    gf = 1.0 if b is None or b.grad_factor is None else b.grad_factor
    hf = 1.0 if b is None or b.hess_factor is None else b.hess_factor
    k_value = "raw.shape[-1]"
    gf_code, hf_code = (Printer(NUMPY, False, {_K: "raw"}, d.name)(sp.sympify(f)) for f in (gf, hf))
    hf_code = hf_code.replace("raw.shape[-1]", k_value)
    in_factors = sorted((sp.sympify(gf).free_symbols | sp.sympify(hf).free_symbols) - {_K}, key=str)
    if any(s not in d.fixed for s in in_factors):
        raise DeriveError(f"{d.name}: the built-in's factors hold {', '.join(map(str, in_factors))}, "
                          f"not all fixed symbols of the derivation ({', '.join(map(str, d.fixed))})")
    fixed_in_factors = "".join(f"    {identifier(s)} = FIXED[{identifier(s)!r}]\n" for s in in_factors)
    labels = "    y = np.eye(raw.shape[-1])[np.asarray(y, dtype=int)]  # class labels -> one-hot\n" if vector else ""
    if target == "lightgbm":
        signature, get = "preds, train_data", "    y, raw = train_data.get_label(), np.asarray(preds)\n"
    else:
        signature, get = "predt, dtrain", "    y, raw = dtrain.get_label(), np.asarray(predt)\n"
    reshape = ("    if raw.ndim == 1:\n        raw = raw.reshape(len(y), -1)\n" if vector else "")
    return (
        f'"""Custom {target} objective for {d.name}, generated by derive (do not edit).\n\n'
        f"Raw score: {obj.link}.  Relation to the built-in: {obj.relation()}.\n"
        f'"""\n\nimport numpy as np\nfrom scipy import special\n\n'
        f"BUILTIN = {b.name if b else None!r}\n"
        f"FIXED = {dict(fixed)!r}  # the fixed values of the derivation, passed to grad_hess\n\n\n"
        f"def grad_hess({sig}):\n"
        f'    """Derived: gradient {obj.grad} and Hessian {obj.hess} in the raw score."""\n'
        f"    y, raw = np.asarray(y, dtype=float), np.asarray(raw, dtype=float)\n"
        f"    full = np.zeros_like(raw)  # constants broadcast to one value per example (and class)\n"
        f"    return full + {code(obj.grad)}, full + {code(obj.hess)}\n\n\n"
        f"def objective({signature}):\n"
        f'    """The derived gradient and Hessian, in {target}\'s custom-objective signature."""\n'
        f"{get}{reshape}{labels}    return grad_hess({call})\n\n\n"
        f"def objective_like_builtin({signature}):\n"
        f'    """The built-in\'s convention: gradient x {gf}, Hessian x {hf}."""\n'
        f"{get}{reshape}{labels}{fixed_in_factors}    grad, hess = grad_hess({call})\n"
        f"    return {gf_code} * grad, "
        + (f"np.zeros_like(hess) + {Printer(NUMPY, False, {}, d.name)(b.hess_override)}  # the built-in's own Hessian\n"
           if b is not None and b.hess_override is not None else f"{hf_code} * hess\n")
    )


def _default(entry: str, symbol) -> float:
    """Defaults of fixed values in the generated objective (the library's where it has one)."""
    return {"p": 1.5, "delta": 1.0, "tau": 0.5, "k": 1.0, "b": 1.0}.get(str(symbol), 1.0)


def compile_objective(d, target: str) -> dict:
    namespace: dict = {}
    exec(compile(objective_source(d, target), f"<derive objective {d.name} {target}>", "exec"), namespace)
    return namespace
