"""A development corpus of formulas written the way statistics and ML textbooks write them
(our own wording), each with its intended meaning built here from SymPy primitives and
derive.symbols, never by the parser.

Rows: (id, LaTeX, meaning, options).  ``meaning`` is a SymPy expression, a ``Rel`` (a
relation: kind and sides), a ``Chain`` (the members of a multi-line display, read with
``derive.parse_chain``), or a ``Refused`` (an anchored regex on the reason: the formula must
be refused, and the message must name the construct and how to write it).  ``options``
are passed to ``parse_latex`` (``symbols=``, ``functions=``).
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp

from derive.symbols import index, indexed_base, size, symbol

S, F = symbol, sp.Function
log, exp, sqrt, pi, E = sp.log, sp.exp, sp.sqrt, sp.pi, sp.E
half = sp.Rational(1, 2)


class Rel(NamedTuple):
    kind: str
    lhs: sp.Basic
    rhs: sp.Basic


class Chain(NamedTuple):
    members: tuple  # (relation or None, expr) pairs


class Refused(NamedTuple):
    reason: str  # an anchored regex


def NB(over: str) -> sp.Symbol:
    """The size of an unbounded sum, named after what it ranges over."""
    return size(f"N_{{{over}}}")


i, j, k, t, c, m_idx = (index(n) for n in ("i", "j", "k", "t", "c", "m"))
n, N, K, D, T, d = (size(n) for n in ("n", "N", "K", "D", "T", "d"))
x, y, z, w, b, a, u, v = (S(n) for n in ("x", "y", "z", "w", "b", "a", "u", "v"))
yhat, ybar, xbar, phat = (S(n) for n in ("yhat", "ybar", "xbar", "phat"))
p, q, s, r = (S(n) for n in ("p", "q", "s", "r"))
sigma, mu, lam, delta, theta, alpha, beta, gamma, kappa, nu, tau, eta, phi, rho = (
    S(n) for n in ("sigma", "mu", "lambda", "delta", "theta", "alpha", "beta", "gamma", "kappa", "nu", "tau",
                   "eta", "phi", "rho"))
Y, YH, X, Z, W, P, Q, A_, M, R = (indexed_base(n) for n in ("y", "yhat", "x", "z", "w", "p", "q", "alpha", "mu", "r"))
sigmoid = lambda e: 1 / (1 + exp(-e))  # noqa: E731  (the reading of \operatorname{sigmoid})
ind = lambda cond: sp.Piecewise((1, cond), (0, True))  # noqa: E731  (the indicator)

# Matrices given by the caller (a statistics text declares them in words).
dim = sp.Symbol("d", integer=True, positive=True)
yv, muv, xv, wv = (sp.MatrixSymbol(n, dim, 1) for n in ("y", "mu", "x", "w"))
Sig, Am, Bm = (sp.MatrixSymbol(n, dim, dim) for n in ("Sigma", "A", "B"))
Xm = sp.MatrixSymbol("X", size("n"), dim)
yn = sp.MatrixSymbol("y", size("n"), 1)
MG = sp.Symbol("m_Gamma", integer=True, positive=True)  # the product index of the multivariate gamma
MATRICES = {"y": yv, "mu": muv, "x": xv, "w": wv, "Sigma": Sig, "A": Am, "B": Bm}

ROWS: list[tuple[str, str, object, dict]] = [
    # ---- regression losses ---------------------------------------------------------------
    ("mse_hat", r"\frac{1}{n}\sum_{i=1}^{n}\left(y_i-\hat{y}_i\right)^{2}", sp.Sum((Y[i] - YH[i]) ** 2, (i, 1, n)) / n, {}),
    ("sse_half", r"\tfrac12 \sum_{i=1}^{N} (\hat y_i - y_i)^2", sp.Sum((YH[i] - Y[i]) ** 2, (i, 1, N)) / 2, {}),
    ("rmse_root", r"\sqrt{\frac{1}{N}\sum_{i=1}^{N}(y_i - \hat{y}_i)^2}", sqrt(sp.Sum((Y[i] - YH[i]) ** 2, (i, 1, N)) / N), {}),
    ("mae_abs", r"\frac{1}{n}\sum_{i=1}^{n}|y_i-\hat{y}_i|", sp.Sum(sp.Abs(Y[i] - YH[i]), (i, 1, n)) / n, {}),
    ("log_cosh", r"\sum_{i=1}^{n}\log\cosh(\hat{y}_i - y_i)", sp.Sum(log(sp.cosh(YH[i] - Y[i])), (i, 1, n)), {}),
    ("quantile_max", r"\max\left(\tau(y-\hat y), (\tau-1)(y-\hat y)\right)",
     sp.Max(tau * (y - yhat), (tau - 1) * (y - yhat)), {}),
    ("huber_cases", r"L_\delta(a) = \begin{cases} \frac{1}{2}a^2 & \text{for } |a| \le \delta, \\ "
                    r"\delta\left(|a| - \frac{1}{2}\delta\right) & \text{otherwise.} \end{cases}",
     Rel("=", F("L_{delta}")(a), sp.Piecewise((a**2 / 2, sp.Abs(a) <= delta), (delta * (sp.Abs(a) - delta / 2), True))), {}),
    ("huber_if", r"\begin{cases} \tfrac{1}{2}(y-\hat{y})^2 & \text{if } |y-\hat{y}| \leq \delta \\ "
                 r"\delta |y-\hat{y}| - \tfrac{1}{2}\delta^2 & \text{otherwise} \end{cases}",
     sp.Piecewise(((y - yhat) ** 2 / 2, sp.Abs(y - yhat) <= delta), (delta * sp.Abs(y - yhat) - delta**2 / 2, True)), {}),
    ("ridge_vec", r"\sum_{i=1}^{n} (y_i - \mathbf{w}^\top \mathbf{x}_i)^2 + \lambda \|\mathbf{w}\|_2^2",
     sp.Sum((Y[i] - S("wbold") * indexed_base("xbold")[i]) ** 2, (i, 1, n)) + lam * F("norm")(S("wbold")) ** 2, {}),
    ("lasso", r"\frac{1}{2n}\sum_{i=1}^n (y_i - \beta_0 - x_i\beta)^2 + \lambda\sum_{j=1}^{p} |\beta_j|",
     sp.Sum((Y[i] - indexed_base("beta")[0] - X[i] * beta) ** 2, (i, 1, n)) / (2 * n)  # beta is indexed: beta_0 too
     + lam * sp.Sum(sp.Abs(indexed_base("beta")[j]), (j, 1, size("p"))), {}),
    ("weighted_mse", r"\frac{\sum_{i=1}^n w_i (y_i - \hat y_i)^2}{\sum_{i=1}^n w_i}",
     sp.Sum(W[i] * (Y[i] - YH[i]) ** 2, (i, 1, n)) / sp.Sum(W[i], (i, 1, n)), {}),
    ("r_squared", r"R^2 = 1 - \frac{\sum_{i=1}^n (y_i - \hat y_i)^2}{\sum_{i=1}^n (y_i - \bar y)^2}",
     Rel("=", S("R") ** 2, 1 - sp.Sum((Y[i] - YH[i]) ** 2, (i, 1, n)) / sp.Sum((Y[i] - ybar) ** 2, (i, 1, n))), {}),
    ("sample_var", r"s^2 = \frac{1}{n-1}\sum_{i=1}^{n}(x_i-\bar{x})^2",
     Rel("=", s**2, sp.Sum((X[i] - xbar) ** 2, (i, 1, n)) / (n - 1)), {}),
    ("sample_mean_def", r"\bar{x} := \frac{1}{n}\sum_{i=1}^{n} x_i", Rel("define", xbar, sp.Sum(X[i], (i, 1, n)) / n), {}),
    ("epsilon_insensitive", r"\max(0, |y - \hat{y}| - \epsilon)", sp.Max(0, sp.Abs(y - yhat) - S("epsilon")), {}),
    # ---- classification ----------------------------------------------------------------
    ("bce_mean_ln", r"-\frac{1}{N}\sum_{n=1}^{N}\left[t_n \ln y_n + (1-t_n)\ln(1-y_n)\right]",
     -sp.Sum(indexed_base("t")[index("n")] * log(Y[index("n")])
             + (1 - indexed_base("t")[index("n")]) * log(1 - Y[index("n")]), (index("n"), 1, N)) / N, {}),
    ("bce_sigmoid_logit", r"-y\log\operatorname{sigmoid}(z) - (1-y)\log(1-\operatorname{sigmoid}(z))",
     -y * log(sigmoid(z)) - (1 - y) * log(1 - sigmoid(z)), {}),
    ("bce_softplus", r"\operatorname{softplus}(z) - y z", log(1 + exp(z)) - y * z, {}),
    ("logistic_nll", r"\sum_{i=1}^{n}\left[\log(1+e^{x_i\beta}) - y_i x_i\beta\right]",
     sp.Sum(log(1 + exp(X[i] * beta)) - Y[i] * X[i] * beta, (i, 1, n)), {}),
    ("ce_sumk_j", r"-\sum_j y_j \log \hat{y}_j", -sp.Sum(Y[j] * log(YH[j]), (j, 1, NB("y,yhat"))), {}),
    ("ce_onehot_bound", r"-\sum_{k=1}^{K} \mathbb{1}[y = k] \log p_k",
     -sp.Sum(ind(sp.Eq(y, k)) * log(P[k]), (k, 1, K)), {}),
    ("ce_indicator_sub", r"-\sum_{k=1}^{K} \mathbb{1}_{\{y=k\}}\log \hat{p}_k",
     -sp.Sum(ind(sp.Eq(y, k)) * log(indexed_base("phat")[k]), (k, 1, K)), {}),
    ("ce_iverson", r"-\sum_{k=1}^{K} [y = k] \log \hat{y}_k", -sp.Sum(ind(sp.Eq(y, k)) * log(YH[k]), (k, 1, K)), {}),
    ("softmax_ce_hard", r"-\log\frac{e^{z_c}}{\sum_{j=1}^{K}e^{z_j}}", -log(exp(Z[c]) / sp.Sum(exp(Z[j]), (j, 1, K))), {}),
    ("softmax_component", r"\operatorname{softmax}(z)_k", exp(Z[k]) / sp.Sum(exp(Z[j]), (j, 1, NB("z"))), {}),
    ("logsumexp_vec", r"\operatorname{logsumexp}(z) - z_y", log(sp.Sum(exp(Z[j]), (j, 1, NB("z")))) - Z[index("y")], {}),
    ("logsumexp_pair", r"\operatorname{LSE}(a, b)", log(exp(a) + exp(b)), {}),
    ("hinge_svm", r"\frac{1}{n}\sum_{i=1}^{n}\max(0, 1 - y_i(w x_i + b)) + \lambda w^2",
     sp.Sum(sp.Max(0, 1 - Y[i] * (w * X[i] + b)), (i, 1, n)) / n + lam * w**2, {}),
    ("squared_hinge", r"\max(0, 1 - y\hat{y})^2", sp.Max(0, 1 - y * yhat) ** 2, {}),
    ("focal_pt", r"-\alpha_t (1 - p_t)^\gamma \log p_t", -S("alpha_t") * (1 - S("p_t")) ** gamma * log(S("p_t")), {}),
    ("label_smoothing", r"-\sum_{k=1}^{K}\left[(1-\epsilon) y_k + \frac{\epsilon}{K}\right]\log\hat{y}_k",
     -sp.Sum(((1 - S("epsilon")) * Y[k] + S("epsilon") / K) * log(YH[k]), (k, 1, K)), {}),
    ("sigmoid_def_op", r"\operatorname{sigmoid}(x) = \frac{1}{1+e^{-x}}", Rel("=", sigmoid(x), 1 / (1 + exp(-x))), {}),
    ("logit_def", r"\operatorname{logit}(p) = \log\frac{p}{1-p}", Rel("=", log(p / (1 - p)), log(p / (1 - p))), {}),
    ("probit", r"P(y = 1 \mid x) = \Phi(x\beta)", Refused(r"^a relation \('='\) inside brackets is not supported: a condition is written as an indicator"), {}),
    ("probit_value", r"\Phi(\beta_0 + \beta_1 x)", (1 + sp.erf((S("beta_0") + S("beta_1") * x) / sqrt(2))) / 2, {}),
    ("probit_nll", r"-y\log\Phi(z) - (1-y)\log(1-\Phi(z))",
     -y * log((1 + sp.erf(z / sqrt(2))) / 2) - (1 - y) * log(1 - (1 + sp.erf(z / sqrt(2))) / 2), {}),
    ("kl_div_loss", r"\sum_{k=1}^{K} p_k\log\frac{p_k}{q_k}", sp.Sum(P[k] * log(P[k] / Q[k]), (k, 1, K)), {}),
    ("zero_one", r"\frac{1}{n}\sum_{i=1}^{n}\mathbb{1}[y_i \neq \hat{y}_i]",
     sp.Sum(ind(sp.Ne(Y[i], YH[i])), (i, 1, n)) / n, {}),
    ("sign_classifier", r"\operatorname{sign}(w x + b)", sp.sign(w * x + b), {}),
    ("sgn_margin", r"\mathbb{1}[\operatorname{sgn}(f) \ne y]", ind(sp.Ne(sp.sign(S("f")), y)), {}),
    # ---- likelihoods of the standard families -----------------------------------------------
    ("gauss_pdf_exp", r"\frac{1}{\sqrt{2\pi}\,\sigma}\exp\left\{-\frac{(x-\mu)^2}{2\sigma^2}\right\}",
     exp(-(x - mu) ** 2 / (2 * sigma**2)) / (sqrt(2 * pi) * sigma), {}),
    ("gauss_loglik", r"\ell(\mu, \sigma^2) = -\frac{n}{2}\log(2\pi) - \frac{n}{2}\log\sigma^2 - \frac{1}{2\sigma^2}\sum_{i=1}^{n}(x_i-\mu)^2",
     Rel("=", F("ell")(mu, sigma**2), -n * log(2 * pi) / 2 - n * log(sigma**2) / 2
         - sp.Sum((X[i] - mu) ** 2, (i, 1, n)) / (2 * sigma**2)), {}),
    ("gauss_nll_var_v", r"\frac{1}{2}\log v + \frac{(y-\mu)^2}{2v}", log(v) / 2 + (y - mu) ** 2 / (2 * v), {}),
    ("bernoulli_pmf", r"p^{y}(1-p)^{1-y}", p**y * (1 - p) ** (1 - y), {}),
    ("bernoulli_var", r"\operatorname{Var}[Y] = p(1-p)", Rel("=", F("Var")(S("Y")), p * (1 - p)), {}),
    ("expectation_plain_E", r"E[(Y - f(X))^2]", F("mathbb{E}")((S("Y") - F("f")(S("X"))) ** 2), {}),
    ("expectation_sub_E", r"E_{x \sim p}[x^2] - \mathrm{E}[x]^2", F("mathbb{E}_{x sim p}")(x**2) - F("mathbb{E}")(x) ** 2, {}),
    ("operatorname_no_argument", r"\operatorname{Var} X", Refused(r"^\\operatorname\{Var\} must be followed by \(\.\.\.\) or \[\.\.\.\]$"), {}),
    ("bernoulli_var_paren", r"\operatorname{Var}(Y) = p(1-p)", Rel("=", F("Var")(S("Y")), p * (1 - p)), {}),
    ("binomial_binom", r"\binom{n}{y}p^y(1-p)^{n-y}", sp.binomial(n, y) * p**y * (1 - p) ** (n - y), {}),
    ("binomial_choose", r"{n \choose y} p^{y} (1-p)^{n-y}", sp.binomial(n, y) * p**y * (1 - p) ** (n - y), {}),
    ("binomial_log_choose", r"-\log{N \choose k} - k\log p - (N-k)\log(1-p)",
     -log(sp.binomial(N, S("k"))) - S("k") * log(p) - (N - S("k")) * log(1 - p), {}),
    ("poisson_loglik", r"\sum_{i=1}^n \left(y_i\log\lambda - \lambda - \log y_i!\right)",
     sp.Sum(Y[i] * log(lam) - lam - log(sp.factorial(Y[i])), (i, 1, n)), {}),
    ("poisson_lgamma", r"\lambda - y\log\lambda + \log\Gamma(y+1)", lam - y * log(lam) + log(sp.gamma(y + 1)), {}),
    ("geometric_pmf", r"p(1-p)^{k}", p * (1 - p) ** S("k"), {}),
    ("negbin_pmf", r"\frac{\Gamma(y + r)}{y!\,\Gamma(r)} p^{r}(1-p)^{y}",
     sp.gamma(y + r) / (sp.factorial(y) * sp.gamma(r)) * p**r * (1 - p) ** y, {}),
    ("gamma_pdf", r"\frac{\beta^{\alpha}}{\Gamma(\alpha)} x^{\alpha-1} e^{-\beta x}",
     beta**alpha / sp.gamma(alpha) * x ** (alpha - 1) * exp(-beta * x), {}),
    ("gamma_nll", r"-\alpha\log\beta + \log\Gamma(\alpha) - (\alpha-1)\log y + \beta y",
     -alpha * log(beta) + log(sp.gamma(alpha)) - (alpha - 1) * log(y) + beta * y, {}),
    ("beta_pdf_B", r"\frac{x^{\alpha-1}(1-x)^{\beta-1}}{\mathrm{B}(\alpha,\beta)}",
     x ** (alpha - 1) * (1 - x) ** (beta - 1) / sp.beta(alpha, beta), {}),
    ("beta_nll_B", r"\log \operatorname{B}(a, b) - (a-1)\log y - (b-1)\log(1-y)",
     log(sp.beta(a, b)) - (a - 1) * log(y) - (b - 1) * log(1 - y), {}),
    ("beta_fn_gamma", r"\mathrm{B}(a,b) = \frac{\Gamma(a)\Gamma(b)}{\Gamma(a+b)}",
     Rel("=", sp.beta(a, b), sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)), {}),
    ("dirichlet_norm", r"\log\Gamma\left(\sum_{k=1}^{K}\alpha_k\right) - \sum_{k=1}^{K}\log\Gamma(\alpha_k)",
     log(sp.gamma(sp.Sum(A_[k], (k, 1, K)))) - sp.Sum(log(sp.gamma(A_[k])), (k, 1, K)), {}),
    ("exponential_nll", r"-\log\lambda + \lambda y", -log(lam) + lam * y, {}),
    ("laplace_nll", r"\log(2b) + \frac{|y-\mu|}{b}", log(2 * b) + sp.Abs(y - mu) / b, {}),
    ("student_t_pdf", r"\frac{\Gamma(\frac{\nu+1}{2})}{\sqrt{\nu\pi}\,\Gamma(\frac{\nu}{2})}\left(1+\frac{t^2}{\nu}\right)^{-\frac{\nu+1}{2}}",
     sp.gamma((nu + 1) / 2) / (sqrt(nu * pi) * sp.gamma(nu / 2)) * (1 + S("t") ** 2 / nu) ** (-(nu + 1) / 2), {}),
    ("von_mises_nll", r"-\kappa\cos(y - \mu) + \log(2\pi I_0(\kappa))",
     -kappa * sp.cos(y - mu) + log(2 * pi * sp.besseli(0, kappa)), {}),
    ("von_mises_log_I0", r"\log I_0(\kappa) + \log 2\pi - \kappa\cos(y-\mu)",
     log(sp.besseli(0, kappa)) + log(2 * pi) - kappa * sp.cos(y - mu), {}),
    ("bessel_k", r"K_{\nu}(x) + I_{\nu}(x)", sp.besselk(nu, x) + sp.besseli(nu, x), {}),
    ("lognormal_nll", r"\log y + \log\sigma + \frac{(\ln y - \mu)^2}{2\sigma^2}",
     log(y) + log(sigma) + (log(y) - mu) ** 2 / (2 * sigma**2), {}),
    ("cauchy_nll", r"\log\pi + \log\gamma + \log\left(1 + \left(\frac{y-\mu}{\gamma}\right)^2\right)",
     log(pi) + log(gamma) + log(1 + ((y - mu) / gamma) ** 2), {}),
    ("zip_mixture", r"-\log\left(\pi\,\mathbb{1}[y=0] + (1-\pi)\frac{\lambda^{y}e^{-\lambda}}{y!}\right)",
     Refused(r"^\\pi is the constant 3\.14159\.\.\. but 1 - \\pi reads as a probability: "), {}),
    ("zip_mixture_pi_symbol", r"-\log\left(\pi\,\mathbb{1}[y=0] + (1-\pi)e^{-\lambda}\right)",
     -log(S("pi") * ind(sp.Eq(y, 0)) + (1 - S("pi")) * exp(-lam)), {"symbols": {"pi": S("pi")}}),
    ("zip_mixture_w", r"-\log\left(w\,\mathbb{1}[y=0] + (1-w)\frac{\lambda^{y}e^{-\lambda}}{y!}\right)",
     -log(w * ind(sp.Eq(y, 0)) + (1 - w) * lam**y * exp(-lam) / sp.factorial(y)), {}),
    ("multinomial_coef", r"\frac{n!}{\prod_{k=1}^{K} x_k!}\prod_{k=1}^{K} p_k^{x_k}",
     sp.factorial(n) / sp.Product(sp.factorial(X[k]), (k, 1, K)) * sp.Product(P[k] ** X[k], (k, 1, K)), {}),
    ("mvn_quadratic", r"-\frac{1}{2}(y-\mu)^\mathrm{T}\Sigma^{-1}(y-\mu) - \frac{1}{2}\log|\Sigma| - \frac{d}{2}\log 2\pi",
     sp.Add(-(yv - muv).T * Sig.I * (yv - muv) / 2, -log(sp.Determinant(Sig)) / 2, -dim * log(2 * pi) / 2), {"symbols": {**MATRICES, "d": dim}}),
    ("mvn_det_cmd", r"\frac{1}{2}\log\det\Sigma + \frac{1}{2}(y-\mu)^{\top}\Sigma^{-1}(y-\mu)",
     sp.Add(log(sp.Determinant(Sig)) / 2, (yv - muv).T * Sig.I * (yv - muv) / 2), {"symbols": MATRICES}),
    ("mvn_dataset", r"\sum_{i=1}^{n}(y_i-\mu)^\mathrm{T} \Sigma^{-1} (y_i-\mu)",
     sp.Sum((sp.MatrixSymbol("y_i", dim, 1) - muv).T * Sig.I * (sp.MatrixSymbol("y_i", dim, 1) - muv), (i, 1, n)),
     {"symbols": {**MATRICES, "y_i": sp.MatrixSymbol("y_i", dim, 1)}}),
    ("mvn_dataset_no_vectors", r"(y_i-\mu)^\mathrm{T} \Sigma^{-1} (y_i-\mu)",
     Refused(r"^the shapes of the matrices do not fit: a d x 1 matrix plus the number y_i \(if it is a matrix too, give it in symbols="),
     {"symbols": MATRICES}),
    ("wishart_norm", r"\ln \frac{\Gamma_p(a)}{\Gamma_p(b)}",
     log(sp.Product(sp.gamma(a + (1 - MG) / 2), (MG, 1, p)) / sp.Product(sp.gamma(b + (1 - MG) / 2), (MG, 1, p))), {}),
    ("multigamma_2", r"\Gamma_2(a)", sp.multigamma(a, 2), {}),
    # ---- entropies, cross-entropies, divergences ---------------------------------------------
    ("entropy_bits", r"H(X) = -\sum_{x} p(x)\log_2 p(x)",
     Rel("=", F("H")(S("X")), -sp.Sum(F("p")(index("x")) * log(F("p")(index("x")), 2), (index("x"), 1, NB("p")))), {}),
    ("entropy_bern_nats", r"-p\ln p-(1-p)\ln(1-p)", -p * log(p) - (1 - p) * log(1 - p), {}),
    ("entropy_gauss", r"\frac{1}{2}\log(2\pi e\sigma^2)", log(2 * pi * E * sigma**2) / 2, {}),
    ("entropy_gamma", r"\alpha - \log\beta + \log\Gamma(\alpha) + (1-\alpha)\psi(\alpha)",
     alpha - log(beta) + log(sp.gamma(alpha)) + (1 - alpha) * sp.digamma(alpha), {}),
    ("entropy_beta", r"\log\mathrm{B}(\alpha,\beta) - (\alpha-1)\psi(\alpha) - (\beta-1)\psi(\beta) + (\alpha+\beta-2)\psi(\alpha+\beta)",
     log(sp.beta(alpha, beta)) - (alpha - 1) * sp.digamma(alpha) - (beta - 1) * sp.digamma(beta)
     + (alpha + beta - 2) * sp.digamma(alpha + beta), {}),
    ("digamma_word", r"\operatorname{digamma}(a_1) - \psi(a_2)", sp.digamma(S("a_1")) - sp.digamma(S("a_2")), {}),
    ("trigamma", r"\psi^{(1)}(\alpha)", sp.polygamma(1, alpha), {}),
    ("polygamma_word", r"\operatorname{polygamma}(2, x)", sp.polygamma(2, x), {}),
    ("entropy_laplace", r"1 + \log(2b)", 1 + log(2 * b), {}),
    ("entropy_mvn", r"\frac{d}{2}(1+\log 2\pi) + \frac{1}{2}\log|\Sigma|",
     sp.Add(dim * (1 + log(2 * pi)) / 2, log(sp.Determinant(Sig)) / 2), {"symbols": {"Sigma": Sig, "d": dim}}),
    ("kl_gauss_textbook", r"D_{\mathrm{KL}}(p\,\|\,q) = \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac12",
     Rel("=", F("D_{KL}")(p, q), log(S("sigma_2") / S("sigma_1"))
         + (S("sigma_1") ** 2 + (S("mu_1") - S("mu_2")) ** 2) / (2 * S("sigma_2") ** 2) - half), {}),
    ("kl_bernoulli", r"p\log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}", p * log(p / q) + (1 - p) * log((1 - p) / (1 - q)), {}),
    ("kl_poisson", r"\lambda_1\log\frac{\lambda_1}{\lambda_2} + \lambda_2 - \lambda_1",
     S("lambda_1") * log(S("lambda_1") / S("lambda_2")) + S("lambda_2") - S("lambda_1"), {}),
    ("kl_vae_sum", r"-\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)",
     -sp.Sum(1 + log(indexed_base("sigma")[j] ** 2) - M[j] ** 2 - indexed_base("sigma")[j] ** 2, (j, 1, size("J"))) / 2, {}),
    ("kl_mvn_trace", r"\frac{1}{2}\left[\mathrm{tr}(\Sigma^{-1}A) - d + \log\frac{|\Sigma|}{|A|}\right]",
     sp.Add(sp.Trace(Sig.I * Am), -dim, log(sp.Determinant(Sig) / sp.Determinant(Am))) / 2,
     {"symbols": {"Sigma": Sig, "A": Am, "d": dim}}),
    ("cross_entropy_def", r"H(p, q) = -\sum_{x} p(x)\log q(x)",
     Rel("=", F("H")(p, q), -sp.Sum(F("p")(index("x")) * log(F("q")(index("x"))), (index("x"), 1, NB("p,q")))), {}),
    ("mutual_info", r"I(X;Y) = \sum_{x}\sum_{y} p(x,y)\log\frac{p(x,y)}{p(x)p(y)}",
     Rel("=", F("I")(S("X"), S("Y")), sp.Sum(F("p")(index("x"), index("y")) * log(
         F("p")(index("x"), index("y")) / (F("p")(index("x")) * F("p")(index("y")))),
         (index("y"), 1, NB("p,p:2")), (index("x"), 1, NB("p")))), {}),
    ("jensen_shannon", r"\frac{1}{2}\sum_{k=1}^{K} p_k\log\frac{2p_k}{p_k+q_k} + \frac{1}{2}\sum_{k=1}^{K} q_k\log\frac{2q_k}{p_k+q_k}",
     sp.Sum(P[k] * log(2 * P[k] / (P[k] + Q[k])), (k, 1, K)) / 2 + sp.Sum(Q[k] * log(2 * Q[k] / (P[k] + Q[k])), (k, 1, K)) / 2, {}),
    ("expectation_sim", r"\mathbb{E}_{x\sim q}\left[\log\frac{q(x)}{p(x)}\right]",
     F("mathbb{E}_{x sim q}")(log(F("q")(x) / F("p")(x))), {}),
    # ---- matrices -------------------------------------------------------------------------
    ("transpose_mathrm_braced", r"w^{\mathrm{T}} x", (wv.T * xv), {"symbols": MATRICES}),
    ("transpose_T_scalar", r"w^T x + b", w * x + b, {}),
    ("transpose_top_matrix", r"x^\top A x", xv.T * Am * xv, {"symbols": MATRICES}),
    ("transpose_intercal", r"x^\intercal x", xv.T * xv, {"symbols": MATRICES}),
    ("det_bars", r"\log|\Sigma|", log(sp.Determinant(Sig)), {"symbols": MATRICES}),
    ("det_bars_scalar", r"\log|\sigma|", log(sp.Abs(sigma)), {}),
    ("det_paren", r"\det(A B)", sp.Determinant(Am * Bm), {"symbols": MATRICES}),
    ("trace_operatorname", r"\operatorname{tr}(A^{-1}B)", sp.Trace(Am.I * Bm), {"symbols": MATRICES}),
    ("trace_text", r"\text{tr}(\Sigma)", sp.Trace(Sig), {"symbols": MATRICES}),
    ("kronecker", r"A \otimes B", sp.KroneckerProduct(Am, Bm), {"symbols": MATRICES}),
    ("inverse", r"(A + B)^{-1}", (Am + Bm).I, {"symbols": MATRICES}),
    ("diag_vector", r"\operatorname{diag}(w)", sp.DiagMatrix(wv), {"symbols": MATRICES}),
    ("diag_numbers", r"\det\operatorname{diag}(a, b)", sp.Determinant(sp.ImmutableMatrix([[a, 0], [0, b]])).doit(), {}),
    ("ols_normal", r"(X^\top X)^{-1}X^\top y", (Xm.T * Xm).I * Xm.T * yn, {"symbols": {"X": Xm, "y": yn}}),
    ("shape_mismatch", r"x^\top A w^\top", Refused(r"^the shapes of the matrices do not fit"), {"symbols": MATRICES}),
    ("trace_not_square", r"\operatorname{tr}(X)", Refused(r"^the trace of a n x d matrix: it must be square$"), {"symbols": {"X": Xm}}),
    # ---- derivatives and gradients ---------------------------------------------------------
    ("partial_frac", r"\frac{\partial}{\partial \mu}\frac{(y-\mu)^2}{2\sigma^2}", -(y - mu) / sigma**2, {}),
    ("partial_frac_body", r"\frac{\partial (y-\hat{y})^2}{\partial \hat{y}}", -2 * (y - yhat), {}),
    ("d_dz_sigmoid", r"\frac{d}{dz}\log(1+e^{-z})", -exp(-z) / (1 + exp(-z)), {}),
    ("d_dx_mathrm", r"\frac{\mathrm{d}}{\mathrm{d}x} x^3", 3 * x**2, {}),
    ("partial_sub", r"\partial_\theta \left(\theta^2 - 2\theta\right)", 2 * theta - 2, {}),
    ("nabla_theta", r"\nabla_{\theta} \frac{1}{2}(y - \theta x)^2", -x * (y - theta * x), {}),
    ("second_derivative", r"\frac{\partial^2}{\partial \mu^2}\left(-\frac{(y-\mu)^2}{2\sigma^2}\right)", -1 / sigma**2, {}),
    ("mixed_partial", r"\frac{\partial^2 (x^2 y)}{\partial x \partial y}", 2 * x, {}),
    ("score_poisson", r"\frac{\partial}{\partial \lambda}\left(y\log\lambda - \lambda\right) = 0",
     Rel("=", y / lam - 1, 0), {}),
    ("d_label", r"\frac{\partial \mathcal{L}}{\partial w}", sp.Derivative(F("mathcal{L}")(w), w), {}),
    ("dy_dx", r"\frac{dy}{dx}", sp.Derivative(F("y")(x), x), {}),
    ("d_of_function", r"\frac{d}{dx} f(x)", sp.Derivative(F("f")(x), x), {}),
    ("gradient_through_subscript", r"\frac{\partial}{\partial\theta}\mathcal{L}(\hat{y}_\theta)",
     Refused(r"^the derivative in theta is 0 as written: the variable appears in neither"), {}),
    ("nabla_bare", r"\nabla f", Refused(r"^\\nabla needs its variable as a subscript: \\nabla_x f"), {}),
    # ---- indicators, roundings -----------------------------------------------------------
    ("indicator_braces", r"\mathbb{1}\{x > 0\}\, x", ind(x > 0) * x, {}),
    ("indicator_paren", r"\mathbb{I}(y \geq 1)", ind(y >= 1), {}),
    ("indicator_chain", r"\mathbb{1}[0 < x \le 1]", ind(sp.And(0 < x, x <= 1)), {}),
    ("indicator_and", r"\mathbb{1}[x \ge 0 \wedge y \ge 0]", ind(sp.And(x >= 0, y >= 0)), {}),
    ("relu_indicator", r"x\,[x > 0]", x * ind(x > 0), {}),
    ("floor_ceil", r"\lfloor x \rfloor + \lceil x \rceil", sp.floor(x) + sp.ceiling(x), {}),
    ("floor_sized", r"\left\lfloor \frac{n}{2} \right\rfloor", sp.floor(n / 2), {}),
    ("floor_word", r"\operatorname{floor}(x/2) - \operatorname{ceil}(x)", sp.floor(x / 2) - sp.ceiling(x), {}),
    ("erf_cdf", r"\frac{1}{2}\left[1 + \operatorname{erf}\left(\frac{x-\mu}{\sigma\sqrt{2}}\right)\right]",
     (1 + sp.erf((x - mu) / (sigma * sqrt(2)))) / 2, {}),
    ("erfc_tail", r"\frac{1}{2}\mathrm{erfc}(z)", sp.erfc(z) / 2, {}),
    ("indicator_missing", r"\mathbb{1} x", Refused(r"^the indicator \\mathbb\{1\} needs its condition: write \\mathbb\{1\}\[y = 0\]"), {}),
    ("iverson_no_relation", r"[x]", x, {}),
    # ---- functions by cases ------------------------------------------------------------------
    ("relu_cases", r"\operatorname{ReLU}(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
     Rel("=", F("ReLU")(x), sp.Piecewise((x, x > 0), (0, True))), {}),
    ("abs_cases", r"|x| = \begin{cases} x, & \text{if } x \ge 0, \\ -x, & \text{if } x < 0. \end{cases}",
     Rel("=", sp.Abs(x), sp.Piecewise((x, x >= 0), (-x, x < 0))), {}),
    ("hinge_cases", r"\begin{cases} 0 & \text{if } y\hat{y} \geq 1 \\ 1 - y\hat{y} & \text{otherwise} \end{cases}",
     sp.Piecewise((0, y * yhat >= 1), (1 - y * yhat, True)), {}),
    ("zip_cases", r"P(Y=y) = \begin{cases} \pi + (1-\pi)e^{-\lambda} & y = 0 \\ (1-\pi)\frac{\lambda^y e^{-\lambda}}{y!} & y \ge 1 \end{cases}",
     Refused(r"^\\pi is the constant 3\.14159\.\.\. but 1 - \\pi reads as a probability"), {}),
    ("cases_for", r"f(y) = \begin{cases} \lambda e^{-\lambda y} & \text{for } y \ge 0 \\ 0 & \text{else} \end{cases}",
     Rel("=", F("f")(y), sp.Piecewise((lam * exp(-lam * y), y >= 0), (0, True))), {}),
    ("cases_after_otherwise", r"\begin{cases} 1 & \text{otherwise} \\ 0 & x > 0 \end{cases}",
     Refused(r"^a row after the 'otherwise' row of cases"), {}),
    ("cases_prose", r"\begin{cases} 1 & \text{when it rains} \end{cases}",
     Refused(r"^cannot read the condition \\text\{when it rains\} in cases"), {}),
    # ---- subscripts and indices -------------------------------------------------------------
    ("two_letters", r"\sum_{i=1}^{n}\sum_{j=1}^{m} w_{ij}x_{ij}",
     sp.Sum(W[i, j] * X[i, j], (j, 1, size("m")), (i, 1, n)), {}),
    ("comma_pair", r"\sum_{i=1}^{n}\sum_{j=1}^{m} x_{i,j}", sp.Sum(X[i, j], (j, 1, size("m")), (i, 1, n)), {}),
    ("digit_letter", r"\sum_{i=1}^{n}\alpha_{2i}", sp.Sum(A_[2, i], (i, 1, n)), {}),
    ("shifted", r"\sum_{t=1}^{T-1}(x_{t+1} - x_t)^2", sp.Sum((X[t + 1] - X[t]) ** 2, (t, 1, T - 1)), {}),
    ("superscript_index", r"\frac{1}{m}\sum_{i=1}^{m}\left(h(x^{(i)}) - y^{(i)}\right)^2",
     sp.Sum((F("h")(X[i]) - Y[i]) ** 2, (i, 1, size("m"))) / size("m"), {}),
    ("nested_bound", r"\sum_{i=1}^{n}\sum_{j=1}^{i} 1", sp.Sum(1, (j, 1, i), (i, 1, n)), {}),
    ("element_and_sum", r"y_1 + \sum_{i=2}^{n} y_i", Y[1] + sp.Sum(Y[i], (i, 2, n)), {}),
    ("unbounded_pair", r"\sum_{i}\sum_{k} y_{ik}\log\hat{y}_{ik}",
     sp.Sum(Y[i, k] * log(YH[i, k]), (k, 1, NB("y:2,yhat:2")), (i, 1, NB("y,yhat"))), {}),
    ("sum_over_set", r"\sum_{c \in \mathcal{C}} p_c", sp.Sum(P[index("c")], (index("c"), 1, size("N_{C}"))), {}),
    ("kronecker_delta", r"\sum_{k=1}^{K}\delta_{ky}\log q_k", sp.Sum(sp.KroneckerDelta(k, index("y")) * log(Q[k]), (k, 1, K)), {}),
    ("word_subscript", r"\frac{1}{n}\sum_{i=1}^{n}\frac{x_i - x_{min}}{x_{max} - x_{min}}",
     sp.Sum((X[i] - S("x_min")) / (S("x_max") - S("x_min")), (i, 1, n)) / n, {}),
    ("three_indices", r"\sum_{i=1}^{n}\sum_{j=1}^{m}\sum_{k=1}^{K} w_{ijk}",
     sp.Sum(W[i, j, k], (k, 1, K), (j, 1, size("m")), (i, 1, n)), {}),
    ("braced_base", r"\sum_{k=1}^{K}{\mu_{p}}_{k}", sp.Sum(indexed_base("mu_p")[k], (k, 1, K)), {}),
    ("star_index", r"-\log q_{k^*} + \lambda^*", -log(S("q_k^*")) + S("lambda^*"), {}),
    # ---- displays, chains, layout ---------------------------------------------------------------
    ("align_chain", r"\begin{align} \mathcal{L}(\theta) &= -\log\prod_{i=1}^{n} p^{y_i}(1-p)^{1-y_i} \nonumber\\ "
                    r"&= -\sum_{i=1}^{n}\left[y_i\log p + (1-y_i)\log(1-p)\right]. \label{eq:bce} \end{align}",
     Chain(((None, F("mathcal{L}")(theta)), ("=", -log(sp.Product(p ** Y[i] * (1 - p) ** (1 - Y[i]), (i, 1, n)))),
            ("=", -sp.Sum(Y[i] * log(p) + (1 - Y[i]) * log(1 - p), (i, 1, n))))), {}),
    ("aligned_chain", r"\begin{aligned} -\log p(y) &= -\log\left(\lambda^y e^{-\lambda}/y!\right) \\ &= \lambda - y\log\lambda + \log y! \end{aligned}",
     Chain(((None, -log(F("p")(y))), ("=", -log(lam**y * exp(-lam) / sp.factorial(y))),
            ("=", lam - y * log(lam) + log(sp.factorial(y))))), {}),
    ("split_chain", r"\begin{equation}\begin{split} J &= (y - w x)^2 \\ &= y^2 - 2 w x y + w^2 x^2, \end{split}\end{equation}",
     Chain(((None, S("J")), ("=", (y - w * x) ** 2), ("=", y**2 - 2 * w * x * y + w**2 * x**2))), {}),
    ("chain_approx", r"\mathrm{CE} = -\log\hat{y}_c \approx 0.105",
     Chain(((None, S("CE")), ("=", -log(S("yhat_c"))), ("approx", sp.Rational("0.105")))), {}),
    ("continued_line", r"\begin{align*} L &= (y-\hat y)^2 \\ &\quad + \lambda w^2 \end{align*}",
     Rel("=", S("L"), (y - yhat) ** 2 + lam * w**2), {}),
    ("two_equations", r"\begin{gather} a = b \\ c = d \end{gather}",
     Refused(r"^a line break '\\\\' between two expressions: a multi-line display must continue a chain"), {}),
    ("display_dollars_punct", r"$$ \frac{1}{2}\|w\|^2 + C\sum_{i=1}^{n}\xi_i, $$",
     F("norm")(w) ** 2 / 2 + S("C") * sp.Sum(indexed_base("xi")[i], (i, 1, n)), {}),
    ("prose_note", r"\mathrm{NLL} = -\log p \qquad \text{(one example)}", Rel("=", S("NLL"), -log(p)), {}),
    # ---- the function rule ------------------------------------------------------------------
    ("psi_digamma", r"\psi(a_1) - \psi(a_1 + a_2)", sp.digamma(S("a_1")) - sp.digamma(S("a_1") + S("a_2")), {}),
    ("gamma_known", r"\log\Gamma(a)", log(sp.gamma(a)), {}),
    ("sigma_call", r"\sigma(w x + b)", F("sigma")(w * x + b), {}),
    ("sigma_power_product", r"\sigma^2(1-\rho^2)", sigma**2 * (1 - rho**2), {}),
    ("greek_product", r"\lambda(y - \mu) + \eta(1 - \eta)", lam * (y - mu) + eta * (1 - eta), {}),
    ("declared_function", r"g(\eta + 1)", F("g")(eta + 1), {"functions": {"g"}}),
    ("declared_symbol", r"f(x + 1)", S("f") * (x + 1), {"symbols": {"f": S("f")}}),
    ("declared_with_meaning", r"\delta(x - a)", sp.DiracDelta(x - a), {"functions": {"delta": sp.DiracDelta}}),
    ("head_arglist", r"p(y \mid x, \theta)", F("p")(y, x, theta), {}),
    ("head_compound", r"g(w x + b)",
     Refused(r"^'g\(\.\.\.\)' is ambiguous \(a function value or a product\): declare the function "
             r"\(parse_latex\(\.\.\., functions=\{'g'\}\)\) or write the product as g \\cdot \(\.\.\.\)$"), {}),
    ("name_one_symbol", r"c(\theta)", Refused(r"^'c\(\.\.\.\)' is ambiguous \(a function value or a product\)"), {}),
    ("inverse_function", r"g^{-1}(\eta)", Refused(r"^a superscript on the function g\^\{-1\} before \(\.\.\.\) is ambiguous"), {}),
    ("inverse_cdf", r"\Phi^{-1}(u)", Refused(r"^a superscript on the function \\Phi\^\{-1\} before \(\.\.\.\) is ambiguous"), {}),
    ("pi_prior", r"\pi(\theta) \propto 1", Refused(r"^'\\pi' followed by \(\.\.\.\) is ambiguous"), {}),
    ("known_arity", r"\mathrm{B}(a)", Refused(r"^\\mathrm\{B\} takes 2 arguments$"), {}),
    ("digamma_two_args", r"\psi(a, b)", Refused(r"^\\psi takes 1 argument$"), {}),
    ("unknown_command", r"\KL(p, q)", Refused(r"^unknown command \\KL"), {}),
    ("ellipsis", r"x_1 + \dots + x_n", Refused(r"^ellipses are not supported: write the sum with \\sum$"), {}),
    ("sim_statement", r"y \sim \mathcal{N}(\mu, \sigma^2)", Refused(r"^'\\sim' is only understood in a subscript of \\mathbb\{E\}"), {}),
    ("argmin", r"\arg\min_\theta L(\theta)", Refused(r"^unknown command \\arg"), {}),
    ("softmax_no_component", r"\operatorname{softmax}(z)", Refused(r"^softmax needs a component: write \\operatorname\{softmax\}\(z\)_k"), {}),
    ("conditional_and_joint", r"H(Y \mid X) = -\sum_{x}\sum_{y} p(x, y)\log p(y \mid x)",
     Refused(r"^p\(\.\.\. \| \.\.\.\) and p\(\.\.\., \.\.\.\) in one formula would read as the same function"), {}),
    ("conditional_named_apart", r"-\sum_{x}\sum_{y} p(x, y)\log p_{Y|X}(y, x)",
     -sp.Sum(F("p")(index("x"), index("y")) * log(F("p_{Y|X}")(index("y"), index("x"))),
             (index("y"), 1, NB("p:2,p_{Y|X}")), (index("x"), 1, NB("p,p_{Y|X}:2"))), {}),
    ("beta_fn_expressions", r"\log\left(\sqrt{\nu}\,B\left(\frac{\nu}{2},\frac{1}{2}\right)\right)",
     log(sqrt(nu) * F("B")(nu / 2, half)), {}),
    ("trace_undeclared", r"\mathrm{tr}(\Sigma_2^{-1}\Sigma_1)",
     Refused(r"^the trace of Sigma_1/Sigma_2, which is not a matrix: give the matrices in symbols="), {}),
    ("det_undeclared", r"\log\det\Sigma", Refused(r"^the determinant of Sigma, which is not a matrix"), {}),
    ("log_power_then_factor", r"\frac{1}{2}\log(2\pi e)^n|\Sigma|",
     Refused(r"^ambiguous power after \\log\(\.\.\.\): does \\log take what follows\? write "), {}),
    ("entropy_mvn_braced", r"\frac{1}{2}\log\left((2\pi e)^{d}|\Sigma|\right)",
     log((2 * pi * E) ** dim * sp.Determinant(Sig)) / 2, {"symbols": {"Sigma": Sig, "d": dim}}),
    ("differential_entropy_R", r"h(X) = -\int_{\mathbb{R}} f(x) \ln f(x)\, dx",
     Rel("=", F("h")(S("X")), -sp.Integral(F("f")(x) * log(F("f")(x)), (x, -sp.oo, sp.oo))), {}),
    ("kde_kernel", r"\frac{1}{nh}\sum_{i=1}^{n} K\left(\frac{x - x_i}{h}\right)",
     Refused(r"^'K\(\.\.\.\)' is ambiguous \(a function value or a product\): declare the function"), {}),
    ("kde_kernel_declared", r"\frac{1}{nh}\sum_{i=1}^{n} K\left(\frac{x - x_i}{h}\right)",
     sp.Sum(F("K")((x - X[i]) / S("h")), (i, 1, n)) / (n * S("h")), {"functions": {"K"}}),
    ("kernel_subscript_not_bessel", r"K_h(x - x_i)", Refused(r"^'K_h\(\.\.\.\)' is ambiguous"), {}),
    ("cdf_F", r"F\left(\frac{x-\mu}{\sigma}\right)", Refused(r"^'F\(\.\.\.\)' is ambiguous"), {}),
    ("psi_parameter", r"\psi(1-\psi)", Refused(r"^'\\psi\(\.\.\.\)' is ambiguous"), {}),
    ("bessel_half", r"I_{1/2}(x)", sp.besseli(half, x), {}),
    ("sizes_product", r"\frac{K(K-1)}{2}", K * (K - 1) / 2, {}),
    ("choose_missing", r"{n \choose}", Refused(r"^\\choose needs its lower entry: \{n \\choose k\}$"), {}),
]
