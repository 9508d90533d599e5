"""Per-entry test data, one record per catalogue entry and one per family, keyed by name.

Every table the tests need about an entry sits in its :class:`EntryCase`: the expected loss
(built from the entry's own symbols, by name), how its normalisation is proved, the oracle of
its log-density (SciPy, or an independent numeric route named in ``oracle``), the framework
call of each of its peers at one example, the torch mean over a batch, and the deviance's
oracle.  A family of :mod:`derive.distributions` has a :class:`FamilyCase`: its parameter
names, the torch and SciPy distributions at sampled parameters, and the textbook entropy
where one is checked symbolically.  Adding a distribution is adding its records here (a
CASES record per loss entry, a FAMILY_CASES record per family); the completeness tests fail
with "add X to CASES" (or FAMILY_CASES) until they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
import torch
import torch.distributions as D
import torch.nn.functional as F
from scipy import integrate, special, stats
from sklearn import metrics
from sklearn._loss import loss as sklearn_loss

import piece_oracles
from derive.distributions.multivariate_normal import QuadraticForm

pi, log, exp, Abs = sp.pi, sp.log, sp.exp, sp.Abs

# How an entry's normalisation is proved (tests/test_catalogue.py):
MASS_ONE = "mass one"  # SymPy proves the mass is 1 for every value of the params and fixed symbols
ONE_HOT = "one-hot"  # the sum over the K one-hot vectors is the sum of the class probabilities
AT_SIZES = "at sizes"  # proved exactly at concrete sizes (binomial theorem)
NUMERIC = "numeric"  # no antiderivative: checked by quadrature at 30 digits
NOT_A_DENSITY = "not a density"  # a quasi-likelihood: its defining derivative is proved instead
MATRIX = "matrix"  # symbolic size: proved at d = 1 (symbolic) and d = 2 (explicit)
PIECES = "pieces"  # built from pieces (an atom and counts, event and censored, components, intervals):
#                    proved piece by piece in tests/test_pieces.py, which lists the entry in its PIECES


@dataclass(frozen=True)
class Oracle:
    """``fixed(rng)``: values of the fixed symbols and sizes; ``example(rng, fixed)``: data
    and params of one example inside the support; ``logpdf(values)``: the oracle, named by
    ``oracle`` when it is not SciPy's."""

    fixed: Callable
    example: Callable
    logpdf: Callable
    oracle: str = "scipy"


@dataclass(frozen=True)
class EntryCase:
    """Everything the tests check about one catalogue entry (see the module docstring).
    ``framework`` and ``torch_mean`` are keyed by the peer's ``call``; ``deviance`` is
    (fixed values to specialise, oracle(batch, fixed)) or None for an entry without one."""

    loss: Callable[[dict], sp.Expr]
    normalisation: str
    oracle: Oracle
    framework: dict[str, Callable[[dict], float]] = field(default_factory=dict)
    torch_mean: dict[str, Callable] = field(default_factory=dict)
    deviance: tuple[dict, Callable] | None = None
    equal_by_simplify: bool = False  # equal to the reference, not as the same tree


@dataclass(frozen=True)
class FamilyOracle:
    """How to draw parameters (``sample(rng, sizes)`` -> values by parameter name, sizes
    reused when given), and build the torch distribution and the SciPy one (or None)."""

    sample: Callable[[np.random.Generator, dict], dict]
    torch: Callable[[dict], D.Distribution]
    scipy: Callable[[dict], object] | None


@dataclass(frozen=True)
class FamilyCase:
    """A family's parameter names, its oracles, and its textbook entropy (or None)."""

    parameters: set[str]
    oracle: FamilyOracle
    entropy: sp.Expr | None = None


def _sum(s, body, index="k", upper="K"):
    return sp.Sum(body, (s[index], 1, s[upper]))


T = torch.float64


def t(x):
    return torch.as_tensor(np.asarray(x, dtype=float), dtype=T)


def _probabilities(rng, K):
    w = rng.uniform(0.05, 1.0, K)
    return w / w.sum()


def _none(rng):
    return {}


def _onehot_example(rng, f):
    K = f["K"]
    y = np.eye(K)[rng.integers(0, K)]
    return {"y": y, "yhat": _probabilities(rng, K), "c": int(np.argmax(y))}


def _huber_logpdf(v):
    delta, r = v["delta"], v["y"] - v["yhat"]
    rho = r**2 / 2 if abs(r) <= delta else delta * (abs(r) - delta / 2)
    inner = integrate.quad(lambda u: np.exp(-u**2 / 2), 0, delta, epsabs=0, epsrel=1e-13)[0]
    outer = integrate.quad(lambda u: np.exp(-delta * (u - delta / 2)), delta, np.inf, epsabs=0, epsrel=1e-13)[0]
    return -rho - np.log(2 * (inner + outer))


def _tweedie_logpdf(v):  # the quasi-log-likelihood by quadrature: Q = int_y^mu (y - t)/t^p dt
    y, p, mu = v["y"], v["p"], np.exp(v["z"])
    return integrate.quad(lambda s: (y - s) / s**p, y, mu, epsabs=0, epsrel=1e-13)[0]


def _ald_logpdf(v):
    tau, b = v["tau"], v["b"]
    kappa = np.sqrt(tau / (1 - tau))
    return stats.laplace_asymmetric.logpdf(v["y"], kappa, loc=v["q"], scale=b / np.sqrt(tau * (1 - tau)))


def _smoothed_logpdf(v):  # expected log-pmf over the smoothed target
    K, eps, yhat = v["K"], v["eps"], v["yhat"]
    target = (1 - eps) * v["y"] + eps / K
    return sum(target[k] * stats.multinomial.logpmf(np.eye(K)[k], 1, yhat) for k in range(K))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _spd(rng, dim):
    a = rng.normal(0, 1, (dim, dim))
    return a @ a.T + dim * np.eye(dim) * 0.5


