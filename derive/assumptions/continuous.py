"""Continuous noise models on the real line, the half line and the unit interval.

Each entry is a closed-form density of our own (SciPy and PyTorch are oracles, never
sources), its symbols with their domains, and the textbook loss as a hand-written reference.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols as S
from derive.assumptions.base import Assumption, Link, Reference, register

POS, REAL, UNIT = S.POSITIVE, S.REALS, S.UNIT
pi = sp.pi

y = S.y
y_pos = S.symbol("y", POS)
y_unit = S.symbol("y", sp.Interval(0, 1))
yhat = S.yhat
mu = S.symbol("mu", REAL)
mu_pos = S.symbol("mu", POS)
var = S.symbol("var", POS)
b = S.symbol("b", POS)

register(Assumption(
    name="gaussian_variance",
    title="Gaussian noise with a learned variance",
    statement=r"y \sim \mathcal{N}(\mu, v)",
    words=r"The target is Gaussian around the predicted mean $\mu$ with a predicted variance $v$.",
    loss_name="Gaussian NLL (torch gaussian_nll_loss)",
    density=sp.exp(-(y - mu) ** 2 / (2 * var)) / sp.sqrt(2 * pi * var),
    data=(y,), params=(mu, var),
    domains={y: REAL, mu: REAL, var: POS},
    support=REAL,
    keep_numeric_factor=True,  # torch's gaussian_nll_loss keeps the 1/2
    references=(
        Reference(r"\frac{1}{2}\left(\log \mathrm{var} + \frac{(y - \mu)^2}{\mathrm{var}}\right)", "loss",
                  label="Gaussian NLL without the constant"),
    ),
    saturated=((mu, y),),
))

register(Assumption(
    name="laplace",
    title="Laplace noise with fixed scale",
    statement=r"y \sim \operatorname{Laplace}(\hat{y}, b)",
    words=r"The target is the prediction plus Laplace (double-exponential) noise of fixed scale $b$.",
    loss_name="mean absolute error (MAE, L1)",
    density=sp.exp(-sp.Abs(y - yhat) / b) / (2 * b),
    data=(y,), params=(yhat,), fixed=(b,),
    domains={y: REAL, yhat: REAL, b: POS},
    references=(Reference(r"|y - \hat{y}|", "loss", label="absolute error"),),
    saturated=((yhat, y),),
))

register(Assumption(
    name="exponential",
    title="Exponential targets with a predicted mean",
    statement=r"y \sim \operatorname{Exponential}(\text{mean } \mu)",
    words=r"The positive target is exponentially distributed with the predicted mean $\mu$.",
    loss_name="exponential NLL",
    density=sp.exp(-y_pos / mu_pos) / mu_pos,
    data=(y_pos,), params=(mu_pos,),
    domains={y_pos: POS, mu_pos: POS},
    support=POS,
    references=(Reference(r"\frac{y}{\mu} + \log \mu", "loss"),),
    saturated=((mu_pos, y_pos),),
))

k_shape = S.symbol("k", POS)
register(Assumption(
    name="gamma",
    title="Gamma targets with a predicted mean and fixed shape",
    statement=r"y \sim \operatorname{Gamma}(k, \text{mean } \mu)",
    words=r"The positive target is Gamma distributed with fixed shape $k$ and the predicted mean $\mu$.",
    loss_name="Gamma NLL (Gamma deviance up to constants)",
    density=y_pos ** (k_shape - 1) * sp.exp(-k_shape * y_pos / mu_pos) * (k_shape / mu_pos) ** k_shape
    / sp.gamma(k_shape),
    data=(y_pos,), params=(mu_pos,), fixed=(k_shape,),
    domains={y_pos: POS, mu_pos: POS, k_shape: POS},
    support=POS,
    references=(Reference(r"\frac{y}{\mu} + \log \mu", "loss"),),
    saturated=((mu_pos, y_pos),),
))

lam_shape = S.symbol("lam", POS)
register(Assumption(
    name="inverse_gaussian",
    title="Inverse Gaussian targets with a predicted mean",
    statement=r"y \sim \operatorname{IG}(\mu, \lambda)",
    words=r"The positive target is inverse Gaussian with the predicted mean $\mu$ and fixed shape $\lambda$.",
    loss_name="inverse Gaussian NLL",
    density=sp.sqrt(lam_shape / (2 * pi * y_pos**3)) * sp.exp(-lam_shape * (y_pos - mu_pos) ** 2 / (2 * mu_pos**2 * y_pos)),
    data=(y_pos,), params=(mu_pos,), fixed=(lam_shape,),
    domains={y_pos: POS, mu_pos: POS, lam_shape: POS},
    support=POS,
    references=(Reference(r"\frac{(y - \mu)^2}{\mu^2 y}", "loss"),),
    saturated=((mu_pos, y_pos),),
))

m = S.symbol("m", REAL)
s = S.symbol("s", POS)
register(Assumption(
    name="lognormal",
    title="Log-normal targets",
    statement=r"\log y \sim \mathcal{N}(m, s^2)",
    words=r"The log of the positive target is Gaussian around the prediction $m$ with fixed spread $s$.",
    loss_name="squared log error",
    density=sp.exp(-(sp.log(y_pos) - m) ** 2 / (2 * s**2)) / (y_pos * s * sp.sqrt(2 * pi)),
    data=(y_pos,), params=(m,), fixed=(s,),
    domains={y_pos: POS, m: REAL, s: POS},
    support=POS,
    references=(Reference(r"(\log y - m)^2", "loss"),),
))

nu = S.symbol("nu", POS)
register(Assumption(
    name="student_t",
    title="Student-t noise",
    statement=r"y \sim t_\nu(\mu, s)",
    words=r"The target is the prediction plus heavy-tailed Student-$t$ noise with $\nu$ degrees of freedom and scale $s$.",
    loss_name="Student-t loss",
    density=sp.gamma((nu + 1) / 2) / (sp.gamma(nu / 2) * sp.sqrt(nu * pi) * s)
    * (1 + (y - mu) ** 2 / (nu * s**2)) ** (-(nu + 1) / 2),
    data=(y,), params=(mu,), fixed=(nu, s),
    domains={y: REAL, mu: REAL, nu: POS, s: POS},
    references=(Reference(r"\log\left(1 + \frac{(y - \mu)^2}{\nu s^2}\right)", "loss"),),
))

gam = S.symbol("gamma", POS)
register(Assumption(
    name="cauchy",
    title="Cauchy noise",
    statement=r"y \sim \operatorname{Cauchy}(\mu, \gamma)",
    words=r"The target is the prediction plus Cauchy noise of scale $\gamma$.",
    loss_name="Cauchy (Lorentzian) loss",
    density=1 / (pi * gam * (1 + (y - mu) ** 2 / gam**2)),
    data=(y,), params=(mu,), fixed=(gam,),
    domains={y: REAL, mu: REAL, gam: POS},
    references=(Reference(r"\log\left(1 + \frac{(y - \mu)^2}{\gamma^2}\right)", "loss"),),
))

q = S.symbol("q", REAL)
tau = S.symbol("tau", UNIT)
register(Assumption(
    name="asymmetric_laplace",
    title="Asymmetric Laplace noise: quantile regression",
    statement=r"y \sim \operatorname{ALD}(q, \tau, b)",
    words=r"The target is asymmetric-Laplace around the predicted $\tau$-quantile $q$ with scale $b$.",
    loss_name="pinball (quantile) loss",
    density=tau * (1 - tau) / b * sp.exp(-sp.Max(tau * (y - q), (tau - 1) * (y - q)) / b),
    data=(y,), params=(q,), fixed=(tau, b),
    domains={y: REAL, q: REAL, tau: UNIT, b: POS},
    references=(Reference(r"\max(\tau (y - q), (\tau - 1)(y - q))", "loss", label="pinball loss"),),
    saturated=((q, y),),
))

kappa = S.symbol("kappa", POS)
y_angle = S.symbol("y", sp.Interval(-pi, pi))
register(Assumption(
    name="von_mises",
    title="Von Mises noise on angles",
    statement=r"y \sim \operatorname{vM}(\mu, \kappa)",
    words=r"The angle is von Mises distributed around the predicted angle $\mu$ with concentration $\kappa$.",
    loss_name="cosine loss",
    density=sp.exp(kappa * sp.cos(y_angle - mu)) / (2 * pi * sp.besseli(0, kappa)),
    data=(y_angle,), params=(mu,), fixed=(kappa,),
    domains={y_angle: sp.Interval(-pi, pi), mu: REAL, kappa: POS},
    support=sp.Interval(-pi, pi),
    references=(Reference(r"-\cos(y - \mu)", "loss", label="cosine loss, 1 - cos up to the constant 1"),
                Reference(r"1 - \cos(y - \mu)", "loss", mode="constant", label="cosine loss")),
))

register(Assumption(
    name="hyperbolic_secant",
    title="Hyperbolic secant noise",
    statement=r"y \sim \operatorname{HypSecant}(\hat{y})",
    words=r"The target is the prediction plus hyperbolic-secant noise, density $1/(\pi\cosh(y - \hat{y}))$.",
    loss_name="log-cosh loss",
    density=1 / (pi * sp.cosh(y - yhat)),
    data=(y,), params=(yhat,),
    domains={y: REAL, yhat: REAL},
    references=(Reference(r"\log\cosh(y - \hat{y})", "loss"),),
))

delta = S.symbol("delta", POS)


def huber_function(r: sp.Expr, d: sp.Expr) -> sp.Expr:
    """Huber's rho: quadratic inside |r| <= d, linear outside, continuous with its slope."""
    return sp.Piecewise((r**2 / 2, sp.Abs(r) <= d), (d * (sp.Abs(r) - d / 2), True))


