"""Gradients and Hessians: textbook forms checked exactly against hand-written formulas, every
entry's gradient and Hessian checked against torch.autograd of the loss (float64, seeded), the
logit entries at extreme logits against the framework functions' autograd."""

from __future__ import annotations

import random

import pytest
import sympy as sp

import derive
from derive.symbolic.constraints import ONE_HOT
from derive.errors import DeriveError, Unsupported
from derive.gradients import expand_named, in_terms_of, sigmoid, sign_into_difference
from derive.latex.render import latex
from derive.symbolic.domains import is_positive_on

torch = pytest.importorskip("torch")
F = torch.nn.functional

MATRIX = {"gaussian_covariance"}
ENTRIES = [n for n in derive.names() if n not in MATRIX]


def sym(d, name):
    atoms = {str(a): a for a in (d.loss.free_symbols | d.nll.free_symbols)}
    atoms.update({str(a.label): a for a in d.loss.atoms(sp.IndexedBase)})
    return atoms[name]


def zero(expr) -> bool:
    return sp.simplify(expand_named(expr)) == 0


# --------------------------------------------------------------------------- exact textbook forms


def test_bce_with_logits_is_sigmoid_minus_y_and_hessian_p_one_minus_p():
    d = derive.derive("bernoulli_logits")
    z, y = sym(d, "z"), sym(d, "y")
    assert zero(d.gradient() - (1 / (1 + sp.exp(-z)) - y))
    assert d.gradient() == sigmoid(z) - y  # the textbook form itself, named
    p = 1 / (1 + sp.exp(-z))
    assert zero(d.hessian() - p * (1 - p))
    assert zero(d.gradient_derivation(of="nll").fisher - p * (1 - p))


def test_softmax_ce_gradient_is_softmax_minus_onehot_with_the_constraint_stated():
    d = derive.derive("categorical_logits")
    g = d.gradient_derivation(of="nll")
    (l,) = g.wrt.indices
    z, y = g.wrt.base, sym(d, "y")
    j, K = sp.Symbol("j", integer=True, positive=True), sym(d, "K")
    softmax_l = sp.exp(z[l]) / sp.Sum(sp.exp(z[j]), (j, 1, K))
    assert zero(g.gradient - (softmax_l - y[l]))
    assert any("one-hot" in n for n in g.notes)
    assert any(s.label == "one_hot" for s in g.steps)
    # the raw derivative carries sum_k y_k before the constraint: without it the form is wrong
    assert g.steps[0].expr.has(sp.Sum) and not zero(g.steps[0].expr - (softmax_l - y[l]))
    (m,) = [s for s in g.hessian.free_symbols if s not in (l, K) and s != j and s.is_integer]
    softmax_m = sp.exp(z[m]) / sp.Sum(sp.exp(z[j]), (j, 1, K))
    assert zero(g.hessian - softmax_l * (sp.KroneckerDelta(l, m) - softmax_m))


def test_poisson_log_link_gradient_e_z_minus_y():
    d = derive.derive("poisson_log")
    z, y = sym(d, "z"), sym(d, "y")
    assert sp.simplify(d.gradient() - (sp.exp(z) - y)) == 0
    assert sp.simplify(d.hessian() - sp.exp(z)) == 0


def test_gaussian_gradient_is_scaled_yhat_minus_y():
    d = derive.derive("gaussian")
    yhat, y, sigma = sym(d, "yhat"), sym(d, "y"), sym(d, "sigma")
    assert sp.simplify(d.gradient() - 2 * (yhat - y)) == 0
    assert sp.simplify(d.gradient(of="nll") - (yhat - y) / sigma**2) == 0
    assert sp.simplify(d.hessian(of="nll") - 1 / sigma**2) == 0