def _ce(logits, target, **kw):
    return F.cross_entropy(t(logits)[None], torch.as_tensor(target)[None] if np.ndim(target) == 0
                           else t(target)[None], **kw).item()


def _unit(angle):
    return t([np.cos(angle), np.sin(angle)])


def t64(v):
    return torch.as_tensor(v, dtype=torch.float64)


def torch_logistic(loc, scale) -> D.Distribution:
    """torch has no Logistic: its documented construction, U(0, 1) through the inverse
    sigmoid and the affine map loc + scale * x."""
    return D.TransformedDistribution(D.Uniform(t64(0.0), t64(1.0)),
                                     [D.SigmoidTransform().inv, D.AffineTransform(t64(loc), t64(scale))])


def _simplex(rng, K):
    w = rng.uniform(0.05, 1.0, K)
    return w / w.sum()


def _uniform_ends(rng):
    """Half the time inside (0, 1) (within Beta's support), half the time wide around it."""
    if rng.integers(2):
        return rng.uniform(0.05, 0.45), rng.uniform(0.55, 0.95)
    return rng.uniform(-2.0, -0.5), rng.uniform(1.5, 3.0)


def _at_zero(s):
    """The indicator 1[y = 0]."""
    return sp.Piecewise((1, sp.Eq(s["y"], 0)), (0, True))


def _Phi(x):
    """The standard normal cdf, (1 + erf(x/sqrt 2))/2."""
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def sym(name, **assumptions):
    return sp.Symbol(name, **assumptions)


