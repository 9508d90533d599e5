"""The figures beyond one loss curve per entry, read from the data each figure function
computes (not from the PNG): the priors beside their penalties against SciPy's densities and
the textbook penalties lambda_2 w^2 = (sigma^2/tau^2) w^2 and lambda_1 |w| = (2 sigma^2/b) |w|; a
mixture's loss over its two locations against torch's MixtureSameFamily, with its two minima
mirror images across the diagonal; the files deterministic, in the manifest and in the documents."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import derive
from derive import publish
from derive.config import ProjectConfig
from derive.figures import assumption_figure
from derive.figures_parts import PRIOR_VALUES, minima, mixture_figure, mixture_surface, prior_curves, prior_figure
from derive.publish.builder import MANIFEST

SIGMA, TAU, B = 1.0, 1.0, 2.0  # the values the caption states, typed here
LAMBDA_2, LAMBDA_1 = SIGMA**2 / TAU**2, 2 * SIGMA**2 / B  # the textbook weights
A = 1 / (2 * SIGMA**2)  # the Gaussian likelihood's factor: -log p(y | w) = a (y - w^T x)^2 + const


def _normal(w):
    return stats.norm.pdf(w, 0, TAU)


def _laplace(w):
    return stats.laplace.pdf(w, 0, B)


ELASTIC_Z = integrate.quad(lambda w: _normal(w) * _laplace(w), -np.inf, np.inf, epsabs=1e-14, epsrel=1e-13)[0]
ORACLES = {  # model: (density, penalty), from SciPy and the textbook
    "ridge": (_normal, lambda w: LAMBDA_2 * w**2),
    "lasso": (_laplace, lambda w: LAMBDA_1 * np.abs(w)),
    "elastic_net": (lambda w: _normal(w) * _laplace(w) / ELASTIC_Z, lambda w: LAMBDA_2 * w**2 + LAMBDA_1 * np.abs(w)),
}


@pytest.fixture(scope="module")
def curves():
    return {c.model: c for c in prior_curves()}


def test_the_stated_values_are_the_ones_drawn():
    assert {k: float(v) for k, v in PRIOR_VALUES.items()} == {"sigma": SIGMA, "tau": TAU, "b": B}


def test_one_prior_per_set_of_families_in_catalogue_order(curves):
    """L2-regularised logistic regression has ridge's Normal prior: drawn once."""
    assert list(curves) == ["ridge", "lasso", "elastic_net"]


@pytest.mark.parametrize("name", list(ORACLES))
def test_prior_density_is_scipys(curves, name):
    c = curves[name]
    density, _ = ORACLES[name]
    assert np.allclose(c.density, density(c.ws), rtol=1e-10, atol=0)


@pytest.mark.parametrize("name", list(ORACLES))
def test_penalty_curve_is_the_textbook_penalty(curves, name):
    c = curves[name]
    _, penalty = ORACLES[name]
    assert np.allclose(c.penalty, penalty(c.ws), rtol=1e-12, atol=1e-12)
    assert np.min(c.penalty) == 0 and c.ws[np.argmin(c.penalty)] == 0  # least at w = 0


@pytest.mark.parametrize("name", list(ORACLES))
def test_dots_are_the_negative_log_prior_over_a_and_lie_on_the_penalty(curves, name):
    c = curves[name]
    density, penalty = ORACLES[name]
    expected = (-np.log(density(c.dots)) + np.log(density(np.array(0.0)))) / A
    assert np.allclose(c.neg_log, expected, rtol=1e-9, atol=1e-9)
    assert np.allclose(c.neg_log, penalty(c.dots), rtol=1e-9, atol=1e-9)


def test_elastic_net_normaliser_is_the_integral_of_the_product(curves):
    assert curves["elastic_net"].normaliser == pytest.approx(ELASTIC_Z, rel=1e-10)
    assert curves["ridge"].normaliser is None and curves["lasso"].normaliser is None


def test_prior_figure_is_deterministic_and_its_caption_states_the_values_and_renames(tmp_path):
    first = prior_figure(tmp_path / "a")
    second = prior_figure(tmp_path / "b")
    for suffix in (".pdf", ".png"):
        assert (tmp_path / "a" / f"{first.stem}{suffix}").read_bytes() == \
            (tmp_path / "b" / f"{second.stem}{suffix}").read_bytes()
    assert r"$\sigma = 1$, $\tau = 1$, $b = 2$" in first.caption
    assert r"\lambda_{2} = \frac{\sigma^{2}}{\tau^{2}} = 1" in first.caption
    assert r"\lambda_{1} = \frac{2 \sigma^{2}}{b} = 1" in first.caption
    renamed = prior_figure(tmp_path / "c", symbols=(("w", r"\theta"),))
    assert r"p(\theta)" in renamed.caption and "p(w)" not in renamed.caption
    assert (tmp_path / "c" / "figures/priors.png").read_bytes() != (tmp_path / "a" / "figures/priors.png").read_bytes()