@pytest.mark.parametrize("name, form", [
    ("gamma", lambda s: s["k"] * (s["mu"] - s["y"]) / s["mu"] ** 2),  # V(mu) = mu^2, dispersion 1/k
    ("exponential", lambda s: (s["mu"] - s["y"]) / s["mu"] ** 2),
    ("poisson", lambda s: (s["lambda"] - s["y"]) / s["lambda"]),  # V = lambda
    ("inverse_gaussian", lambda s: s["lam"] * (s["mu"] - s["y"]) / s["mu"] ** 3),  # V = mu^3
    ("bernoulli", lambda s: (s["yhat"] - s["y"]) / (s["yhat"] * (1 - s["yhat"]))),  # V = p(1-p)
    ("tweedie", lambda s: sp.exp((1 - s["p"]) * s["z"]) * (sp.exp(s["z"]) - s["y"])),  # mu^(1-p)(mu - y)
])
def test_mean_parametrised_families_read_mu_minus_y_over_the_variance(name, form):
    d = derive.derive(name)
    names = {str(a): a for a in d.nll.free_symbols}
    assert sp.simplify(d.gradient(of="nll") - form(names)) == 0


def test_bernoulli_gradient_reads_as_the_textbook_writes_it():
    """-(yhat - y)/(yhat (yhat - 1)) is written (yhat - y)/(yhat (1 - yhat)): the sign goes into the
    difference that the domain yhat in (0, 1) makes positive; the same tree, printed without a minus."""
    d = derive.derive("bernoulli")
    yhat, y = sym(d, "yhat"), sym(d, "y")
    assert d.gradient() == (yhat - y) / (yhat * (1 - yhat))
    assert latex(d.gradient()) == r"\frac{\hat{y} - y}{\hat{y} (1 - \hat{y})}"
    assert d.hessian().has(1 - yhat) and not d.hessian().has(yhat - 1)  # (1 - yhat)^2, not (yhat - 1)^2
    assert d.gradient_derivation(of="nll").fisher == 1 / (yhat * (1 - yhat))


@pytest.mark.parametrize("name", ["bernoulli", "binomial", "geometric", "negative_binomial", "student_t", "cauchy",
                                  "logistic", "continuous_bernoulli"])
def test_gradients_hessians_and_fisher_print_without_a_leading_minus(name):
    """... and hold no difference that is negative on the domain (yhat - 1 for yhat in (0, 1))."""
    d = derive.derive(name)
    g = d.gradient_derivation(of="nll")
    for expr in (g.gradient, g.hessian) + ((g.fisher,) if g.fisher is not None else ()):
        assert not latex(expr).startswith("-"), latex(expr)
        negative = [f for f in sp.preorder_traversal(expr)
                    if isinstance(f, sp.Add) and is_positive_on(-f, d.assumption.domains)]
        assert not negative, (expr, negative)


def test_pseudo_huber_gradient_keeps_the_losss_own_sum():
    """SymPy's derivative expands delta^2 + (y - yhat)^2 under the root; the gradient and Hessian are
    written with the sum as the loss writes it (and proved equal to the derivative)."""
    d = derive.derive("pseudo_huber")
    yhat, y, delta = sym(d, "yhat"), sym(d, "y"), sym(d, "delta")
    assert d.gradient() == (yhat - y) / sp.sqrt(delta**2 + (y - yhat) ** 2)
    assert d.hessian() == delta**2 / (delta**2 + (y - yhat) ** 2) ** sp.Rational(3, 2)
    assert in_terms_of(y**2 - 2 * y * yhat + yhat**2 + 1, [1 + (y - yhat) ** 2]) == 1 + (y - yhat) ** 2


def test_sign_into_difference_flips_the_factor_the_domain_makes_positive_else_a_numerator_one():
    x = sp.Symbol("x", real=True)
    a, b, c = sp.symbols("a b c", real=True)
    unit = {x: sp.Interval.open(0, 1)}
    assert sign_into_difference(-(a - b) / (x * (x - 1)), unit) == (a - b) / (x * (1 - x))
    assert sign_into_difference((a - b) / (x - 1) ** 2, unit) == (a - b) / (1 - x) ** 2  # even: no sign moves
    # nothing known of c: the sign goes into the numerator's difference, never an unknown denominator
    assert sign_into_difference(-2 * (a - b) / (c - 1), {}) == 2 * (b - a) / (c - 1)
    assert sign_into_difference(-a / (c - 1), {}) == -a / (c - 1)  # no difference to take it: unchanged
    for expr in (-(a - b) / (x * (x - 1)), (a - b) / (x - 1) ** 2, -2 * (a - b) / (c - 1)):
        assert sp.simplify(sign_into_difference(expr, unit) - expr) == 0