CASES: dict[str, EntryCase] = {
    "gaussian": EntryCase(
        loss=lambda s: (s["y"] - s["yhat"]) ** 2,
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"sigma": r.uniform(0.2, 4)},
            lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
            lambda v: stats.norm.logpdf(v["y"], v["yhat"], v["sigma"])),
        framework={
            "mse_loss(yhat, y)": lambda v: F.mse_loss(t(v["yhat"]), t(v["y"])).item(),
            "mean_squared_error([y], [yhat])": lambda v: metrics.mean_squared_error([v["y"]], [v["yhat"]]),
            "HalfSquaredError().loss(y, yhat)": lambda v: sklearn_loss.HalfSquaredError().loss(
                np.array([v["y"]]), np.array([v["yhat"]]))[0],
        },
        torch_mean={
            "mse_loss(yhat, y)": lambda s, f: F.mse_loss(t(s["yhat"]), t(s["y"])),
        },
        deviance=(dict(sigma=1), lambda s, f: metrics.mean_tweedie_deviance(s["y"], s["yhat"], power=0)),
    ),
    "bernoulli": EntryCase(
        loss=lambda s: -(s["y"] * log(s["yhat"]) + (1 - s["y"]) * log(1 - s["yhat"])),
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": float(r.integers(0, 2)), "yhat": r.uniform(0.02, 0.98)},
            lambda v: stats.bernoulli.logpmf(v["y"], v["yhat"])),
        framework={
            "binary_cross_entropy(yhat, y)": lambda v: F.binary_cross_entropy(t(v["yhat"]), t(v["y"])).item(),
            "log_loss([y], [yhat], labels=[0, 1])": lambda v: metrics.log_loss([v["y"]], [v["yhat"]], labels=[0, 1]),
        },
        torch_mean={
            "binary_cross_entropy(yhat, y)": lambda s, f: F.binary_cross_entropy(t(s["yhat"]), t(s["y"])),
        },
        deviance=(dict(), lambda s, f: 2 * metrics.log_loss(s["y"], s["yhat"], labels=[0, 1])),
    ),
    "categorical": EntryCase(
        loss=lambda s: -_sum(s, s["y"][s["k"]] * log(s["yhat"][s["k"]])),
        normalisation=ONE_HOT,
        oracle=Oracle(lambda r: {"K": int(r.integers(2, 6))}, _onehot_example,
            lambda v: stats.multinomial.logpmf(v["y"], 1, v["yhat"])),
        framework={
            "nll_loss(log(yhat), c)": lambda v: F.nll_loss(torch.log(t(v["yhat"]))[None], torch.tensor([v["c"]])).item(),
            "cross_entropy(log(yhat), y)": lambda v: _ce(np.log(v["yhat"]), v["y"]),
        },
        torch_mean={
            "nll_loss(log(yhat), c)": lambda s, f: F.nll_loss(torch.log(t(s["yhat"])), torch.as_tensor(s["c"])),
            "cross_entropy(log(yhat), y)": lambda s, f: F.cross_entropy(torch.log(t(s["yhat"])), t(s["y"])),
        },
    ),
    "gaussian_variance": EntryCase(
        loss=lambda s: sp.Rational(1, 2) * (log(s["var"]) + (s["y"] - s["mu"]) ** 2 / s["var"]),
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3), "var": r.uniform(0.1, 5)},
            lambda v: stats.norm.logpdf(v["y"], v["mu"], np.sqrt(v["var"]))),
        framework={
            "gaussian_nll_loss(mu, y, var)": lambda v: F.gaussian_nll_loss(t([v["mu"]]), t([v["y"]]), t([v["var"]])).item(),
            "gaussian_nll_loss(mu, y, var, full=True)": lambda v: F.gaussian_nll_loss(
                t([v["mu"]]), t([v["y"]]), t([v["var"]]), full=True).item(),
        },
        torch_mean={
            "gaussian_nll_loss(mu, y, var)": lambda s, f: F.gaussian_nll_loss(t(s["mu"]), t(s["y"]), t(s["var"])),
            "gaussian_nll_loss(mu, y, var, full=True)": lambda s, f: F.gaussian_nll_loss(t(s["mu"]), t(s["y"]), t(s["var"]), full=True),
        },
        deviance=(dict(), lambda s, f: np.mean((s["y"] - s["mu"]) ** 2 / s["var"])),
    ),
    "laplace": EntryCase(
        loss=lambda s: Abs(s["y"] - s["yhat"]),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"b": r.uniform(0.2, 3)}, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
            lambda v: stats.laplace.logpdf(v["y"], v["yhat"], v["b"])),
        framework={
            "l1_loss(yhat, y)": lambda v: F.l1_loss(t(v["yhat"]), t(v["y"])).item(),
            "mean_absolute_error([y], [yhat])": lambda v: metrics.mean_absolute_error([v["y"]], [v["yhat"]]),
        },
        torch_mean={
            "l1_loss(yhat, y)": lambda s, f: F.l1_loss(t(s["yhat"]), t(s["y"])),
        },
        deviance=(dict(b=2), lambda s, f: metrics.mean_absolute_error(s["y"], s["yhat"])),
    ),
    "exponential": EntryCase(
        loss=lambda s: s["y"] / s["mu"] + log(s["mu"]),
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": r.uniform(0.05, 6), "mu": r.uniform(0.2, 5)},
            lambda v: stats.expon.logpdf(v["y"], scale=v["mu"])),
        framework={
            "HalfGammaLoss().loss(y, log(mu))": lambda v: sklearn_loss.HalfGammaLoss().loss(
                np.array([v["y"]]), np.log(np.array([v["mu"]])))[0],
        },
        deviance=(dict(), lambda s, f: metrics.mean_gamma_deviance(s["y"], s["mu"])),
    ),
    "gamma": EntryCase(
        loss=lambda s: s["y"] / s["mu"] + log(s["mu"]),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"k": r.uniform(0.3, 6)}, lambda r, f: {"y": r.uniform(0.05, 6), "mu": r.uniform(0.2, 5)},
            lambda v: stats.gamma.logpdf(v["y"], v["k"], scale=v["mu"] / v["k"])),
        framework={
            "HalfGammaLoss().loss(y, log(mu))": lambda v: sklearn_loss.HalfGammaLoss().loss(
                np.array([v["y"]]), np.log(np.array([v["mu"]])))[0],
            "mean_gamma_deviance([y], [mu])": lambda v: metrics.mean_gamma_deviance([v["y"]], [v["mu"]]),
        },
        deviance=(dict(k=1), lambda s, f: metrics.mean_gamma_deviance(s["y"], s["mu"])),
    ),
    "inverse_gaussian": EntryCase(
        loss=lambda s: (s["y"] - s["mu"]) ** 2 / (s["mu"] ** 2 * s["y"]),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"lam": r.uniform(0.3, 6)},
            lambda r, f: {"y": r.uniform(0.05, 6), "mu": r.uniform(0.2, 5)},
            lambda v: stats.invgauss.logpdf(v["y"], v["mu"] / v["lam"], scale=v["lam"])),
        framework={
            "mean_tweedie_deviance([y], [mu], power=3)": lambda v: metrics.mean_tweedie_deviance([v["y"]], [v["mu"]], power=3),
        },
        deviance=(dict(lam=1), lambda s, f: metrics.mean_tweedie_deviance(s["y"], s["mu"], power=3)),
    ),
    "lognormal": EntryCase(
        loss=lambda s: (log(s["y"]) - s["m"]) ** 2,
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"s": r.uniform(0.2, 2)}, lambda r, f: {"y": r.uniform(0.05, 8), "m": r.normal(0, 1)},
            lambda v: stats.lognorm.logpdf(v["y"], v["s"], scale=np.exp(v["m"]))),
        framework={
            "mse_loss(m, log(y))": lambda v: F.mse_loss(t(v["m"]), torch.log(t(v["y"]))).item(),
        },
        torch_mean={
            "mse_loss(m, log(y))": lambda s, f: F.mse_loss(t(s["m"]), torch.log(t(s["y"]))),
        },
    ),
    "student_t": EntryCase(
        loss=lambda s: log(1 + (s["y"] - s["mu"]) ** 2 / (s["nu"] * s["s"] ** 2)),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"nu": r.uniform(0.5, 10), "s": r.uniform(0.2, 3)},
            lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3)},
            lambda v: stats.t.logpdf(v["y"], v["nu"], v["mu"], v["s"])),
    ),
    "cauchy": EntryCase(
        loss=lambda s: log(1 + (s["y"] - s["mu"]) ** 2 / s["gamma"] ** 2),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"gamma": r.uniform(0.2, 3)}, lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3)},
            lambda v: stats.cauchy.logpdf(v["y"], v["mu"], v["gamma"])),
    ),
    "asymmetric_laplace": EntryCase(
        loss=lambda s: sp.Max(s["tau"] * (s["y"] - s["q"]), (s["tau"] - 1) * (s["y"] - s["q"])),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"tau": r.uniform(0.05, 0.95), "b": r.uniform(0.2, 3)},
            lambda r, f: {"y": r.normal(0, 3), "q": r.normal(0, 3)}, _ald_logpdf),
        framework={
            "mean_pinball_loss([y], [q], alpha=tau)": lambda v: metrics.mean_pinball_loss([v["y"]], [v["q"]], alpha=v["tau"]),
            "PinballLoss(quantile=tau).loss(y, q)": lambda v: sklearn_loss.PinballLoss(quantile=v["tau"]).loss(
                np.array([v["y"]]), np.array([v["q"]]))[0],
        },
        deviance=(dict(b=2), lambda s, f: metrics.mean_pinball_loss(s["y"], s["q"], alpha=f["tau"])),
    ),
    "von_mises": EntryCase(
        loss=lambda s: -sp.cos(s["y"] - s["mu"]),
        normalisation=NUMERIC,
        oracle=Oracle(lambda r: {"kappa": r.uniform(0.1, 8)},
            lambda r, f: {"y": r.uniform(-3.1, 3.1), "mu": r.uniform(-3.1, 3.1)},
            lambda v: stats.vonmises.logpdf(v["y"], v["kappa"], loc=v["mu"])),
        framework={
            "1 - cosine_similarity(u(mu), u(y))": lambda v: 1 - F.cosine_similarity(_unit(v["mu"]), _unit(v["y"]), dim=0).item(),
        },
    ),
    "hyperbolic_secant": EntryCase(
        loss=lambda s: log(sp.cosh(s["y"] - s["yhat"])),
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
            lambda v: stats.hypsecant.logpdf(v["y"], loc=v["yhat"])),
    ),
    "logistic": EntryCase(
        loss=lambda s: 2 * log(1 + exp(-(s["y"] - s["yhat"]) / s["s"])) - s["yhat"] / s["s"],
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"s": r.uniform(0.2, 3)}, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
                      lambda v: stats.logistic.logpdf(v["y"], v["yhat"], v["s"])),
        framework={
            "-TransformedDistribution(Uniform(0, 1), [SigmoidTransform().inv, AffineTransform(yhat, s)]).log_prob(y)":
                lambda v: -torch_logistic(v["yhat"], v["s"]).log_prob(t(v["y"])).item(),
        },
    ),
    "huber": EntryCase(
        loss=lambda s: sp.Piecewise(((s["y"] - s["yhat"]) ** 2 / 2, Abs(s["y"] - s["yhat"]) <= s["delta"]),
            (s["delta"] * (Abs(s["y"] - s["yhat"]) - s["delta"] / 2), True)),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"delta": r.uniform(0.3, 3)}, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
            _huber_logpdf, "quadrature of the kernel"),
        framework={
            "huber_loss(yhat, y, delta=delta)": lambda v: F.huber_loss(t(v["yhat"]), t(v["y"]), delta=v["delta"]).item(),
            "smooth_l1_loss(yhat, y, beta=delta)": lambda v: F.smooth_l1_loss(t(v["yhat"]), t(v["y"]), beta=v["delta"]).item(),
        },
        torch_mean={
            "huber_loss(yhat, y, delta=delta)": lambda s, f: F.huber_loss(t(s["yhat"]), t(s["y"]), delta=f["delta"]),
            "smooth_l1_loss(yhat, y, beta=delta)": lambda s, f: F.smooth_l1_loss(t(s["yhat"]), t(s["y"]), beta=f["delta"]),
        },
    ),
    "pseudo_huber": EntryCase(
        loss=lambda s: sp.sqrt(s["delta"] ** 2 + (s["y"] - s["yhat"]) ** 2),
        normalisation=NUMERIC,
        oracle=Oracle(lambda r: {"delta": r.uniform(0.3, 3)}, lambda r, f: {"y": r.normal(0, 3), "yhat": r.normal(0, 3)},
            # the hyperbolic distribution: SciPy's generalised hyperbolic at p = 1, b = 0
            lambda v: stats.genhyperbolic.logpdf(v["y"], 1, v["delta"] ** 2, 0, loc=v["yhat"], scale=v["delta"])),
    ),
    "generalized_gaussian": EntryCase(
        loss=lambda s: Abs(s["y"] - s["mu"]) ** s["beta"],
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"alpha": r.uniform(0.3, 3), "beta": r.uniform(0.5, 4)},
            lambda r, f: {"y": r.normal(0, 3), "mu": r.normal(0, 3)},
            lambda v: stats.gennorm.logpdf(v["y"], v["beta"], loc=v["mu"], scale=v["alpha"])),
    ),
    "beta": EntryCase(
        loss=lambda s: log(sp.gamma(s["mu"] * s["phi"])) + log(sp.gamma((1 - s["mu"]) * s["phi"]))
            - s["mu"] * s["phi"] * log(s["y"]) + s["mu"] * s["phi"] * log(1 - s["y"]),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"phi": r.uniform(0.5, 20)}, lambda r, f: {"y": r.uniform(0.02, 0.98), "mu": r.uniform(0.05, 0.95)},
            lambda v: stats.beta.logpdf(v["y"], v["mu"] * v["phi"], (1 - v["mu"]) * v["phi"])),
    ),
    "continuous_bernoulli": EntryCase(
        loss=lambda s: -(s["y"] * log(s["yhat"]) + (1 - s["y"]) * log(1 - s["yhat"]))
            + log((2 * s["yhat"] - 1) / (log(s["yhat"]) - log(1 - s["yhat"]))),
        equal_by_simplify=True,
        normalisation=MASS_ONE,
        oracle=Oracle(
            _none, lambda r, f: {"y": r.uniform(0, 1), "yhat": r.choice([r.uniform(0.02, 0.4), r.uniform(0.6, 0.98)])},
            lambda v: torch.distributions.ContinuousBernoulli(probs=t(v["yhat"])).log_prob(t(v["y"])).item(),
            "torch.distributions.ContinuousBernoulli"),
    ),
    "tweedie": EntryCase(
        loss=lambda s: exp((2 - s["p"]) * s["z"]) / (2 - s["p"]) - s["y"] * exp((1 - s["p"]) * s["z"]) / (1 - s["p"]),
        normalisation=NOT_A_DENSITY,
        oracle=Oracle(lambda r: {"p": r.uniform(1.05, 1.95)}, lambda r, f: {"y": r.uniform(0.05, 6), "z": r.normal(0, 1)},
            _tweedie_logpdf, "quadrature of (y - t)/V(t)"),
        framework={
            "HalfTweedieLoss(power=p).loss(y, z)": lambda v: sklearn_loss.HalfTweedieLoss(power=v["p"]).loss(
                np.array([v["y"]]), np.array([v["z"]]))[0],
            "mean_tweedie_deviance([y], [exp(z)], power=p)": lambda v: metrics.mean_tweedie_deviance(
                [v["y"]], [np.exp(v["z"])], power=v["p"]),
        },
        deviance=(dict(), lambda s, f: metrics.mean_tweedie_deviance(s["y"], np.exp(s["z"]), power=f["p"])),
    ),
    "bernoulli_logits": EntryCase(
        loss=lambda s: log(1 + exp(s["z"])) - s["y"] * s["z"],
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": float(r.integers(0, 2)), "z": r.normal(0, 3)},
            lambda v: stats.bernoulli.logpmf(v["y"], special.expit(v["z"]))),
        framework={
            "binary_cross_entropy_with_logits(z, y)": lambda v: F.binary_cross_entropy_with_logits(t(v["z"]), t(v["y"])).item(),
            "HalfBinomialLoss().loss(y, z)": lambda v: sklearn_loss.HalfBinomialLoss().loss(
                np.array([v["y"]]), np.array([v["z"]]))[0],
        },
        torch_mean={
            "binary_cross_entropy_with_logits(z, y)": lambda s, f: F.binary_cross_entropy_with_logits(t(s["z"]), t(s["y"])),
        },
        deviance=(dict(), lambda s, f: 2 * metrics.log_loss(s["y"], special.expit(s["z"]), labels=[0, 1])),
    ),
    "categorical_logits": EntryCase(
        loss=lambda s: log(_sum(s, exp(s["z"][s["j"]]), "j"))
            - _sum(s, s["y"][s["k"]] * s["z"][s["k"]]),
        normalisation=ONE_HOT,
        oracle=Oracle(lambda r: {"K": int(r.integers(2, 6))},
            lambda r, f: {**_onehot_example(r, f), "z": r.normal(0, 2, f["K"])},
            lambda v: stats.multinomial.logpmf(v["y"], 1, _softmax(v["z"]))),
        framework={
            "cross_entropy(z, c)": lambda v: _ce(v["z"], v["c"]),
            "cross_entropy(z, y)": lambda v: _ce(v["z"], v["y"]),
        },
        torch_mean={
            "cross_entropy(z, c)": lambda s, f: F.cross_entropy(t(s["z"]), torch.as_tensor(s["c"])),
            "cross_entropy(z, y)": lambda s, f: F.cross_entropy(t(s["z"]), t(s["y"])),
        },
    ),
    "categorical_smoothed": EntryCase(
        loss=lambda s: -_sum(s, ((1 - s["eps"]) * s["y"][s["k"]] + s["eps"] / s["K"])
            * log(s["yhat"][s["k"]])),
        equal_by_simplify=True,
        normalisation=ONE_HOT,
        oracle=Oracle(lambda r: {"K": int(r.integers(2, 6)), "eps": r.uniform(0.01, 0.5)},
            _onehot_example, _smoothed_logpdf, "expectation of scipy's logpmf"),
        framework={
            "cross_entropy(log(yhat), c, label_smoothing=eps)": lambda v: _ce(np.log(v["yhat"]), v["c"], label_smoothing=v["eps"]),
        },
        torch_mean={
            "cross_entropy(log(yhat), c, label_smoothing=eps)": lambda s, f: F.cross_entropy(torch.log(t(s["yhat"])), torch.as_tensor(s["c"]), label_smoothing=f["eps"]),
        },
    ),
    "poisson": EntryCase(
        loss=lambda s: s["lambda"] - s["y"] * log(s["lambda"]),
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": float(r.integers(0, 12)), "lambda": r.uniform(0.2, 10)},
            lambda v: stats.poisson.logpmf(v["y"], v["lambda"])),
        framework={
            "poisson_nll_loss(lambda, y, log_input=False, eps=0)": lambda v: F.poisson_nll_loss(
                t(v["lambda"]), t(v["y"]), log_input=False, eps=0.0).item(),
        },
        torch_mean={
            "poisson_nll_loss(lambda, y, log_input=False, eps=0)": lambda s, f: F.poisson_nll_loss(t(s["lambda"]), t(s["y"]), log_input=False, eps=0.0),
        },
        deviance=(dict(), lambda s, f: metrics.mean_poisson_deviance(s["y"], s["lambda"])),
    ),
    "poisson_log": EntryCase(
        loss=lambda s: exp(s["z"]) - s["y"] * s["z"],
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": float(r.integers(0, 12)), "z": r.normal(0, 1.5)},
            lambda v: stats.poisson.logpmf(v["y"], np.exp(v["z"]))),
        framework={
            "poisson_nll_loss(z, y)": lambda v: F.poisson_nll_loss(t(v["z"]), t(v["y"])).item(),
            "poisson_nll_loss(z, y, full=True)": lambda v: F.poisson_nll_loss(t(v["z"]), t(v["y"]), full=True).item(),
            "HalfPoissonLoss().loss(y, z)": lambda v: sklearn_loss.HalfPoissonLoss().loss(
                np.array([v["y"]]), np.array([v["z"]]))[0],
        },
        torch_mean={
            "poisson_nll_loss(z, y)": lambda s, f: F.poisson_nll_loss(t(s["z"]), t(s["y"])),
            "poisson_nll_loss(z, y, full=True)": lambda s, f: F.poisson_nll_loss(t(s["z"]), t(s["y"]), full=True),
        },
        deviance=(dict(), lambda s, f: metrics.mean_poisson_deviance(s["y"], np.exp(s["z"]))),
    ),
    "binomial": EntryCase(
        loss=lambda s: -(s["y"] * log(s["yhat"]) + (s["N"] - s["y"]) * log(1 - s["yhat"])),
        normalisation=AT_SIZES,
        oracle=Oracle(lambda r: {"N": int(r.integers(1, 12))},
            lambda r, f: {"y": float(r.integers(0, f["N"] + 1)), "yhat": r.uniform(0.02, 0.98)},
            lambda v: stats.binom.logpmf(v["y"], v["N"], v["yhat"])),
        framework={
            "binary_cross_entropy(yhat, y/N)": lambda v: F.binary_cross_entropy(t(v["yhat"]), t(v["y"] / v["N"])).item(),
        },
        torch_mean={
            "binary_cross_entropy(yhat, y/N)": lambda s, f: F.binary_cross_entropy(t(s["yhat"]), t(s["y"] / f["N"])),
        },
        deviance=(dict(), lambda s, f: np.mean(2 * (stats.binom.logpmf(s["y"], f["N"], s["y"] / f["N"])
            - stats.binom.logpmf(s["y"], f["N"], s["yhat"])))),
    ),
    "geometric": EntryCase(
        loss=lambda s: -(log(s["p"]) + s["y"] * log(1 - s["p"])),
        normalisation=MASS_ONE,
        oracle=Oracle(_none, lambda r, f: {"y": float(r.integers(0, 10)), "p": r.uniform(0.05, 0.95)},
            lambda v: stats.geom.logpmf(v["y"] + 1, v["p"])),
    ),
    "negative_binomial": EntryCase(
        loss=lambda s: (s["y"] + 1 / s["alpha"]) * log(1 + s["alpha"] * s["mu"])
            - s["y"] * log(s["alpha"] * s["mu"]),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"alpha": r.uniform(0.1, 3)},
            lambda r, f: {"y": float(r.integers(0, 15)), "mu": r.uniform(0.2, 8)},
            lambda v: stats.nbinom.logpmf(v["y"], 1 / v["alpha"], 1 / (1 + v["alpha"] * v["mu"]))),
    ),
    "multinomial": EntryCase(
        loss=lambda s: -_sum(s, s["y"][s["k"]] * log(s["yhat"][s["k"]])),
        normalisation=AT_SIZES,
        oracle=Oracle(lambda r: {"K": int(r.integers(2, 5)), "N": int(r.integers(1, 9))},
            lambda r, f: {"y": r.multinomial(f["N"], np.ones(f["K"]) / f["K"]).astype(float),
                          "yhat": _probabilities(r, f["K"])},
            lambda v: stats.multinomial.logpmf(v["y"], v["N"], v["yhat"])),
        framework={
            "cross_entropy(log(yhat), y/N)": lambda v: _ce(np.log(v["yhat"]), v["y"] / v["N"]),
        },
        torch_mean={
            "cross_entropy(log(yhat), y/N)": lambda s, f: F.cross_entropy(torch.log(t(s["yhat"])), t(s["y"] / f["N"])),
        },
    ),
    "multivariate_gaussian": EntryCase(
        loss=lambda s: _sum(s, (s["y"][s["j"]] - s["yhat"][s["j"]]) ** 2, "j", "d"),
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"d": int(r.integers(1, 5)), "sigma": r.uniform(0.2, 3)},
            lambda r, f: {"y": r.normal(0, 2, f["d"]), "yhat": r.normal(0, 2, f["d"])},
            lambda v: stats.multivariate_normal.logpdf(v["y"], v["yhat"], v["sigma"] ** 2 * np.eye(v["d"]))),
        framework={
            "mse_loss(yhat, y, reduction='sum')": lambda v: F.mse_loss(t(v["yhat"]), t(v["y"]), reduction="sum").item(),
        },
        torch_mean={
            "mse_loss(yhat, y, reduction='sum')": lambda s, f: F.mse_loss(t(s["yhat"]), t(s["y"]), reduction="sum") / len(s["y"]),
        },
    ),
    "gaussian_covariance": EntryCase(
        loss=lambda s: QuadraticForm(s["y"] - s["mu"], s["Sigma"].I),
        normalisation=MATRIX,
        oracle=Oracle(
            lambda r: {"d": int(r.integers(1, 4))},
            lambda r, f: {"y": r.normal(0, 2, f["d"]), "mu": r.normal(0, 2, f["d"]), "Sigma": _spd(r, f["d"])},
            lambda v: stats.multivariate_normal.logpdf(v["y"], v["mu"], v["Sigma"])),
    ),
    "zero_inflated_poisson": EntryCase(  # -log(omega 1[y=0] + (1 - omega) lambda^y e^-lambda / y!), less log y!
        loss=lambda s: -_at_zero(s) * log(s["omega"] + (1 - s["omega"]) * exp(-s["lambda"]))
            - (1 - _at_zero(s)) * (log(1 - s["omega"]) + s["y"] * log(s["lambda"]) - s["lambda"]),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(_none, lambda r, f: {"y": piece_oracles.count(r), "omega": r.uniform(0.05, 0.9),
                                           "lambda": r.uniform(0.2, 8)},
            piece_oracles.zip_statsmodels, "statsmodels ZeroInflatedPoisson.loglike"),
    ),
    "hurdle_poisson": EntryCase(  # omega at 0; (1 - omega) Poisson(y)/(1 - e^-lambda) above; less log y!
        loss=lambda s: -_at_zero(s) * log(s["omega"])
            - (1 - _at_zero(s)) * (log(1 - s["omega"]) + s["y"] * log(s["lambda"]) - s["lambda"]
                                   - log(1 - exp(-s["lambda"]))),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(_none, lambda r, f: {"y": piece_oracles.count(r), "omega": r.uniform(0.05, 0.9),
                                           "lambda": r.uniform(0.2, 8)},
            piece_oracles.hurdle_poisson, "scipy poisson, truncated at 0"),
    ),
    "zero_inflated_negative_binomial": EntryCase(  # -log(omega 1[y=0] + (1 - omega) NB2(y)), less log Gamma terms and log y!
        loss=lambda s: -_at_zero(s) * log(s["omega"] + (1 - s["omega"]) * (1 + s["alpha"] * s["mu"]) ** (-1 / s["alpha"]))
            - (1 - _at_zero(s)) * (log(1 - s["omega"]) - (s["y"] + 1 / s["alpha"]) * log(1 + s["alpha"] * s["mu"])
                                   + s["y"] * log(s["alpha"] * s["mu"])),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"alpha": r.uniform(0.1, 3)},
            lambda r, f: {"y": piece_oracles.count(r), "omega": r.uniform(0.05, 0.9), "mu": r.uniform(0.2, 8)},
            piece_oracles.zinb_statsmodels, "statsmodels ZeroInflatedNegativeBinomialP(p=2).loglikeobs"),
    ),
    "hurdle_negative_binomial": EntryCase(  # omega at 0; (1 - omega) NB2(y)/(1 - NB2(0)) above; less log Gamma terms and log y!
        loss=lambda s: -_at_zero(s) * log(s["omega"])
            - (1 - _at_zero(s)) * (log(1 - s["omega"]) - log(1 - (1 + s["alpha"] * s["mu"]) ** (-1 / s["alpha"]))
                                   - (s["y"] + 1 / s["alpha"]) * log(1 + s["alpha"] * s["mu"])
                                   + s["y"] * log(s["alpha"] * s["mu"])),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"alpha": r.uniform(0.1, 3)},
            lambda r, f: {"y": piece_oracles.count(r), "omega": r.uniform(0.05, 0.9), "mu": r.uniform(0.2, 8)},
            piece_oracles.hurdle_negative_binomial, "scipy nbinom (n = 1/alpha, p = 1/(1 + alpha mu)), truncated at 0"),
    ),
    "censored_exponential": EntryCase(  # -delta log h + H: h = lambda, H = lambda t
        loss=lambda s: -s["delta"] * log(s["lambda"]) + s["lambda"] * s["t"],
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(_none, lambda r, f: {"t": r.uniform(0.05, 5), "delta": float(r.integers(0, 2)),
                                           "lambda": r.uniform(0.1, 4)},
            piece_oracles.censored(stats.expon), "scipy expon logpdf (event) / logsf (censored)"),
    ),
    "censored_weibull": EntryCase(  # -delta log h + H: h = (k/lambda)(t/lambda)^(k-1), H = (t/lambda)^k; less delta log(k t^(k-1))
        loss=lambda s: s["delta"] * s["k"] * log(s["lambda"]) + (s["t"] / s["lambda"]) ** s["k"],
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"k": r.uniform(0.4, 4)},
            lambda r, f: {"t": r.uniform(0.05, 5), "delta": float(r.integers(0, 2)), "lambda": r.uniform(0.3, 4)},
            piece_oracles.censored(stats.weibull_min, "k"), "scipy weibull_min logpdf (event) / logsf (censored)"),
    ),
    "tobit": EntryCase(  # -1[y=0] log Phi(-mu/sigma) + (1 - 1[y=0]) (y - mu)^2/(2 sigma^2), less log(sigma sqrt(2 pi)) above 0
        loss=lambda s: -_at_zero(s) * log(_Phi(-s["mu"] / s["sigma"]))
            + (1 - _at_zero(s)) * (s["y"] - s["mu"]) ** 2 / (2 * s["sigma"] ** 2),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"sigma": r.uniform(0.3, 3)},
            lambda r, f: {"y": 0.0 if r.uniform() < 0.5 else r.uniform(0.01, 5), "mu": r.normal(0, 2)},
            piece_oracles.tobit, "scipy norm logcdf (at 0) / logpdf (above)"),
    ),
    "interval_censored_gaussian": EntryCase(  # -log(Phi((u - mu)/sigma) - Phi((l - mu)/sigma))
        loss=lambda s: -log(_Phi((s["u"] - s["mu"]) / s["sigma"]) - _Phi((s["l"] - s["mu"]) / s["sigma"])),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"sigma": r.uniform(0.3, 3)},
            lambda r, f: (lambda lo: {"l": lo, "u": lo + r.uniform(0.1, 3), "mu": r.normal(0, 2)})(r.normal(0, 2)),
            piece_oracles.interval_gaussian, "scipy norm cdf/sf difference"),
    ),
    "truncated_gaussian": EntryCase(  # N(mu, sigma^2) on (a, oo): (y - mu)^2/(2 sigma^2) + log(1 - Phi((a - mu)/sigma))
        loss=lambda s: (s["y"] - s["mu"]) ** 2 / (2 * s["sigma"] ** 2)
            + log(1 - _Phi((s["a"] - s["mu"]) / s["sigma"])),
        equal_by_simplify=True,
        normalisation=MASS_ONE,
        oracle=Oracle(lambda r: {"sigma": r.uniform(0.3, 3), "a": r.normal(0, 1)},
            lambda r, f: {"y": f["a"] + r.uniform(0.01, 4), "mu": r.normal(0, 2)},
            piece_oracles.truncated_gaussian, "scipy truncnorm"),
    ),
    "gaussian_mixture": EntryCase(  # -log sum_k w_k N(y; mu_k, sigma_k^2), less log(2 pi)/2
        loss=lambda s: -log(_sum(s, s["w"][s["k"]] / s["sigma"][s["k"]]
                                 * exp(-(s["y"] - s["mu"][s["k"]]) ** 2 / (2 * s["sigma"][s["k"]] ** 2)))),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"K": int(r.integers(1, 5))},
            lambda r, f: {"y": r.normal(0, 3), "w": _probabilities(r, f["K"]), "mu": r.normal(0, 3, f["K"]),
                          "sigma": r.uniform(0.3, 3, f["K"])},
            piece_oracles.gaussian_mixture, "torch MixtureSameFamily"),
    ),
    "gaussian_mixture_logits": EntryCase(  # log sum_j e^a_j - log sum_k e^a_k N(y; mu_k, sigma_k^2), less log(2 pi)/2
        loss=lambda s: log(_sum(s, exp(s["a"][s["j"]]), "j"))
            - log(_sum(s, exp(s["a"][s["k"]]) / s["sigma"][s["k"]]
                       * exp(-(s["y"] - s["mu"][s["k"]]) ** 2 / (2 * s["sigma"][s["k"]] ** 2)))),
        equal_by_simplify=True,
        normalisation=PIECES,
        oracle=Oracle(lambda r: {"K": int(r.integers(1, 5))},
            lambda r, f: {"y": r.normal(0, 3), "a": r.normal(0, 2, f["K"]), "mu": r.normal(0, 3, f["K"]),
                          "sigma": r.uniform(0.3, 3, f["K"])},
            piece_oracles.gaussian_mixture_logits, "torch MixtureSameFamily, Categorical(logits=a)"),
    ),
}


