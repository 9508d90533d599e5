"""The whole catalogue against independent oracles, float64 at seeded points inside the
support, 1e-10 relative:

- ``d.nll`` against SciPy's logpdf/logpmf (every constant); where SciPy has no such
  distribution, an independent numeric route (quadrature of the kernel, PyTorch's
  ``distributions``), named in the case;
- every peer of ``d.peers`` (PyTorch and scikit-learn functions): the framework's own value
  equals the documented formula, and ``d.nll == scale*value + offset`` at the point;
- ``d.dataset_loss`` against the PyTorch function (mean reduction) through the derived
  relation;
- ``d.deviance`` against ``sklearn.metrics`` (or SciPy for the binomial).

Registry-driven: the cases are the entries' records in tests/catalogue_cases.py; an entry
without one, or a peer without its framework call there, fails with "add X to ...".
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

import derive
from catalogue_cases import CASES, t
from derive.peers import table
from numeric import evaluate, rel_close

SEEDS = range(4)
ORACLE_CASES = {name: case.oracle for name, case in CASES.items()}
FRAMEWORK = {call: value for case in CASES.values() for call, value in case.framework.items()}
TORCH_MEAN = {(name, call): mean for name, case in CASES.items() for call, mean in case.torch_mean.items()}
DEVIANCE_ORACLES = {name: case.deviance for name, case in CASES.items() if case.deviance is not None}
T = torch.float64
SIZES = {"K", "N", "d"}


def _evaluate_matrices(expr, v):
    """expr at explicit matrices: every MatrixSymbol by name, the size d given."""
    dim = int(v["d"])
    e = expr.xreplace({sp.Symbol("d", integer=True, positive=True): dim})
    subs = {}
    for m in e.atoms(sp.MatrixSymbol):
        value = np.atleast_2d(np.asarray(v[m.name], dtype=float))
        value = value.T if value.shape[0] == 1 and m.shape[1] == 1 else value
        subs[m] = sp.Matrix(value.tolist()).applyfunc(lambda x: sp.Float(x, 30))
    return float(e.xreplace(subs).doit().evalf(30))


def _point(name, seed):
    rng = np.random.default_rng(10_000 + 97 * seed + sum(map(ord, name)))
    case = ORACLE_CASES[name]
    fixed = case.fixed(rng)
    return {**fixed, **case.example(rng, fixed)}


def _sizes(values):
    return {k: sp.Integer(int(v)) for k, v in values.items() if k in SIZES}  # Integer: xreplace of N alone stays SymPy


def test_every_entry_has_oracle_cases():
    missing = [n for n in derive.names() if n not in ORACLE_CASES]
    assert not missing, f"add {', '.join(missing)} to CASES in tests/catalogue_cases.py"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(ORACLE_CASES))
def test_nll_is_the_independent_log_density(name, seed):
    d = derive.derive(name)
    v = _point(name, seed)
    matrices = any(isinstance(x, sp.MatrixSymbol) for x in d.data)
    ours = _evaluate_matrices(d.nll, v) if matrices else evaluate(d.nll, v, _sizes(v))
    assert rel_close(ours, -ORACLE_CASES[name].logpdf(v)), (ours, v)


def test_negative_binomial_torch_parametrisation_trap():
    """torch NegativeBinomial(r, probs=p) is scipy nbinom(r, 1 - p): with r = 1/alpha the
    torch probability is alpha*mu/(1 + alpha*mu), not 1/(1 + alpha*mu)."""
    d = derive.derive("negative_binomial")
    for seed in SEEDS:
        v = _point("negative_binomial", seed)
        r, am = 1 / v["alpha"], v["alpha"] * v["mu"]
        theirs = torch.distributions.NegativeBinomial(t(r), probs=t(am / (1 + am))).log_prob(t(v["y"])).item()
        assert rel_close(evaluate(d.nll, v), -theirs)


# --------------------------------------------------------------------------- peers


def test_every_peer_has_a_framework_call():
    missing = sorted(f"{p.call} ({p.entry})" for p in table() if p.call not in CASES[p.entry].framework)
    assert not missing, f"add {'; '.join(missing)} to the entry's framework calls in tests/catalogue_cases.py"


PEER_CASES = [(p.entry, p.call) for p in table()]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name, call", PEER_CASES)
def test_peer_value_and_relation_at_seeded_points(name, call, seed):
    d = derive.derive(name)
    (peer,) = [p for p in d.peers if p.call == call]
    v = _point(name, seed)
    sizes = _sizes(v)
    framework = CASES[name].framework[call](v)
    assert rel_close(evaluate(peer.value, v, sizes), framework), "the documented formula is not what it computes"
    nll = evaluate(d.nll, v, sizes)
    related = evaluate(peer.scale, v, sizes) * framework + evaluate(peer.offset, v, sizes)
    assert rel_close(nll, related)


def test_gaussian_nll_loss_clamps_the_variance_at_eps():
    """Below eps = 1e-6 torch uses eps: the relation holds with var replaced by eps."""
    (peer,) = [p for p in derive.derive("gaussian_variance").peers if p.call == "gaussian_nll_loss(mu, y, var)"]
    v = {"mu": 0.3, "y": 0.2, "var": 1e-9}
    clamped = evaluate(peer.value, {**v, "var": 1e-6})
    assert rel_close(FRAMEWORK["gaussian_nll_loss(mu, y, var)"](v), clamped)
    assert not rel_close(evaluate(peer.value, v), clamped)


@pytest.mark.parametrize("name, call, returns", [
    ("bernoulli", "binary_cross_entropy(yhat, y)", 100.0),  # -log clamped at -100
    ("bernoulli", "log_loss([y], [yhat], labels=[0, 1])", -np.log(np.finfo(np.float64).eps)),  # clipped to eps
])
def test_bce_peers_say_where_the_framework_clamps(name, call, returns):
    """At yhat = 1e-300, y = 1 the NLL is 300 log 10 = 690.8; torch returns 100 and scikit-learn
    36.04.  The peer's condition says so, and inside it the relation holds."""
    (peer,) = [p for p in derive.derive(name).peers if p.call == call]
    assert ("-100" in peer.condition) if "torch" in peer.condition else ("clips" in peer.condition
                                                                         and "machine epsilon" in peer.condition)
    outside = {"y": 1.0, "yhat": 1e-300}
    assert rel_close(evaluate(derive.derive(name).nll, outside), 300 * np.log(10))
    assert rel_close(FRAMEWORK[call](outside), returns)
    inside = {"y": 1.0, "yhat": 1e-12}  # log 1e-12 = -27.6 > -100, and 1e-12 > eps
    assert rel_close(FRAMEWORK[call](inside), evaluate(peer.value, inside), 1e-9)


