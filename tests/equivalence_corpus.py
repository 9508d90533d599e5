"""Equivalence corpus: textbook variants of the same formula, with the verdict per mode, and
for each true pair, mutants that a careful reader rejects.

Sources of the variants: the seed lesson and blog post (MSE, BCE, CE as NLLs; entropy in
bits), Bishop PRML 1.2.4/4.3.2 (Gaussian NLL, logistic NLL), Murphy PML 4.2 and 5.1 (KL of
Gaussians, Bernoulli entropy), Goodfellow et al. 5.5 and 6.2 (cross-entropy, MSE as Gaussian
NLL, softplus form of the logistic loss), Kingma & Welling 2014 app. B (the VAE KL term),
Huber 1964, Koenker & Bassett 1978 (pinball), Lin et al. 2017 (focal), and the PyTorch and
scikit-learn documentation of their losses.

Each :class:`Pair` states whether ``a`` and ``b`` are equivalent in each mode w.r.t.
``params``, under ``assume`` (the domains the textbook takes for granted: sigma > 0, a
probability in (0, 1); without them every variable is real).  Pairs without params are checked in ``exact`` mode only.  A mutant replaces
``b``; it must never be judged equivalent in a mode where the original pair is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

MODES = ("exact", "constant", "affine")


@dataclass(frozen=True)
class Pair:
    id: str
    a: str
    b: str
    params: tuple[str, ...] = ()
    exact: bool = True
    constant: bool | None = None  # None: same as exact
    affine: bool | None = None  # None: same as constant
    mutants: tuple[str | tuple[str, str], ...] = ()
    assume: str | dict = ""  #: the textbook's domains, as ``equivalent(..., assume=...)`` reads them

    def mutant_cases(self) -> list[tuple[str, str]]:
        """(mutant, mode) for every mode in which the mutant must not be judged equivalent.

        A plain string must fail in every mode where the pair holds; ``(latex, "exact")`` marks a
        mutant that is legitimately equivalent in weaker modes (a changed log base is a positive
        factor, a missing constant is a constant): it must fail in that mode and stronger ones.
        """
        cases = []
        for mutant in self.mutants:
            text, weakest = (mutant, "affine") if isinstance(mutant, str) else mutant
            for mode in self.modes[: MODES.index(weakest) + 1]:
                if self.expected(mode):
                    cases.append((text, mode))
        return cases

    def expected(self, mode: str) -> bool:
        constant = self.exact if self.constant is None else self.constant
        affine = constant if self.affine is None else self.affine
        return {"exact": self.exact, "constant": constant, "affine": affine}[mode]

    @property
    def modes(self) -> tuple[str, ...]:
        return MODES if self.params else ("exact",)


BCE = r"-y\log\hat{y} - (1-y)\log(1-\hat{y})"
BCE_P = r"-y\log p - (1-y)\log(1-p)"
GAUSS_NLL = r"\frac{1}{2}\log(2\pi\sigma^2) + \frac{(y-\mu)^2}{2\sigma^2}"
MSE = r"\frac{1}{n}\sum_{i=1}^{n}(y_i - \hat{y}_i)^2"
KL_GAUSS = r"\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac{1}{2}"

PAIRS: tuple[Pair, ...] = (
    # ---------------------------------------------------------------- exactly equal
    Pair("bce_brackets", r"-\left[y \log \hat{y} + (1-y)\log(1-\hat{y})\right]", BCE, ("yhat",),
         mutants=(r"-\hat{y}\log y - (1-\hat{y})\log(1-y)",  # y and yhat swapped
                  r"y\log\hat{y} + (1-y)\log(1-\hat{y})",  # sign flipped
                  r"-y\log(1-\hat{y}) - (1-y)\log\hat{y}",  # yhat for 1 - yhat
                  (r"-y\log_2\hat{y} - (1-y)\log_2(1-\hat{y})", "exact"))),  # base changed
    Pair("bce_ln", r"-(y\ln p + (1-y)\ln(1-p))", BCE_P, ("p",),
         mutants=(r"-y\log(1-p) - (1-y)\log p", r"-y\log p - y\log(1-p)")),
    Pair("bce_reciprocal", BCE_P, r"y\log\frac{1}{p} + (1-y)\log\frac{1}{1-p}", ("p",),
         mutants=(r"y\log\frac{1}{p} + (1-y)\log(1-p)", r"y\log\frac{1}{p} + y\log\frac{1}{1-p}")),
    Pair("bce_logits_softplus",
         r"-y\log\frac{1}{1+e^{-z}} - (1-y)\log\left(1-\frac{1}{1+e^{-z}}\right)",
         r"\log(1+e^{z}) - yz", ("z",),
         mutants=(r"\log(1+e^{z}) + yz", r"\log(1+e^{-z}) - yz", r"\log(1+e^{z}) - z")),
    Pair("bce_logits_two_forms", r"\log(1+e^{z}) - yz", r"(1-y)z + \log(1+e^{-z})", ("z",),
         mutants=(r"(1-y)z + \log(1+e^{z})", r"yz + \log(1+e^{-z})")),
    Pair("bce_mean_renamed",
         r"-\frac{1}{N}\sum_{i=1}^{N}\left[y_i\log(p_i) + (1-y_i)\log(1-p_i)\right]",
         r"\frac{1}{N}\sum_{j=1}^{N}\left[-y_j\log p_j - (1-y_j)\log(1-p_j)\right]", ("p",),
         mutants=(r"\frac{1}{N}\sum_{j=1}^{N}\left[-y_j\log p_j + (1-y_j)\log(1-p_j)\right]",
                  (r"\sum_{j=1}^{N}\left[-y_j\log p_j - (1-y_j)\log(1-p_j)\right]", "exact"))),
    Pair("sq_half_order", r"\frac{1}{2}(y-\hat{y})^2", r"\tfrac12(\hat{y}-y)^2", ("yhat",),
         mutants=((r"(\hat{y}-y)^2", "exact"), r"\frac{1}{2}(\hat{y}+y)^2", r"\frac{1}{2}(y^2-\hat{y}^2)")),
    Pair("sq_expanded", r"(y-\hat{y})^2", r"y^2 - 2y\hat{y} + \hat{y}^2", ("yhat",),
         mutants=(r"y^2 + 2y\hat{y} + \hat{y}^2", r"y^2 - y\hat{y} + \hat{y}^2")),
    Pair("mse_renamed_index", MSE, r"\frac{1}{n}\sum_{j=1}^{n}(\hat{y}_j - y_j)^2", ("yhat",),
         mutants=(r"\frac{1}{n}\sum_{j=1}^{n}(\hat{y} - y_j)^2",  # index dropped
                  (r"\frac{1}{2n}\sum_{j=1}^{n}(\hat{y}_j - y_j)^2", "exact"))),  # 1/2 added
    Pair("mse_divide_inside", MSE, r"\sum_{i=1}^{n}\frac{(y_i-\hat{y}_i)^2}{n}", ("yhat",),
         mutants=(r"\sum_{i=1}^{n}\frac{(y_i-\hat{y}_i)^2}{i}",)),
    Pair("mse_dfrac_left_right", MSE, r"\dfrac{1}{n}\sum\limits_{i=1}^{n}\left(y_{i}-\hat{y}_{i}\right)^{2}", ("yhat",),
         mutants=(r"\dfrac{1}{n}\sum\limits_{i=1}^{n}\left(y_{i}-\hat{y}_{i}\right)^{3}",)),
    Pair("rmse_sqrt_power", r"\sqrt{\frac{1}{n}\sum_{i=1}^{n}(y_i-\hat{y}_i)^2}",
         r"\left(\frac{1}{n}\sum_{i=1}^{n}(\hat{y}_i-y_i)^2\right)^{1/2}", ("yhat",),
         mutants=(r"\frac{1}{n}\sum_{i=1}^{n}(\hat{y}_i-y_i)^2",)),
    Pair("mae_bars", r"\frac{1}{n}\sum_{i=1}^{n}\left|y_i - \hat{y}_i\right|",
         r"\frac{1}{n}\sum_{i=1}^{n}\lvert \hat{y}_i - y_i\rvert", ("yhat",),
         mutants=(r"\frac{1}{n}\sum_{i=1}^{n}(\hat{y}_i - y_i)", r"\left|\frac{1}{n}\sum_{i=1}^{n}(\hat{y}_i - y_i)\right|")),
    Pair("gauss_nll_split_log", GAUSS_NLL,
         r"\log\sigma + \frac{1}{2}\log(2\pi) + \frac{(y-\mu)^2}{2\sigma^2}", ("mu",),
         mutants=((r"\log(2\pi\sigma^2) + \frac{(y-\mu)^2}{2\sigma^2}", "exact"),  # missing 1/2
                  (r"\log\sigma + \frac{1}{2}\log(2\pi) + \frac{(y-\mu)^2}{\sigma^2}", "constant"),
                  r"\log\sigma + \frac{1}{2}\log(2\pi) + \frac{(y+\mu)^2}{2\sigma^2}")),
    Pair("gauss_neglog_density",
         r"-\log\left(\frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{(y-\mu)^2}{2\sigma^2}}\right)", GAUSS_NLL, ("mu",),
         mutants=((r"\frac{1}{2}\log(2\pi\sigma) + \frac{(y-\mu)^2}{2\sigma^2}", "exact"),
                  r"\frac{1}{2}\log(2\pi\sigma^2) - \frac{(y-\mu)^2}{2\sigma^2}")),
    Pair("gauss_pdf_forms", r"\frac{1}{\sqrt{2\pi\sigma^2}}\exp\left(-\frac{(y-\mu)^2}{2\sigma^2}\right)",
         r"\frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{1}{2}\left(\frac{y-\mu}{\sigma}\right)^2}", ("mu",),
         mutants=(r"\frac{1}{\sigma\sqrt{2\pi}} e^{-\left(\frac{y-\mu}{\sigma}\right)^2}",
                  r"\frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{1}{2}\left(\frac{y+\mu}{\sigma}\right)^2}",
                  (r"\frac{1}{\sqrt{2\pi}} e^{-\frac{1}{2}\left(\frac{y-\mu}{\sigma}\right)^2}", "constant"))),
    Pair("poisson_neglog", r"-\log\frac{\lambda^y e^{-\lambda}}{y!}", r"\lambda - y\log\lambda + \log y!", ("lambda",),
         mutants=(r"\lambda + y\log\lambda + \log y!", (r"\lambda - y\log\lambda - \log y!", "exact"),
                  r"y - \lambda\log y + \log \lambda!")),
    Pair("poisson_log_rate", r"e^{z} - yz", r"\exp(z) - y z", ("z",),
         mutants=(r"e^{-z} - yz", r"e^{z} - y e^{z}")),
    Pair("geometric_neglog", r"-\log p - y\log(1-p)", r"-\log\left(p(1-p)^{y}\right)", ("p",),
         mutants=(r"-\log\left((1-p)p^{y}\right)", r"-\log\left(p(1-p)^{y-1}\right)")),
    Pair("binomial_neglog", r"-y\log p - (N-y)\log(1-p)", r"-\log\left(p^{y}(1-p)^{N-y}\right)", ("p",),
         mutants=(r"-\log\left(p^{y}(1-p)^{N}\right)", r"-\log\left(p^{N-y}(1-p)^{y}\right)")),
    Pair("exponential_neglog", r"\frac{y}{\mu} + \log\mu", r"-\log\left(\frac{1}{\mu}e^{-y/\mu}\right)", ("mu",),
         mutants=(r"-\log\left(\mu e^{-y/\mu}\right)", r"-\log\left(\frac{1}{\mu}e^{-y\mu}\right)")),
    Pair("laplace_nll", r"\frac{|y-\mu|}{b} + \log(2b)", r"\log 2 + \log b + \frac{|\mu - y|}{b}", ("mu",),
         mutants=(r"\log 2 + \log b + \frac{(\mu - y)^2}{b}", (r"\log 2 + \log b + b|\mu - y|", "constant"))),
    Pair("cauchy_log", r"\log\left(1 + \frac{(y-\mu)^2}{\gamma^2}\right)",
         r"\log(\gamma^2 + (y-\mu)^2) - 2\log\gamma", ("mu",),
         mutants=((r"\log(\gamma^2 + (y-\mu)^2) - \log\gamma", "exact"),
                  (r"\log(\gamma^2 + (y-\mu)^2) + 2\log\gamma", "exact"),
                  r"\log(\gamma^2 - (y-\mu)^2) - 2\log\gamma")),
    Pair("logcosh_exp", r"\log\cosh(y-\hat{y})", r"\log\frac{e^{y-\hat{y}} + e^{\hat{y}-y}}{2}", ("yhat",),
         mutants=(r"\log\frac{e^{y-\hat{y}} - e^{\hat{y}-y}}{2}", (r"\log(e^{y-\hat{y}} + e^{\hat{y}-y})", "exact"))),
    Pair("huber_linear_branch", r"\delta\left(|y-\hat{y}| - \tfrac{1}{2}\delta\right)",
         r"\delta|y-\hat{y}| - \frac{\delta^2}{2}", ("yhat",),
         mutants=((r"\delta|y-\hat{y}| - \delta^2", "exact"), (r"\delta|y-\hat{y}| - \frac{\delta}{2}", "exact"),
                  r"\delta\left(|y+\hat{y}| - \tfrac{1}{2}\delta\right)")),
    Pair("hinge_order", r"\max(0, 1 - y\cdot\hat{y})", r"\max(1 - y\hat{y}, 0)", ("yhat",),
         mutants=(r"\max(0, 1 + y\hat{y})", r"\max(0, -y\hat{y})")),
    Pair("pinball_two_forms", r"\max(\tau(y-\hat{y}), (\tau-1)(y-\hat{y}))",
         r"\tau\max(y-\hat{y}, 0) + (1-\tau)\max(\hat{y}-y, 0)", ("yhat",),
         mutants=(r"(1-\tau)\max(y-\hat{y}, 0) + \tau\max(\hat{y}-y, 0)",  # tau swapped
                  r"\tau\max(y-\hat{y}, 0) + \tau\max(\hat{y}-y, 0)")),
    Pair("focal_ln", r"-\alpha(1-p_t)^{\gamma}\log(p_t)", r"-\alpha(1-p_t)^\gamma\ln p_t", ("p_t",),
         mutants=(r"-\alpha(1-p_t)^{\gamma}\log(1-p_t)", r"-\alpha p_t^{\gamma}\log(p_t)")),
    Pair("ce_renamed", r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", r"-\sum_{j=1}^{K} y_j\ln\hat{y}_j", ("yhat",),
         mutants=(r"-\sum_{j=1}^{K} \hat{y}_j\ln y_j", (r"-\sum_{j=1}^{K} y_j\log_2\hat{y}_j", "exact"),
                  r"-\sum_{j=1}^{K} y_j\ln\hat{y}")),
    Pair("ce_double_swapped_sums",
         r"-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{K} y_{ik}\log\hat{y}_{ik}",
         r"-\frac{1}{N}\sum_{k=1}^{K}\sum_{i=1}^{N} y_{ik}\log\hat{y}_{ik}", ("yhat",),
         mutants=((r"-\frac{1}{K}\sum_{k=1}^{K}\sum_{i=1}^{N} y_{ik}\log\hat{y}_{ik}", "exact"),
                  r"-\frac{1}{N}\sum_{k=1}^{K}\sum_{i=1}^{N} \hat{y}_{ik}\log y_{ik}")),
    Pair("softmax_exp", r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}", r"\frac{\exp(z_k)}{\sum_{j=1}^{K}\exp(z_j)}",
         mutants=(r"\frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_k}}", r"\frac{e^{-z_k}}{\sum_{j=1}^{K} e^{-z_j}}")),
    Pair("logsumexp_ce", r"-\log\frac{e^{z_c}}{\sum_{j=1}^{K} e^{z_j}}", r"-z_c + \log\sum_{j=1}^{K} e^{z_j}",
         mutants=(r"z_c - \log\sum_{j=1}^{K} e^{z_j}", r"-z_c + \sum_{j=1}^{K} z_j")),
    Pair("sigmoid_forms", r"\frac{1}{1+e^{-z}}", r"\frac{e^{z}}{1+e^{z}}",
         mutants=(r"\frac{1}{1+e^{z}}", r"\frac{e^{z}}{1+e^{-z}}")),
    Pair("entropy_bits_nats", r"-p\log_2 p - (1-p)\log_2(1-p)", r"\frac{-p\ln p - (1-p)\ln(1-p)}{\ln 2}",
         mutants=(r"-p\ln p - (1-p)\ln(1-p)", r"\frac{-p\ln p - (1-p)\ln(1-p)}{\ln 10}")),
    Pair("entropy_reciprocal", r"-\sum_{i=1}^{n} p_i\log_2 p_i", r"\sum_{i=1}^{n} p_i \log_2\frac{1}{p_i}",
         mutants=(r"\sum_{i=1}^{n} p_i \log_2 p_i", r"\sum_{i=1}^{n} \log_2\frac{1}{p_i}")),
    Pair("kl_bernoulli_expanded", r"p\log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}",
         r"p\log p - p\log q + (1-p)\log(1-p) - (1-p)\log(1-q)",
         mutants=(r"p\log q - p\log p + (1-p)\log(1-p) - (1-p)\log(1-q)",
                  r"q\log q - q\log p + (1-q)\log(1-q) - (1-q)\log(1-p)")),  # KL(q||p) != KL(p||q)
    Pair("kl_gauss_forms", KL_GAUSS,
         r"\frac{1}{2}\left(\frac{\sigma_1^2}{\sigma_2^2} + \frac{(\mu_2-\mu_1)^2}{\sigma_2^2} - 1 + \log\frac{\sigma_2^2}{\sigma_1^2}\right)",
         mutants=(r"\log\frac{\sigma_1}{\sigma_2} + \frac{\sigma_1^2 + (\mu_1-\mu_2)^2}{2\sigma_2^2} - \frac{1}{2}",
                  r"\log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_2^2 + (\mu_1-\mu_2)^2}{2\sigma_1^2} - \frac{1}{2}")),
    Pair("vae_kl", r"\frac{1}{2}(\mu^2 + \sigma^2 - 1 - \log\sigma^2)",
         r"-\frac{1}{2}\left(1 + \log\sigma^2 - \mu^2 - \sigma^2\right)", ("mu", "sigma"),
         mutants=(r"\frac{1}{2}(\mu^2 + \sigma^2 - 1 + \log\sigma^2)", r"\frac{1}{2}(\mu^2 + \sigma - 1 - \log\sigma)")),
    Pair("cross_entropy_is_entropy_plus_kl", r"-\sum_{k=1}^{K} p_k\log q_k",
         r"-\sum_{k=1}^{K} p_k\log p_k + \sum_{k=1}^{K} p_k\log\frac{p_k}{q_k}", ("q",),
         mutants=(r"-\sum_{k=1}^{K} p_k\log p_k - \sum_{k=1}^{K} p_k\log\frac{p_k}{q_k}",
                  r"-\sum_{k=1}^{K} q_k\log q_k + \sum_{k=1}^{K} p_k\log\frac{p_k}{q_k}")),
    Pair("weighted_sum_renamed", r"\sum_{d=1}^{D} w_d x_d", r"\sum_{j=1}^{D} x_j w_j",
         mutants=(r"\sum_{j=1}^{D} x_j w", r"\sum_{j=1}^{D} x_j + w_j")),
    # ------------------------------------------------- equal up to a constant (same gradients)
    Pair("gauss_nll_vs_half_squared", r"\frac{(y-\hat{y})^2}{2\sigma^2} + \frac{1}{2}\log(2\pi\sigma^2)",
         r"\frac{(y-\hat{y})^2}{2\sigma^2}", ("yhat",), exact=False, constant=True,
         mutants=((r"\frac{(y-\hat{y})^2}{\sigma^2}", "constant"), r"\frac{(y+\hat{y})^2}{2\sigma^2}")),
    Pair("poisson_full_vs_plain", r"\lambda - y\log\lambda + \log y!", r"\lambda - y\log\lambda", ("lambda",),
         exact=False, constant=True, mutants=(r"\lambda - \log\lambda", r"\lambda + y\log\lambda")),
    Pair("cross_entropy_vs_kl", r"-\sum_{k=1}^{K} p_k\log q_k", r"\sum_{k=1}^{K} p_k\log\frac{p_k}{q_k}", ("q",),
         exact=False, constant=True,
         mutants=(r"\sum_{k=1}^{K} q_k\log\frac{q_k}{p_k}", r"\sum_{k=1}^{K} p_k\log\frac{q_k}{p_k}")),
    Pair("bce_vs_bernoulli_kl", BCE_P, r"y\log\frac{y}{p} + (1-y)\log\frac{1-y}{1-p}", ("p",),
         exact=False, constant=True,
         mutants=(r"p\log\frac{p}{y} + (1-p)\log\frac{1-p}{1-y}",)),
    Pair("squared_plus_penalty", r"(y-\hat{y})^2 + \lambda\|w\|^2", r"(y-\hat{y})^2", ("yhat",),
         exact=False, constant=True,
         mutants=(r"(y-\hat{y})^2 + \lambda\hat{y}^2",)),
    Pair("ce_logits_vs_logsumexp", r"-\log\frac{e^{z_c}}{\sum_{j=1}^{K} e^{z_j}} + \log K",
         r"-z_c + \log\sum_{j=1}^{K} e^{z_j}", ("z",), exact=False, constant=True,
         mutants=(r"-z_c + \sum_{j=1}^{K} e^{z_j}",)),
    # ------------------------------------------- equal up to a positive affine map (same minimisers)
    Pair("gauss_nll_vs_squared", r"\frac{(y-\hat{y})^2}{2\sigma^2} + \log\sigma", r"(y-\hat{y})^2", ("yhat",),
         exact=False, constant=False, affine=True,
         mutants=(r"-(y-\hat{y})^2", r"|y-\hat{y}|")),
    Pair("mean_vs_sum", MSE, r"\sum_{i=1}^{n}(y_i-\hat{y}_i)^2", ("yhat",), exact=False, constant=False,
         affine=True, mutants=(r"-\sum_{i=1}^{n}(y_i-\hat{y}_i)^2", r"\sum_{i=1}^{n}(y_i-\hat{y}_i)^4")),
    Pair("ce_bits_vs_nats", r"-\sum_{k=1}^{K} y_k\log_2\hat{y}_k", r"-\sum_{k=1}^{K} y_k\ln\hat{y}_k", ("yhat",),
         exact=False, constant=False, affine=True,
         mutants=(r"\sum_{k=1}^{K} y_k\ln\hat{y}_k", r"-\sum_{k=1}^{K} \hat{y}_k\ln y_k")),
    Pair("laplace_vs_absolute", r"\frac{|y-\hat{y}|}{b} + \log(2b)", r"|y-\hat{y}|", ("yhat",),
         exact=False, constant=False, affine=True, mutants=(r"(y-\hat{y})^2", r"-|y-\hat{y}|")),
    Pair("student_t_vs_log", r"\frac{\nu+1}{2}\log\left(1+\frac{(y-\mu)^2}{\nu s^2}\right)",
         r"\log\left(1 + \frac{(y-\mu)^2}{\nu s^2}\right)", ("mu",), exact=False, constant=False, affine=True,
         mutants=(r"\log\left(1 + \frac{(y+\mu)^2}{\nu s^2}\right)", r"\frac{(y-\mu)^2}{\nu s^2}")),
    Pair("gamma_shape_scaled", r"\alpha\left(\frac{y}{\mu} + \log\mu\right)", r"\frac{y}{\mu} + \log\mu", ("mu",),
         exact=False, constant=False, affine=True,
         mutants=(r"\frac{\mu}{y} + \log\mu", r"\frac{y}{\mu} - \log\mu")),
    Pair("von_mises_vs_cosine", r"-\kappa\cos(y-\mu)", r"1 - \cos(y-\mu)", ("mu",),
         exact=False, constant=False, affine=True,
         mutants=(r"1 + \cos(y-\mu)", r"1 - \sin(y-\mu)")),
    Pair("half_vs_full_squared", r"\frac{1}{2}(y-\hat{y})^2", r"(y-\hat{y})^2", ("yhat",),
         exact=False, constant=False, affine=True, mutants=(r"(y-\hat{y})^3",)),
    # --------------------------------------------------------- not equivalent in any mode
    Pair("negative_scale", r"-(y-\hat{y})^2", r"(y-\hat{y})^2", ("yhat",), exact=False, constant=False, affine=False),
    Pair("unknown_sign_scale", r"w(y-\hat{y})^2", r"(y-\hat{y})^2", ("yhat",), exact=False, constant=False,
         affine=False),
    Pair("squared_vs_absolute", r"(y-\hat{y})^2", r"|y-\hat{y}|", ("yhat",), exact=False, constant=False,
         affine=False),
    Pair("bce_vs_squared", BCE_P, r"(y-p)^2", ("p",), exact=False, constant=False, affine=False),
)

# Second batch: more densities written out (Bishop 2.3-2.4, Murphy PML 2.2-2.7), the
# identities of the logistic and softmax families (Goodfellow et al. 3.10, 6.2.2), divergences
# between members of one family (Murphy PML 6.2), deviances (McCullagh & Nelder 2.3; the
# scikit-learn user guide, "Mean Poisson, Gamma, and Tweedie deviances"), label smoothing
# (Szegedy et al. 2016) and the PyTorch docs of poisson_nll_loss and cross_entropy.
PAIRS += (
    # ---------------------------------------------------------------- exactly equal
    Pair("gamma_rate_neglog", r"-\log\left(\frac{\beta^{\alpha}}{\Gamma(\alpha)} y^{\alpha-1} e^{-\beta y}\right)",
         r"\log\Gamma(\alpha) - \alpha\log\beta - (\alpha-1)\log y + \beta y", ("beta",),
         mutants=(r"\log\Gamma(\alpha) + \alpha\log\beta - (\alpha-1)\log y + \beta y",
                  r"\log\Gamma(\alpha) - \alpha\log\beta - (\alpha-1)\log y + \frac{y}{\beta}")),
    Pair("exponential_rate_neglog", r"-\log\left(\lambda e^{-\lambda y}\right)", r"\lambda y - \log\lambda",
         ("lambda",), mutants=(r"\lambda y + \log\lambda", r"\frac{y}{\lambda} - \log\lambda")),
    Pair("lognormal_neglog",
         r"-\log\left(\frac{1}{y s\sqrt{2\pi}}\exp\left(-\frac{(\log y - m)^2}{2s^2}\right)\right)",
         r"\log y + \log s + \frac{1}{2}\log(2\pi) + \frac{(\log y - m)^2}{2s^2}", ("m",),
         mutants=(r"\log y + \log s + \frac{1}{2}\log(2\pi) + \frac{(\log y + m)^2}{2s^2}",
                  (r"\log s + \frac{1}{2}\log(2\pi) + \frac{(\log y - m)^2}{2s^2}", "exact"))),
    Pair("inverse_gaussian_expanded", r"\frac{\lambda(y-\mu)^2}{2\mu^2 y}",
         r"\frac{\lambda}{2}\left(\frac{y}{\mu^2} - \frac{2}{\mu} + \frac{1}{y}\right)", ("mu",),
         mutants=(r"\frac{\lambda}{2}\left(\frac{y}{\mu^2} + \frac{2}{\mu} + \frac{1}{y}\right)",
                  r"\frac{\lambda(y-\mu)^2}{2\mu y}")),
    Pair("softplus_shift", r"\log(1+e^{z})", r"z + \log(1+e^{-z})", ("z",),
         mutants=(r"z - \log(1+e^{-z})", r"-z + \log(1+e^{-z})")),
    Pair("sigmoid_complement", r"1 - \frac{1}{1+e^{-z}}", r"\frac{1}{1+e^{z}}", ("z",),
         mutants=(r"\frac{1}{1+e^{-z}}", r"\frac{e^{z}}{1+e^{z}}")),
    Pair("tanh_via_sigmoid", r"\tanh(z)", r"\frac{2}{1+e^{-2z}} - 1", ("z",),
         # sigma(2z) - 1 is tanh(z) halved and shifted: affine-equivalent, not equal
         mutants=(r"\frac{2}{1+e^{-z}} - 1", (r"\frac{1}{1+e^{-2z}} - 1", "constant"))),
    Pair("log_sigmoid", r"\log\sigma(z)", r"-\log(1+e^{-z})", ("z",),
         mutants=(r"-\log(1+e^{z})", r"\log(1+e^{-z})")),
    Pair("bce_sigma_softplus", r"-y\log\sigma(z) - (1-y)\log(1-\sigma(z))", r"\log(1+e^{z}) - yz", ("z",),
         mutants=(r"\log(1+e^{z}) + yz", r"\log(1+e^{-z}) - yz")),
    Pair("sse_expanded_sums", r"\sum_{i=1}^{n}(y_i-\hat{y}_i)^2",
         r"\sum_{i=1}^{n} y_i^2 - 2\sum_{i=1}^{n} y_i\hat{y}_i + \sum_{i=1}^{n}\hat{y}_i^2", ("yhat",),
         mutants=(r"\sum_{i=1}^{n} y_i^2 + 2\sum_{i=1}^{n} y_i\hat{y}_i + \sum_{i=1}^{n}\hat{y}_i^2",
                  r"\sum_{i=1}^{n} y_i^2 - 2\sum_{i=1}^{n} y_i\hat{y}_i + \sum_{i=1}^{n}\hat{y}_i")),
    Pair("focal_gamma_zero", r"-(1-p)^{0}\log p", r"-\log p", ("p",),
         mutants=(r"-(1-p)\log p", r"-\log(1-p)")),
    Pair("logcosh_stable", r"\log\cosh(y-\hat{y})", r"(y-\hat{y}) + \log\left(1+e^{-2(y-\hat{y})}\right) - \log 2",
         ("yhat",), mutants=((r"(y-\hat{y}) + \log\left(1+e^{-2(y-\hat{y})}\right) + \log 2", "exact"),
                             r"(y-\hat{y}) + \log\left(1+e^{-(y-\hat{y})}\right) - \log 2")),
    Pair("binary_entropy_bits", r"-p\log_2 p - (1-p)\log_2(1-p)", r"\frac{-p\ln p - (1-p)\ln(1-p)}{\ln 2}", ("p",),
         mutants=(r"-p\log_2 p - (1-p)\log_2 p", (r"-p\ln p - (1-p)\ln(1-p)", "exact"))),
    Pair("kl_poisson", r"\lambda_1\log\frac{\lambda_1}{\lambda_2} + \lambda_2 - \lambda_1",
         r"\lambda_1(\log\lambda_1 - \log\lambda_2) - \lambda_1 + \lambda_2", ("lambda_2",),
         mutants=(r"\lambda_1\log\frac{\lambda_2}{\lambda_1} + \lambda_2 - \lambda_1",
                  r"\lambda_2\log\frac{\lambda_2}{\lambda_1} + \lambda_1 - \lambda_2")),
    Pair("kl_exponential", r"\log\frac{\lambda_1}{\lambda_2} + \frac{\lambda_2}{\lambda_1} - 1",
         r"\log\lambda_1 - \log\lambda_2 + \frac{\lambda_2 - \lambda_1}{\lambda_1}", ("lambda_2",),
         mutants=(r"\log\frac{\lambda_2}{\lambda_1} + \frac{\lambda_2}{\lambda_1} - 1",
                  r"\log\frac{\lambda_1}{\lambda_2} + \frac{\lambda_1}{\lambda_2} - 1")),
    Pair("gauss_entropy", r"\frac{1}{2}\log(2\pi e\sigma^2)", r"\log\sigma + \frac{1}{2}\log(2\pi) + \frac{1}{2}",
         ("sigma",), mutants=((r"\log\sigma + \frac{1}{2}\log(2\pi) - \frac{1}{2}", "exact"),
                              # half the log of sigma: the entropy halved, affine-equivalent
                              (r"\frac{1}{2}\log(2\pi\sigma) + \frac{1}{2}", "constant"))),
    Pair("label_smoothing_split",
         r"-\sum_{k=1}^{K}\left((1-\epsilon)y_k + \frac{\epsilon}{K}\right)\log\hat{y}_k",
         r"-(1-\epsilon)\sum_{k=1}^{K} y_k\log\hat{y}_k - \frac{\epsilon}{K}\sum_{k=1}^{K}\log\hat{y}_k", ("yhat",),
         mutants=(r"-(1-\epsilon)\sum_{k=1}^{K} y_k\log\hat{y}_k + \frac{\epsilon}{K}\sum_{k=1}^{K}\log\hat{y}_k",
                  r"-(1-\epsilon)\sum_{k=1}^{K} y_k\log\hat{y}_k")),
    # ------------------------------------------------- equal up to a constant (same gradients)
    Pair("binomial_vs_kernel", r"-\log\binom{N}{y} - y\log p - (N-y)\log(1-p)", r"-y\log p - (N-y)\log(1-p)",
         ("p",), exact=False, constant=True, mutants=(r"-y\log p - (N+y)\log(1-p)", r"-y\log p - N\log(1-p)")),
    Pair("poisson_log_input_full", r"e^{z} - yz + \log y!", r"e^{z} - yz", ("z",), exact=False, constant=True,
         mutants=(r"e^{z} + yz", r"e^{-z} - yz")),
    # ------------------------------------------- equal up to a positive affine map (same minimisers)
    Pair("gamma_deviance_vs_nll", r"2\left(\frac{y-\mu}{\mu} - \log\frac{y}{\mu}\right)", r"\frac{y}{\mu} + \log\mu",
         ("mu",), exact=False, constant=False, affine=True,
         mutants=(r"\frac{\mu}{y} + \log\mu", r"\frac{y}{\mu} - \log\mu")),
    Pair("poisson_deviance_vs_nll", r"2\left(y\log\frac{y}{\lambda} - y + \lambda\right)", r"\lambda - y\log\lambda",
         ("lambda",), exact=False, constant=False, affine=True,
         mutants=(r"\lambda + y\log\lambda", r"\lambda - \log\lambda")),
    Pair("bce_bits_vs_nats", r"-y\log_2 p - (1-y)\log_2(1-p)", BCE_P, ("p",), exact=False, constant=False,
         affine=True, mutants=(r"-y\log_2(1-p) - (1-y)\log_2 p",)),
    Pair("half_mean_vs_mean", r"\frac{1}{2n}\sum_{i=1}^{n}(y_i-\hat{y}_i)^2", MSE, ("yhat",), exact=False,
         constant=False, affine=True, mutants=(r"\frac{1}{2n}\sum_{i=1}^{n}(y_i+\hat{y}_i)^2",)),
    # --------------------------------------------------------- not equivalent in any mode
    Pair("mse_vs_mae", MSE, r"\frac{1}{n}\sum_{i=1}^{n}|y_i-\hat{y}_i|", ("yhat",), exact=False, constant=False,
         affine=False),
    Pair("kl_direction", r"\sum_{k=1}^{K} p_k\log\frac{p_k}{q_k}", r"\sum_{k=1}^{K} q_k\log\frac{q_k}{p_k}", ("q",),
         exact=False, constant=False, affine=False),
    Pair("hinge_vs_squared_hinge", r"\max(0, 1-y\hat{y})", r"\max(0, 1-y\hat{y})^2", ("yhat",), exact=False,
         constant=False, affine=False),
    Pair("bce_arguments_swapped", BCE_P, r"-p\log y - (1-p)\log(1-y)", ("p",), exact=False, constant=False,
         affine=False),
)

#: The domains each textbook formula takes for granted (a scale is positive, a probability in
#: (0, 1), data where the density lives).  Every other variable is real.
ASSUME: dict[str, str | dict] = {
    "gauss_nll_split_log": "sigma > 0",
    "gauss_neglog_density": "sigma > 0",
    "gauss_pdf_forms": "sigma > 0",
    "poisson_neglog": "lambda > 0, y >= 0",
    "geometric_neglog": "0 < p < 1",
    "binomial_neglog": "0 < p < 1",
    "exponential_neglog": "mu > 0, y >= 0",
    "cauchy_log": "gamma > 0",
    "pinball_two_forms": "0 < tau < 1",
    "kl_bernoulli_expanded": "0 < p < 1, 0 < q < 1",
    "kl_gauss_forms": "sigma_1 > 0, sigma_2 > 0",
    "cross_entropy_is_entropy_plus_kl": "0 < p < 1, 0 < q < 1",
    "cross_entropy_vs_kl": "0 < p < 1, 0 < q < 1",
    "bce_vs_bernoulli_kl": "0 < p < 1, 0 < y < 1",
    "gauss_nll_vs_squared": "sigma > 0",
    "laplace_vs_absolute": "b > 0",
    "student_t_vs_log": "nu > 0, s > 0",
    "gamma_shape_scaled": "alpha > 0, mu > 0",
    "von_mises_vs_cosine": "kappa > 0",
    "gamma_rate_neglog": "alpha > 0, beta > 0, y > 0",
    "lognormal_neglog": "s > 0, y > 0",
    "kl_poisson": "lambda_1 > 0, lambda_2 > 0",
    "kl_exponential": "lambda_1 > 0, lambda_2 > 0",
    "gauss_entropy": "sigma > 0",
    "binomial_vs_kernel": {"p": (0, 1), "y": sp.Range(0, sp.Symbol("N", integer=True, positive=True) + 1)},
    "gamma_deviance_vs_nll": "mu > 0, y > 0",
    "poisson_deviance_vs_nll": "lambda > 0, y > 0",
}

PAIRS = tuple(replace(p, assume=ASSUME.get(p.id, "")) for p in PAIRS)
