"""Generated code: every rewrite of the table proved by derive.equivalent; the generated torch and
NumPy functions against mpmath at 50 digits (the derived formula itself, not the rewritten one)
over grids with extreme inputs, in float64 and float32; against torch's own functions."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

import derive
from derive import equivalent
from derive.codegen import compile_code, to_code
from derive.codegen.rewrites import REWRITES, XLOGY, softplus
from derive.errors import DeriveError, Unsupported
from derive.gradients import expand_named, sigmoid

torch = pytest.importorskip("torch")
F = torch.nn.functional

# --------------------------------------------------------------------------- the rewrite table


@pytest.mark.parametrize("rule", REWRITES + (XLOGY,), ids=lambda r: r.name)
def test_each_rewrite_is_a_proved_identity(rule):
    for lhs, rhs in rule.identities():
        verdict = equivalent(lhs, rhs, timeout=20)
        assert verdict.holds is True and not verdict.numerical, (rule.name, lhs, rhs, verdict)
    # the stable function stands for the pattern: its definition is the pattern
    verdict = equivalent(rule.before.rewrite(sp.exp), rule.after.rewrite(sp.exp), timeout=20)
    assert verdict.holds is True and not verdict.numerical


def test_log_ndtr_derivative_is_the_derivative_of_its_definition():
    """The gradient of a loss with a normal CDF's log is taken through log_ndtr.fdiff (Mills'
    ratio as e^(-x^2/2 - log Phi(x)) / sqrt(2 pi)): proved equal to d/dx of the definition."""
    from derive.codegen.rewrites import log_ndtr

    x = sp.Symbol("x", real=True)
    mine = sp.diff(log_ndtr(x), x).rewrite(sp.exp)
    assert equivalent(mine, sp.diff(log_ndtr.definition(x), x), timeout=20).holds is True


def test_log_ndtr_diff_derivatives_are_the_derivatives_of_its_definition():
    from derive.codegen.rewrites import log_ndtr_diff

    b, a = sp.Symbol("b", real=True), sp.Symbol("a", real=True)
    for wrt in (b, a):
        mine = sp.diff(log_ndtr_diff(b, a), wrt).rewrite(sp.exp)
        assert equivalent(mine, sp.diff(log_ndtr_diff.definition(b, a), wrt), timeout=20).holds is True


def test_the_classic_log_sigmoid_sign_slip_is_refuted():
    x = sp.Symbol("x", real=True)
    log_sigmoid = sp.log(sigmoid(x).rewrite(sp.exp))
    assert equivalent(log_sigmoid, -softplus(-x).rewrite(sp.exp)).holds is True
    slip = equivalent(log_sigmoid, -softplus(x).rewrite(sp.exp))
    assert slip.holds is False and slip.counterexample


# --------------------------------------------------------------------------- against mpmath

DIGITS = 50
ULPS = 8  # "a few ulps" of the correctly rounded value: each op rounds once, a handful of ops


_EXACT: dict = {}


def exact(expr, values: dict, index=None) -> tuple | None:
    """Cached (the torch and NumPy runs share the inputs): see :func:`exact_value`."""
    key = (sp.srepr(expr), repr(sorted(values.items())), repr(index))
    if key not in _EXACT:
        _EXACT[key] = exact_value(expr, values, index)
    return _EXACT[key]


def exact_value(expr, values: dict, index=None) -> tuple | None:
    """(value, sum of |terms|) of expr at the given (already rounded) float inputs: mpmath at 400
    digits (1 - 1e-300 is exact there), rounded to 50; None where not real.  The terms are the
    top-level summands of the derived formula: where they cancel (sum |t| >> |sum t|) no
    floating-point evaluation of that formula is within a few ulps of the sum."""
    expr = expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.binomial),
                        lambda e: sp.log(sp.factorial(e.args[0].args[0])) - sp.log(sp.factorial(e.args[0].args[1]))
                        - sp.log(sp.factorial(e.args[0].args[0] - e.args[0].args[1])))  # evaluated as such
    terms = [exact_one(t, values, index) for t in sp.Add.make_args(expr)]
    exponents = [exact_one(e.args[0], values, index) for e in expr.atoms(sp.exp) if not e.has(sp.Indexed)]
    if any(t is None for t in terms + exponents):
        return None
    with mpmath.workdps(400):
        value, magnitude = mpmath.fsum(terms), mpmath.fsum(abs(t) for t in terms)
        return (mpmath.mpf(mpmath.nstr(value, DIGITS)), mpmath.mpf(mpmath.nstr(magnitude, DIGITS)),
                1 + max([abs(x) for x in exponents], default=0))


def exact_one(expr, values: dict, index=None) -> mpmath.mpf | None:
    sizes = {s: len(v) for s in expr.free_symbols for v in values.values()
             if isinstance(v, list) and s.name in ("K", "d")}
    e = expand_named(expr).xreplace(sizes)
    e = e.xreplace(index or {}).doit()
    subs, args = {}, []
    for atom in sorted(e.atoms(sp.Indexed), key=str):
        subs[atom] = sp.Dummy()
        args.append(values[str(atom.base.label)][int(atom.indices[0]) - 1])
    e = e.xreplace(subs)
    symbols = [s for s in e.free_symbols if s.name in values and not isinstance(values[s.name], list)]
    fn = sp.lambdify(list(subs.values()) + symbols, e, modules="mpmath")
    with mpmath.workdps(400):
        try:
            value = fn(*[mpmath.mpf(v) for v in args + [values[s.name] for s in symbols]])
        except (ZeroDivisionError, ValueError):
            return None
        if isinstance(value, mpmath.mpc):
            if value.imag != 0:
                return None
            value = value.real
        if mpmath.isnan(value):
            return None
        return +mpmath.mpf(value)


def ulp_ok(got: float, exact_value, dtype, strict: bool = False) -> bool:
    """Within ULPS units in the last place of the true value (``strict``); otherwise of the sum
    of the derived formula's terms' magnitudes, times the condition number 1 + |x| of its largest
    e^x: what any floating-point evaluation of that formula can reach.  Below the smallest normal
    number (subnormals carry fewer digits): within that number."""
    info = np.finfo(dtype)
    if exact_value is None:
        return True
    want, magnitude, kappa = exact_value
    want_scale = abs(want)
    if not strict and not mpmath.isinf(want):
        # e^x carries the error of x times |x|; cancelling terms carry their own magnitude
        want_scale = max(want_scale, magnitude) * kappa
    if abs(want) > mpmath.mpf(float(info.max)):
        return True  # not representable: overflow allowed
    if not math.isfinite(got):
        return False
    tiny = mpmath.mpf(float(info.tiny))
    if want_scale < tiny:
        return abs(mpmath.mpf(got) - want) <= tiny
    return abs(mpmath.mpf(got) - want) <= ULPS * want_scale * mpmath.mpf(float(info.eps))


#: Entries whose generated loss, NLL and gradient are within a few ulps of the true value at
#: every grid point, cancellation in the textbook formula or not (the stable forms remove it).
#: The others: within a few ulps of their largest term where the derived formula's terms
#: cancel (lgamma(y + 1) against y log(lambda) at counts of 1e6: no rewrite in the table removes
#: that; the deviance form would).
#: categorical_logits: its loss is (the largest logit's term is added exactly), its gradient
#: softmax_c - 1 at the true class is not when p_c -> 1 (absolute error 1 ulp of 1, as torch's).
ALL = ("loss", "nll", "gradient")
STRICT = {**{name: ALL for name in ("bernoulli_logits", "bernoulli", "categorical", "hyperbolic_secant",
                                    "student_t", "cauchy", "laplace", "huber", "gaussian")},
          "categorical_logits": ("loss", "nll")}


def rounded(x, dtype):
    return float(np.asarray(x, dtype=dtype)) if not isinstance(x, list) else [float(np.asarray(v, dtype=dtype)) for v in x]


P_GRID = [1e-300, 1e-20, 1e-8, 0.3, 0.5, 1 - 1e-8, 1 - 1e-16]
Z_GRID = [-1e3, -100.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 100.0, 1e3]
GRIDS = {
    "bernoulli_logits": [{"y": y, "z": z} for y in (0.0, 1.0) for z in Z_GRID],
    "bernoulli": [{"y": y, "yhat": p} for y in (0.0, 1.0) for p in P_GRID],
    "categorical_logits": [{"y": [float(i == c) for i in range(3)], "z": z} for c in range(3)
                           for z in ([1e3, -1e3, 0.0], [-1e3, -1e3, -1e3], [30.0, 0.0, -30.0], [1e-8, 0.0, 0.0], [0.0, 0.0, 0.0])],
    "categorical": [{"y": [float(i == c) for i in range(3)], "yhat": p} for c in range(3)
                    for p in ([1e-300, 1 - 1e-16, 1e-16], [0.2, 0.3, 0.5])],
    "poisson_log": [{"y": y, "z": z} for y in (0.0, 1.0, 5.0, 1e6) for z in (-30.0, -1.0, 0.0, 1.0, math.log(1e6), 30.0)],
    "poisson": [{"y": y, "lambda": lam} for y in (0.0, 1.0, 1e6) for lam in (1e-300, 1e-8, 1.0, 1e6)],
    "binomial": [{"y": y, "N": n, "yhat": p} for n in (10.0, 1e6) for y in (0.0, 3.0, n) for p in (1e-300, 0.5, 1 - 1e-16)],
    "gaussian": [{"y": y, "yhat": h, "sigma": s} for y in (-1e3, 0.0, 1e-8) for h in (0.0, 1e3) for s in (1e-3, 1.0)],
    "hyperbolic_secant": [{"y": y, "yhat": 0.0} for y in (-1e3, -30.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 1e3)],
    "student_t": [{"y": y, "mu": 0.0, "nu": 3.0, "s": 1.0} for y in (1e-10, 1e-3, 1.0, 1e6)],
    "cauchy": [{"y": y, "mu": 0.0, "gamma": 2.0} for y in (1e-10, 1e-3, 1.0, 1e6)],
    "negative_binomial": [{"y": y, "mu": mu, "alpha": a} for y in (0.0, 1e6) for mu in (1e-8, 1.0, 1e6) for a in (0.1, 10.0)],
    "gamma": [{"y": y, "mu": mu, "k": 2.0} for y in (1e-8, 1.0, 1e6) for mu in (1e-8, 1.0, 1e6)],
    "tweedie": [{"y": y, "z": z, "p": p} for y in (0.0, 1.0, 1e6) for z in (-30.0, 0.0, 30.0) for p in (1.2, 1.5, 1.8)],
    "laplace": [{"y": y, "yhat": 0.0, "b": 1.0} for y in (-1e3, -1e-8, 1e-8, 1e3)],
    "huber": [{"y": y, "yhat": 0.0, "delta": 1.0} for y in (-1e3, -1.0, -1e-8, 0.5, 1e3)],
    "geometric": [{"y": y, "p": p} for y in (0.0, 1e6) for p in (1e-20, 0.5, 1 - 1e-16)],
    # a normal tail's log: 1 - erf underflows at mu/sigma = 6.5 where the loss is finite
    "tobit": [{"y": y, "mu": mu, "sigma": 1.0} for y in (0.0, 2.0) for mu in (-40.0, -9.0, -1.0, 0.0, 1.0, 9.0, 40.0)],
    # a normal interval's probability: Phi(u) - Phi(l) is 1 - 1 = 0 far in the upper tail
    "interval_censored_gaussian": [{"l": lo, "u": hi, "mu": 0.0, "sigma": 1.0}
                                   for lo, hi in ((-1.0, 1.0), (40.0, 41.0), (-41.0, -40.0), (10.0, 10.5), (-3.0, 50.0))],
    "truncated_gaussian": [{"y": 50.0, "mu": mu, "sigma": 1.0, "a": a} for mu in (-30.0, 0.0, 30.0)
                           for a in (-5.0, 10.0, 45.0)],
}


def call(fn, d, values, target, dtype):
    args = [values[str(getattr(a, "label", a))] for a in (*d.data, *d.params, *d.fixed)]
    if target == "torch":
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        arrays = [torch.tensor([a], dtype=tdtype) for a in args]
        out = fn(*arrays)
        return (out if not isinstance(out, tuple) else out[0]).numpy()[0]
    arrays = [np.asarray([a], dtype=dtype) for a in args]
    out = fn(*arrays)
    return np.asarray(out if not isinstance(out, tuple) else out[0])[0]


@pytest.mark.parametrize("target", ["torch", "numpy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(GRIDS))
def test_generated_code_within_ulps_of_mpmath(name, dtype, target):
    d = derive.derive(name)
    fns = compile_code(d, target)
    g = d.gradient_derivation(d.params[0] if len(d.params) > 1 else None)
    failures = []
    for raw in GRIDS[name]:
        values = {k: rounded(v, dtype) for k, v in raw.items()}
        for label, expr in (("loss", d.loss), ("nll", d.nll)):
            got = float(call(fns[label], d, values, target, dtype))
            want = exact(expr, values)
            if not ulp_ok(got, want, dtype, label in STRICT.get(name, ())):
                failures.append((label, raw, got, want))
        got = np.atleast_1d(call(fns["gradient"], d, values, target, dtype))
        if isinstance(g.wrt, sp.Indexed):
            wants = [exact(g.raw, values, {g.wrt.indices[0]: c + 1}) for c in range(len(got))]
        else:
            wants = [exact(g.raw, values)]
        for gc, want in zip(got, wants):
            if not ulp_ok(float(gc), want, dtype, "gradient" in STRICT.get(name, ())):
                failures.append(("gradient", raw, float(gc), want))
    assert not failures, failures[:5]


@pytest.mark.parametrize("target", ["torch", "numpy"])
def test_continuous_bernoulli_at_one_half_is_its_limit(target):
    """(2p - 1)/(log p - log(1 - p)) is 0/0 at p = 1/2; the generated code gives the limit there,
    agrees with torch's ContinuousBernoulli (whose normaliser takes the same limit) around it, and
    keeps p = 1e-300 and 1 - 1e-16 (where torch clamps p) at the true value, by mpmath."""
    d = derive.derive("continuous_bernoulli")
    fns = compile_code(d, target)
    with mpmath.workdps(50):
        for p in (0.5, 0.5 + 2**-40, 0.5 - 2**-30, 0.3, 0.74, 0.76, 1e-300, 1 - 2**-53):
            for y in (0.0, 0.3, 1.0):
                got = float(call(fns["nll"], d, {"y": y, "yhat": p}, target, np.float64))
                mp = mpmath.mpf(p)
                ratio = mpmath.mpf("0.5") if p == 0.5 else (2 * mp - 1) / (mpmath.log(mp) - mpmath.log(1 - mp))
                want = float(-y * mpmath.log(mp) - (1 - y) * mpmath.log(1 - mp) + mpmath.log(ratio))
                assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (p, y)
                if 1e-3 < p < 1 - 1e-3:
                    cb = torch.distributions.ContinuousBernoulli(probs=torch.tensor(p, dtype=torch.float64))
                    assert got == pytest.approx(-cb.log_prob(torch.tensor(y, dtype=torch.float64)).item(),
                                                rel=1e-9, abs=1e-12), (p, y)


def test_bce_at_a_probability_of_1e_300_is_690_8_not_a_clamp():
    fns = compile_code(derive.derive("bernoulli"), "torch")
    value = fns["loss"](torch.tensor([1.0], dtype=torch.float64), torch.tensor([1e-300], dtype=torch.float64))
    assert value.item() == pytest.approx(300 * math.log(10), rel=1e-15)  # torch's BCE says 100 (log clamped)


def test_generated_source_is_batched_and_zero_based():
    src = to_code(derive.derive("categorical_logits"), "torch")
    assert "torch.amax(z, -1, keepdim=True)" in src and "torch.softmax(z, -1)" in src
    fns = compile_code(derive.derive("categorical_logits"), "torch")
    z = torch.randn(5, 7, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = F.one_hot(torch.arange(5 * 7).reshape(5, 7) % 4, 4).double()
    assert fns["loss"](y, z).shape == (5, 7) and fns["gradient"](y, z).shape == (5, 7, 4)
    # class 0 is the first column: the loss picks z[..., target]
    want = torch.logsumexp(z, -1) - z[..., 0]
    assert torch.allclose(fns["loss"](F.one_hot(torch.zeros(5, 7, dtype=torch.long), 4).double(), z), want,
                          rtol=1e-14, atol=0)


def test_bad_target_and_matrix_entries_are_our_errors():
    with pytest.raises(DeriveError, match="unknown target"):
        to_code(derive.derive("gaussian"), "jax")
    with pytest.raises(Unsupported):
        to_code(derive.derive("gaussian_covariance"), "torch")


@pytest.mark.parametrize("name", [n for n in derive.names() if n != "gaussian_covariance"])
@pytest.mark.parametrize("target", ["torch", "numpy"])
def test_every_entry_generates_code_that_runs(name, target):
    fns = compile_code(derive.derive(name), target)
    assert {"loss", "nll", "dataset_loss", "gradient"} <= set(fns)


# --------------------------------------------------------------------------- against torch's functions

PEERS = {
    "bernoulli_logits": (lambda v: F.binary_cross_entropy_with_logits(v["z"], v["y"], reduction="none"), "z"),
    "poisson_log": (lambda v: F.poisson_nll_loss(v["z"], v["y"], log_input=True, full=False, reduction="none"), "z"),
    "gaussian": (lambda v: F.mse_loss(v["yhat"], v["y"], reduction="none"), "yhat"),
    "categorical_logits": (lambda v: F.cross_entropy(v["z"], v["y"], reduction="none"), "z"),
}


@pytest.mark.parametrize("name", sorted(PEERS))
def test_generated_torch_matches_the_framework_function_and_its_autograd(name):
    d = derive.derive(name)
    fns = compile_code(d, "torch")
    peer, wrt = PEERS[name]
    gen = torch.Generator().manual_seed(3)
    shape = (64, 5) if d.assumption.vector_index else (64,)
    v = {"z": torch.randn(shape, generator=gen, dtype=torch.float64) * 40,
         "yhat": torch.randn(shape, generator=gen, dtype=torch.float64),
         "y": (torch.rand(shape, generator=gen, dtype=torch.float64) < 0.5).double()}
    if name == "poisson_log":
        v["y"] = torch.poisson(torch.full(shape, 3.0, dtype=torch.float64), generator=gen)
        v["z"] = v["z"] / 10
    if name == "categorical_logits":
        v["y"] = F.one_hot(torch.randint(0, 5, (64,), generator=gen), 5).double()
    args = [v[str(getattr(a, "label", a))] for a in (*d.data, *d.params, *d.fixed) if str(getattr(a, "label", a)) in v]
    if name == "gaussian":
        args.append(torch.full(shape, 1.0, dtype=torch.float64))
    theta = v[wrt].clone().requires_grad_(True)
    v_grad = dict(v, **{wrt: theta})
    value = peer(v_grad)
    (auto,) = torch.autograd.grad(value.sum(), theta)
    assert torch.allclose(fns["loss"](*args), value.detach(), rtol=1e-13, atol=1e-13)
    assert torch.allclose(fns["gradient"](*args), auto, rtol=1e-13, atol=1e-13)


# --------------------------------------------------------------------------- the commands


def test_derive_code_prints_a_module_that_runs(capsys):
    from derive.cli import main

    assert main(["code", "bernoulli_logits", "--target", "numpy"]) == 0
    namespace: dict = {}
    exec(capsys.readouterr().out, namespace)
    # BCE with logits at z = 1000, y = 0 is 1000 (log(1 + e^1000) overflows in float64)
    assert namespace["loss"](np.array([0.0]), np.array([1000.0]))[0] == 1000.0
    assert namespace["gradient"](np.array([1.0]), np.array([-1000.0]))[0] == -1.0


def test_derive_objective_prints_the_relation_and_bad_input_exits_2(capsys):
    from derive.cli import main

    assert main(["objective", "categorical_logits", "--target", "xgboost"]) == 0
    out = capsys.readouterr().out
    assert "multi:softprob" in out and "2p(1 - p), not p(1 - p)" in out
    assert main(["objective", "gaussian_covariance", "--target", "lightgbm"]) == 2
    assert "matrix" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["torch", "numpy"])
def test_log_besselk_is_evaluated_scaled_and_stays_finite_where_k1_underflows(target):
    """The pseudo-Huber NLL holds log K_1(delta^2): at delta = 30, K_1(900) ~ 1e-392 is 0 in float64,
    its log -inf; the code evaluates log(e^x K_1(x)) - x.  Checked against mpmath at 30 digits."""
    d = derive.derive("pseudo_huber")
    fns = compile_code(d, target)
    y, yhat, delta = [0.3, -2.0, 1.0], [1.0, 0.5, 0.0], [30.0, 0.7, 1e-3]

    def want(y, yhat, delta):
        y, yhat, delta = (mpmath.mpf(v) for v in (y, yhat, delta))
        return delta * mpmath.sqrt(delta**2 + (y - yhat) ** 2) + mpmath.log(2 * delta * mpmath.besselk(1, delta**2))

    arrays = (torch.tensor if target == "torch" else np.array)
    got = fns["nll"](*(arrays(v, dtype=torch.float64 if target == "torch" else float) for v in (y, yhat, delta)))
    with mpmath.workdps(30):
        expected = [float(want(*v)) for v in zip(y, yhat, delta)]
    np.testing.assert_allclose(np.asarray(got, dtype=float), expected, rtol=1e-13)