FAMILY_CASES: dict[str, FamilyCase] = {
    "normal": FamilyCase(
        parameters={"mu", "sigma"},
        oracle=FamilyOracle(lambda r, s: {"mu": r.uniform(-2, 2), "sigma": r.uniform(0.3, 3)},
            lambda v: D.Normal(t64(v["mu"]), t64(v["sigma"])),
            lambda v: stats.norm(v["mu"], v["sigma"])),
        entropy=sp.log(2 * sp.pi * sp.E * sym("sigma", positive=True) ** 2) / 2,
    ),
    "laplace": FamilyCase(
        parameters={"mu", "b"},
        oracle=FamilyOracle(lambda r, s: {"mu": r.uniform(-2, 2), "b": r.uniform(0.3, 3)},
            lambda v: D.Laplace(t64(v["mu"]), t64(v["b"])),
            lambda v: stats.laplace(v["mu"], v["b"])),
        entropy=1 + sp.log(2 * sym("b", positive=True)),
    ),
    "logistic": FamilyCase(
        parameters={"mu", "s"},
        oracle=FamilyOracle(lambda r, s: {"mu": r.uniform(-2, 2), "s": r.uniform(0.3, 3)},
                            lambda v: torch_logistic(v["mu"], v["s"]),
                            lambda v: stats.logistic(v["mu"], v["s"])),
        entropy=sp.log(sym("s", positive=True)) + 2,
    ),
    "exponential": FamilyCase(
        parameters={"lambda"},
        oracle=FamilyOracle(lambda r, s: {"lambda": r.uniform(0.2, 4)},
            lambda v: D.Exponential(t64(v["lambda"])),
            lambda v: stats.expon(scale=1 / v["lambda"])),
        entropy=1 - sp.log(sym("lambda", positive=True)),
    ),
    "gamma": FamilyCase(
        parameters={"alpha", "beta"},
        oracle=FamilyOracle(lambda r, s: {"alpha": r.uniform(0.5, 6), "beta": r.uniform(0.3, 4)},
            lambda v: D.Gamma(t64(v["alpha"]), t64(v["beta"])),
            lambda v: stats.gamma(v["alpha"], scale=1 / v["beta"])),
    ),
    "beta": FamilyCase(
        parameters={"alpha", "beta"},
        oracle=FamilyOracle(lambda r, s: {"alpha": r.uniform(0.5, 6), "beta": r.uniform(0.5, 6)},
            lambda v: D.Beta(t64(v["alpha"]), t64(v["beta"])),
            lambda v: stats.beta(v["alpha"], v["beta"])),
    ),
    "uniform": FamilyCase(
        parameters={"a", "b"},
        oracle=FamilyOracle(lambda r, s: dict(zip(("a", "b"), _uniform_ends(r))),
            lambda v: D.Uniform(t64(v["a"]), t64(v["b"])),
            lambda v: stats.uniform(v["a"], v["b"] - v["a"])),
        entropy=sp.log(sym("b", real=True) - sym("a", real=True)),
    ),
    "bernoulli": FamilyCase(
        parameters={"p"},
        oracle=FamilyOracle(lambda r, s: {"p": r.uniform(0.05, 0.95)},
            lambda v: D.Bernoulli(probs=t64(v["p"])),
            lambda v: stats.bernoulli(v["p"])),
        entropy=-sym("p", positive=True) * sp.log(sym("p", positive=True))
            - (1 - sym("p", positive=True)) * sp.log(1 - sym("p", positive=True)),
    ),
    "binomial": FamilyCase(
        parameters={"N", "p"},
        oracle=FamilyOracle(lambda r, s: {"N": s.get("N", int(r.integers(1, 15))), "p": r.uniform(0.05, 0.95)},
            lambda v: D.Binomial(v["N"], probs=t64(v["p"])),
            lambda v: stats.binom(v["N"], v["p"])),
    ),
    "categorical": FamilyCase(
        parameters={"p", "K"},
        oracle=FamilyOracle(lambda r, s: {"K": (K := s.get("K", int(r.integers(2, 7)))), "p": _simplex(r, K)},
            lambda v: D.Categorical(probs=t64(v["p"])),
            lambda v: stats.multinomial(1, v["p"])),
    ),
    "poisson": FamilyCase(
        parameters={"lambda"},
        oracle=FamilyOracle(lambda r, s: {"lambda": r.uniform(0.2, 12)},
            lambda v: D.Poisson(t64(v["lambda"])),
            lambda v: stats.poisson(v["lambda"])),
    ),
    "geometric": FamilyCase(
        parameters={"p"},
        oracle=FamilyOracle(lambda r, s: {"p": r.uniform(0.05, 0.95)},
            lambda v: D.Geometric(probs=t64(v["p"])),
            lambda v: stats.geom(v["p"], loc=-1)),
    ),
    "mvn_diag": FamilyCase(
        parameters={"mu", "sigma", "d"},
        oracle=FamilyOracle(lambda r, s: {"d": (d := s.get("d", int(r.integers(1, 5)))),
                          "mu": r.uniform(-2, 2, d), "sigma": r.uniform(0.3, 3, d)},
            lambda v: D.MultivariateNormal(t64(v["mu"]),
                                           covariance_matrix=torch.diag(t64(v["sigma"]) ** 2)),
            lambda v: stats.multivariate_normal(v["mu"], np.diag(v["sigma"] ** 2))),
    ),
}