@pytest.mark.parametrize("name, fisher", [
    ("bernoulli", lambda s: 1 / (s["yhat"] * (1 - s["yhat"]))),
    ("poisson", lambda s: 1 / s["lambda"]),
    ("gaussian", lambda s: 1 / s["sigma"] ** 2),
    ("exponential", lambda s: 1 / s["mu"] ** 2),
    ("gamma", lambda s: s["k"] / s["mu"] ** 2),
    ("inverse_gaussian", lambda s: s["lam"] / s["mu"] ** 3),
    ("poisson_log", lambda s: sp.exp(s["z"])),
    ("lognormal", lambda s: 1 / s["s"] ** 2),
    ("binomial", lambda s: s["N"] / (s["yhat"] * (1 - s["yhat"]))),
    ("geometric", lambda s: 1 / (s["p"] ** 2 * (1 - s["p"]))),
    ("negative_binomial", lambda s: 1 / (s["mu"] * (1 + s["alpha"] * s["mu"]))),
    ("tweedie", lambda s: sp.exp((2 - s["p"]) * s["z"])),  # quasi: (dmu/dz)^2 / V(mu) = mu^(2-p)
])
def test_fisher_information_textbook_values(name, fisher):
    d = derive.derive(name)
    names = {str(a): a for a in d.nll.free_symbols}
    assert sp.simplify(d.gradient_derivation(of="nll").fisher - fisher(names)) == 0


def test_kinks_stated_as_subgradients():
    lap = derive.derive("laplace").gradient_derivation()
    (kink,) = lap.kinks
    assert {kink.left, kink.right} == {sp.Integer(-1), sp.Integer(1)} and not kink.differentiable
    ql = derive.derive("asymmetric_laplace")
    (kink,) = ql.gradient_derivation().kinks
    tau = sym(ql, "tau")
    assert {sp.simplify(kink.left), sp.simplify(kink.right)} == {-tau, 1 - tau}
    hub = derive.derive("huber").gradient_derivation()
    assert len(hub.kinks) == 2 and all(k.differentiable for k in hub.kinks)  # C^1, Hessian jumps
    assert "once, not twice" in hub.kinks[0].statement()
    gg = derive.derive("generalized_gaussian").gradient_derivation()
    assert any("beta > 1" in n for n in gg.notes)


def test_bad_wrt_and_matrix_entries_are_our_errors():
    with pytest.raises(DeriveError, match="not a param"):
        derive.derive("gaussian").gradient(wrt="sigma")
    with pytest.raises(DeriveError, match="say which"):
        derive.derive("gaussian_variance").gradient_derivation()
    with pytest.raises(DeriveError, match="of="):
        derive.derive("gaussian").gradient(of="risk")
    with pytest.raises(Unsupported):
        derive.derive("gaussian_covariance").gradient()
    g = derive.derive("gaussian_variance").gradient()
    assert g.shape == (2, 1) and derive.derive("gaussian_variance").hessian().shape == (2, 2)


# --------------------------------------------------------------------------- against torch.autograd


K_VALUE = 4


def draw(domain, rng):
    if domain == sp.FiniteSet(0, 1):
        return float(rng.choice((0, 1)))
    if isinstance(domain, sp.Range):
        return float(rng.randint(0, 7))
    if isinstance(domain, sp.Interval):
        lo, hi = domain.inf, domain.sup
        if lo.is_finite and hi.is_finite:
            return float(lo + (hi - lo) * rng.uniform(0.1, 0.9))
        if lo.is_finite:
            return float(lo) + rng.uniform(0.3, 3.0)
    return rng.uniform(-2.0, 2.0)