register(Assumption(
    name="huber",
    title="Huber noise: Gaussian centre, Laplace tails",
    statement=r"p(y) \propto \exp(-\rho_\delta(y - \hat{y}))",
    words=r"The density is proportional to $\exp(-\rho_\delta(y - \hat{y}))$, Gaussian near the prediction and Laplace beyond $\delta$.",
    loss_name="Huber loss",
    density=sp.exp(-huber_function(y - yhat, delta)),
    kernel=True,
    data=(y,), params=(yhat,), fixed=(delta,),
    domains={y: REAL, yhat: REAL, delta: POS},
    # Huber's loss without a cases environment: (1/2) min(|r|, delta)^2 + delta (|r| - min(|r|, delta)).
    references=(Reference(
        r"\frac{1}{2}\min(|y - \hat{y}|, \delta)^2 + \delta\left(|y - \hat{y}| - \min(|y - \hat{y}|, \delta)\right)",
        "loss", label="Huber loss"),),
))

alpha = S.symbol("alpha", POS)
beta = S.symbol("beta", POS)
register(Assumption(
    name="generalized_gaussian",
    title="Generalised Gaussian noise",
    statement=r"p(y) \propto \exp\left(-\left|\frac{y - \mu}{\alpha}\right|^\beta\right)",
    words=r"The density is proportional to $\exp(-|(y - \mu)/\alpha|^\beta)$: Laplace at $\beta = 1$, Gaussian at $\beta = 2$.",
    loss_name="power loss (L-beta)",
    density=sp.exp(-sp.Abs((y - mu) / alpha) ** beta),
    kernel=True,
    data=(y,), params=(mu,), fixed=(alpha, beta),
    domains={y: REAL, mu: REAL, alpha: POS, beta: POS},
    references=(Reference(r"|y - \mu|^\beta", "loss"),),
))