# --------------------------------------------------------------------------- a mixture's surface


@pytest.fixture(scope="module", params=["gaussian_mixture", "gaussian_mixture_logits"])
def surface(request):
    return mixture_surface(derive.derive(request.param))


def test_surface_is_symmetric_under_swapping_the_labels(surface):
    assert np.allclose(surface.surface, surface.surface.T, rtol=1e-13, atol=0)
    assert np.allclose(surface.locations, -surface.locations[::-1], rtol=0, atol=1e-15)


def test_two_minima_mirror_images_off_the_diagonal_near_the_sample_centres(surface):
    found = minima(surface)
    assert len(found) == 2
    (m1, m2), (n1, n2) = found
    assert (n1, n2) == (m2, m1) and m1 < 0 < m2
    assert abs(m1 - (-1.5)) < 0.5 and abs(m2 - 1.5) < 0.5  # the sample's centres, within its noise
    assert np.min(np.diag(surface.surface)) > np.min(surface.surface) + 0.1  # not where mu_1 = mu_2


@pytest.mark.parametrize("point", [(0, 0), (10, 130), (70, 35), (140, 99)])
def test_surface_is_torchs_mixture_nll_less_the_gaussian_constant(surface, point):
    """Equal weights (w = 1/2 or logits 0), unit scales: -mean log p(y) - log(2 pi)/2."""
    row, col = point
    means = torch.tensor([surface.locations[col], surface.locations[row]], dtype=torch.float64)
    weights = torch.distributions.Categorical(logits=torch.zeros(2, dtype=torch.float64))
    mix = torch.distributions.MixtureSameFamily(weights, torch.distributions.Normal(means, torch.ones(2, dtype=torch.float64)))
    expected = -mix.log_prob(torch.tensor(surface.ys)).mean().item() - 0.5 * np.log(2 * np.pi)
    assert surface.surface[row, col] == pytest.approx(expected, rel=1e-12)


def test_mixture_figure_is_the_entrys_deterministic_and_differs_between_the_entries(tmp_path):
    d = derive.derive("gaussian_mixture")
    figure = assumption_figure(d, tmp_path / "a")
    assert figure == mixture_figure(d, tmp_path / "b")
    png = (tmp_path / "a" / f"{figure.stem}.png").read_bytes()
    assert png == (tmp_path / "b" / f"{figure.stem}.png").read_bytes()
    assert "label switching" in figure.caption and r"$w_{1} = w_{2} = \frac{1}{2}$" in figure.caption
    logits = assumption_figure(derive.derive("gaussian_mixture_logits"), tmp_path / "a")
    assert r"$a_{1} = a_{2} = 0$" in logits.caption
    assert (tmp_path / "a" / f"{logits.stem}.png").read_bytes() != png
    renamed = mixture_figure(d, tmp_path / "c", symbols=((r"\mu", "m"),))
    assert "$m_{1}$" in renamed.caption and r"\mu" not in renamed.caption


def test_mixture_view_is_skipped_where_it_does_not_apply():
    for name in ("gaussian", "categorical", "multivariate_gaussian"):
        figure = mixture_figure(derive.derive(name), None)
        assert figure.stem is None and figure.note.startswith("no mixture view")


# --------------------------------------------------------------------------- in the build


def _manifest(out):
    return json.loads((out / MANIFEST).read_text())["files"]


def test_priors_figure_is_built_listed_and_shown_in_every_document(tmp_path):
    publish.build(tmp_path, project=ProjectConfig(parts=("models",)))
    assert {"figures/priors.pdf", "figures/priors.png"} <= set(_manifest(tmp_path))
    tex = (tmp_path / "derivations.tex").read_text()
    part = tex[tex.index(r"\section{Regularisers are priors}"):]
    assert r"\includegraphics[width=\linewidth]{figures/priors}" in part.split(r"\subsection")[0]
    assert r"{figures/priors}" in (tmp_path / "slides.tex").read_text()
    md = (tmp_path / "derivations.md").read_text()
    assert "![Priors and the penalties they put in the loss](figures/priors.png)" in md[md.index("# Regularisers"):]


def test_mixture_figure_is_built_listed_and_shown(tmp_path):
    publish.build(tmp_path, only=["gaussian_mixture"], formats=("tex", "md"))
    assert {"figures/gaussian_mixture.pdf", "figures/gaussian_mixture.png"} <= set(_manifest(tmp_path))
    tex = (tmp_path / "derivations.tex").read_text()
    assert r"\includegraphics[width=\linewidth]{figures/gaussian_mixture}" in tex and "No figure" not in tex
    assert "](figures/gaussian_mixture.png)" in (tmp_path / "derivations.md").read_text()