def point(d, rng):
    """Values for every symbol of the loss and NLL, by the entry's domains; sizes K, d = 4, N = 10."""
    values = {}
    domains = {str(getattr(k, "label", k)): v for k, v in d.assumption.domains.items()}
    atoms = d.nll.free_symbols | {a.label for a in d.nll.atoms(sp.IndexedBase)}
    for atom in sorted(atoms, key=str):  # in a fixed order: the draws must not depend on hashing
        name = str(atom)
        if name in ("K", "d"):
            continue
        if name == "N":
            values[name] = 10.0
            continue
        domain = domains.get(name, derive.symbols.domain_of(atom, None) if hasattr(derive, "symbols") else sp.Reals)
        if d.name == "binomial" and name == "y":
            values[name] = float(rng.randint(0, 10))
        elif d.name == "categorical_smoothed" and name == "yhat" or name == "yhat" and d.name in ("categorical", "multinomial"):
            raw = [rng.uniform(0.2, 1.0) for _ in range(K_VALUE)]
            values[name] = [r / sum(raw) for r in raw]
        elif isinstance(atom, sp.Symbol) and atom.is_integer and name not in ("y",):
            continue
        elif name == "y" and any(isinstance(a, sp.IndexedBase) for a in d.data):
            if d.assumption.support == ONE_HOT or d.name == "multinomial":
                hot = rng.randrange(K_VALUE)
                values[name] = [float(i == hot) for i in range(K_VALUE)]
            else:
                values[name] = [rng.uniform(-2, 2) for _ in range(K_VALUE)]
        elif any(isinstance(a, sp.Indexed) and a.base.label == atom for a in d.nll.atoms(sp.Indexed)):
            values[name] = [draw(domain, rng) for _ in range(K_VALUE)]
        else:
            values[name] = draw(domain, rng)
    return values


def concrete(expr, d, values, index=None):
    """expr at K = d = 4 with the free class index (if any) set, every other symbol given a value."""
    sizes = {s: K_VALUE for s in expr.free_symbols if s.name in ("K", "d")}
    e = expand_named(expr).xreplace(sizes)
    e = e.xreplace(index or {}).doit()
    subs = {}
    for atom in e.atoms(sp.Indexed):
        subs[atom] = sp.Float(values[str(atom.base.label)][int(atom.indices[0]) - 1], 30)
    for atom in e.free_symbols:
        if atom.name in values and not isinstance(values[atom.name], list):
            subs[atom] = sp.Float(values[atom.name], 30)
    return complex(e.xreplace(subs).evalf(30)).real


def torch_loss(d, of, values, param):
    """The loss as a torch function of the param (a tensor), by SymPy's lambdify: autograd's input."""
    expr = (d.loss if of == "loss" else d.nll)
    sizes = {s: K_VALUE for s in expr.free_symbols if s.name in ("K", "d")}
    expr = expr.xreplace(sizes).doit()
    # terms free of the param (log y!, log Gamma(phi)) do not change the derivatives: left out
    expr = sp.Add(*[t for t in sp.Add.make_args(sp.expand(expr)) if t.has(param)])
    expr = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.gamma),
                        lambda e: sp.loggamma(e.args[0].args[0]))
    pname = str(getattr(param, "label", param))
    others = sorted((a for a in expr.free_symbols if isinstance(a, sp.Symbol) and a.name != pname), key=str)
    indexed = sorted({a for a in expr.atoms(sp.Indexed)}, key=str)
    args = [a for a in others if not any(a == i.base.label for i in indexed)]
    p_atoms = [a for a in indexed if str(a.base.label) == pname]
    o_atoms = [a for a in indexed if str(a.base.label) != pname]
    pvars = sp.symbols(f"p0:{max(len(p_atoms), 1)}")
    ovars = sp.symbols(f"o0:{max(len(o_atoms), 1)}")
    e = expr.xreplace(dict(zip(p_atoms, pvars))).xreplace(dict(zip(o_atoms, ovars)))
    scalar_param = not p_atoms
    # numbers such as sqrt(2) or erf(1) as floats: torch's functions take tensors only
    e = e.replace(lambda x: x.is_number and not x.is_Atom, lambda x: sp.Float(x.evalf(30), 30))
    f = sp.lambdify([pvars if not scalar_param else [param]] + [list(ovars)] + [args], e, modules="torch")
    ovals = [torch.tensor(values[str(a.base.label)][int(a.indices[0]) - 1], dtype=torch.float64) for a in o_atoms]
    avals = [torch.tensor(values[a.name], dtype=torch.float64) for a in args]

    def loss(theta):
        parts = [theta] if scalar_param else [theta[int(a.indices[0]) - 1] for a in p_atoms]
        return f(parts, ovals or [torch.tensor(0.0)], avals)

    return loss