mu_unit = S.symbol("mu", UNIT)
phi = S.symbol("phi", POS)
y_open_unit = S.symbol("y", UNIT)
register(Assumption(
    name="beta",
    title="Beta regression: mean and precision",
    statement=r"y \sim \operatorname{Beta}(\mu\phi, (1 - \mu)\phi)",
    words=r"The target in $(0, 1)$ is Beta distributed with the predicted mean $\mu$ and fixed precision $\phi$.",
    loss_name="beta-regression NLL",
    density=sp.gamma(phi) / (sp.gamma(mu_unit * phi) * sp.gamma((1 - mu_unit) * phi))
    * y_open_unit ** (mu_unit * phi - 1) * (1 - y_open_unit) ** ((1 - mu_unit) * phi - 1),
    data=(y_open_unit,), params=(mu_unit,), fixed=(phi,),
    domains={y_open_unit: UNIT, mu_unit: UNIT, phi: POS},
    support=UNIT,
    references=(Reference(
        r"\log\Gamma(\mu\phi) + \log\Gamma((1 - \mu)\phi) - \mu\phi\log y - (1 - \mu)\phi\log(1 - y)",
        "loss", mode="constant", label="beta-regression NLL up to a constant"),),
))

yhat_unit = S.symbol("yhat", UNIT)
register(Assumption(
    name="continuous_bernoulli",
    title="Continuous Bernoulli: BCE on soft targets, normalised",
    statement=r"y \sim \mathcal{CB}(\hat{y}),\quad y \in [0, 1]",
    words=r"The target in $[0, 1]$ has density proportional to $\hat{y}^y (1 - \hat{y})^{1-y}$, the BCE kernel, normalised.",
    loss_name="continuous-Bernoulli NLL (BCE plus log-normaliser)",
    density=yhat_unit**y_unit * (1 - yhat_unit) ** (1 - y_unit),
    kernel=True,
    data=(y_unit,), params=(yhat_unit,),
    domains={y_unit: sp.Interval(0, 1), yhat_unit: UNIT},
    support=sp.Interval(0, 1),
    references=(Reference(r"-\left[y \log \hat{y} + (1-y)\log(1-\hat{y})\right]", "loss", mode="affine",
                          expected=False, label="not the BCE: the normaliser depends on the prediction"),),
))

z = S.z
p_power = S.symbol("p", sp.Interval.open(1, 2))
mu_tweedie = S.symbol("mu", POS)
NONNEG = sp.Interval(0, sp.oo)  # Tweedie data with 1 < p < 2 include exact zeros
y_nonneg = S.symbol("y", NONNEG)
register(Assumption(
    name="tweedie",
    title="Tweedie targets with a log link (quasi-likelihood)",
    statement=r"\operatorname{Var}(y) \propto \mu^p,\ 1 < p < 2,\ \mu = e^{z}",
    words=r"The target's variance grows as the power $p$ of its mean $\mu = e^z$; only this variance function is assumed.",
    loss_name="Tweedie deviance loss",
    density=None,
    quasi=(mu_tweedie, mu_tweedie**p_power),
    link=Link(mu_tweedie, z, sp.exp(z), "log link"),
    data=(y_nonneg,), params=(z,), fixed=(p_power,),
    domains={y_nonneg: NONNEG, mu_tweedie: POS, z: REAL, p_power: sp.Interval.open(1, 2)},
    support=NONNEG,
    references=(Reference(r"\frac{e^{(2-p)z}}{2-p} - \frac{y\, e^{(1-p)z}}{1-p}", "loss"),),
    saturated=((mu_tweedie, y_nonneg),),
))