def test_poisson_full_adds_stirling_only_above_one():
    d = derive.derive("poisson_log")
    (peer,) = [p for p in d.peers if "full=True" in p.call]
    for y in (0.0, 1.0):  # no Stirling term: full=True equals the plain loss
        v = {"y": y, "z": 0.3}
        assert rel_close(FRAMEWORK["poisson_nll_loss(z, y, full=True)"](v), FRAMEWORK["poisson_nll_loss(z, y)"](v))
    v = {"y": 6.0, "z": 0.3}  # y > 1: Stirling's term, not log(y!): the offset is not zero
    assert evaluate(peer.offset, v) > 1e-3


# --------------------------------------------------------------------------- dataset loss vs torch


def _dataset(name, seed, n):
    rng = np.random.default_rng(20_000 + seed)
    case = ORACLE_CASES[name]
    fixed = case.fixed(rng)
    examples = [case.example(rng, fixed) for _ in range(n)]
    stacked = {k: np.array([e[k] for e in examples]) for k in examples[0]}
    return fixed, examples, stacked


def test_every_torch_peer_has_a_dataset_case():
    torch_calls = {(p.entry, p.call) for p in table() if p.function.startswith("torch.nn.functional.")
                   and "cosine" not in p.function}
    missing = sorted(torch_calls - set(TORCH_MEAN))
    assert not missing, f"add {missing} to the entry's torch_mean in tests/catalogue_cases.py"


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name, call", sorted(TORCH_MEAN))
def test_dataset_loss_is_the_torch_mean_through_the_derived_relation(name, call, seed):
    """mean_i loss_i = (peer.scale/d.scale) * torch_mean + mean_i (offset_i - dropped_i)/d.scale."""
    d = derive.derive(name)
    (peer,) = [p for p in d.peers if p.call == call]
    n = 2 + seed * 2
    fixed, examples, stacked = _dataset(name, seed, n)
    sizes = {**_sizes(fixed), "n": sp.Integer(n)}
    ours = evaluate(d.dataset_loss, {**fixed, **stacked}, sizes)
    theirs = TORCH_MEAN[(name, call)](stacked, fixed).item()
    ratio = evaluate(peer.scale / d.scale, fixed, sizes)
    shift = np.mean([evaluate((peer.offset - sp.Add(*d.dropped)) / d.scale, {**fixed, **e}, sizes) for e in examples])
    assert rel_close(ours, ratio * theirs + shift, rtol=1e-10) or abs(ours - ratio * theirs - shift) < 1e-12


# --------------------------------------------------------------------------- deviance vs scikit-learn


def _mean_deviance(d, examples, fixed, sizes=None):
    return float(np.mean([evaluate(d.deviance, {**fixed, **e}, sizes) for e in examples]))


def test_every_deviance_has_an_oracle():
    have = [n for n in derive.names() if derive.derive(n).deviance is not None]
    missing = [n for n in have if n not in DEVIANCE_ORACLES]
    assert not missing, f"add the deviance oracle of {', '.join(missing)} to CASES in tests/catalogue_cases.py"


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", sorted(DEVIANCE_ORACLES))
def test_deviance_against_sklearn(name, seed):
    specialise, oracle = DEVIANCE_ORACLES[name]
    d = derive.derive(name, **specialise)
    fixed, examples, stacked = _dataset(name, seed, 3 + seed)
    fixed = {**fixed, **specialise}
    if name in ("poisson", "poisson_log", "tweedie"):  # include y = 0 (0 log 0 = 0; Tweedie zeros) in every batch
        examples[0]["y"], stacked["y"][0] = 0.0, 0.0
    ours = _mean_deviance(d, examples, fixed, _sizes(fixed))
    assert rel_close(ours, float(oracle(stacked, fixed)))