@pytest.mark.parametrize("name", ENTRIES)
@pytest.mark.parametrize("of", ["loss", "nll"])
def test_gradient_and_hessian_match_torch_autograd(name, of):
    d = derive.derive(name)
    rng = random.Random(f"{name}-{of}")
    for param in d.params:
        g = d.gradient_derivation(param if len(d.params) > 1 else None, of)
        for _ in range(3):
            values = point(d, rng)
            pname = str(getattr(param, "label", param))
            start = values[pname]
            theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
            loss = torch_loss(d, of, values, param)
            auto_g = torch.autograd.grad(loss(theta), theta, create_graph=True)[0]
            auto_h = torch.autograd.functional.hessian(loss, theta.detach())
            if isinstance(g.wrt, sp.Indexed):
                (l,) = g.wrt.indices
                others = [s for s in expand_named(g.hessian).free_symbols
                          if isinstance(s, sp.Symbol) and s.is_integer and s != l and s.name not in ("K", "d")
                          and not any(s == i.base.label for i in g.hessian.atoms(sp.Indexed))]
                for a in range(1, K_VALUE + 1):
                    want = concrete(g.gradient, d, values, {l: a})
                    assert want == pytest.approx(auto_g[a - 1].item(), rel=1e-9, abs=1e-12)
                    for b in range(1, K_VALUE + 1):
                        idx = {l: a, **{o: b for o in others}}
                        want = concrete(g.hessian, d, values, idx)
                        assert want == pytest.approx(auto_h[a - 1, b - 1].item(), rel=1e-9, abs=1e-12)
            else:
                assert concrete(g.gradient, d, values) == pytest.approx(auto_g.item(), rel=1e-9, abs=1e-12)
                assert concrete(g.hessian, d, values) == pytest.approx(auto_h.item(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("z", [-1000.0, -50.0, -1e-8, 0.0, 3.0, 40.0, 1000.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_logits_gradient_at_extreme_logits_against_torch(z, y):
    g = derive.derive("bernoulli_logits").gradient_derivation()
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.float64)
    auto = torch.autograd.grad(F.binary_cross_entropy_with_logits(zt, yt), zt, create_graph=True)[0]
    auto_h = torch.autograd.grad(auto, zt)[0]
    # sigma(z) evaluated as torch does it (stably), the rest of the textbook form by lambdify
    s, (zs,) = sp.Symbol("s"), g.wrt.free_symbols
    ys = next(a for a in g.gradient.free_symbols if a.name == "y")
    grad = sp.lambdify([s, ys], g.gradient.xreplace({sigmoid(zs): s}), modules="torch")
    hess = sp.lambdify([s], g.hessian.xreplace({sigmoid(zs): s}), modules="torch")
    p = torch.sigmoid(zt.detach())
    assert grad(p, yt).item() == pytest.approx(auto.item(), rel=1e-15, abs=1e-300)
    assert hess(p).item() == pytest.approx(auto_h.item(), rel=1e-12, abs=1e-300)


def test_softmax_ce_gradient_at_extreme_logits_against_torch():
    g = derive.derive("categorical_logits").gradient_derivation()
    (l,) = g.wrt.indices
    zs = torch.tensor([1000.0, -1000.0, 0.0, 999.0], dtype=torch.float64, requires_grad=True)
    target = 1
    auto = torch.autograd.grad(F.cross_entropy(zs[None], torch.tensor([target])), zs)[0]
    # the textbook form with softmax evaluated as torch does it
    softmax = torch.softmax(zs.detach(), 0)
    y = torch.nn.functional.one_hot(torch.tensor(target), 4).double()
    expr = g.gradient
    (s,) = expr.atoms(derive.gradients.softmax)
    for a in range(4):
        value = expr.xreplace({s: sp.Float(softmax[a].item(), 30)}).xreplace({l: a + 1})
        value = value.xreplace({i: sp.Float(y[int(i.indices[0]) - 1].item()) for i in value.atoms(sp.Indexed)})
        assert float(value) == pytest.approx(auto[a].item(), rel=1e-15, abs=1e-300)
