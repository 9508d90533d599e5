"""The project verifies itself: `derive verify` on the committed documents proves every step it
reads, except the steps listed below, each with the reason it is not (yet) a proof.

The documents use ``\\propto`` for "drop the constants and a positive factor; the minimisers are
unchanged" (their notes say so), so ``\\propto`` is read as ``affine`` here.  Each derivation
states its entry's domains and params in a ``derive: reset, assume ..., params ...`` comment
before its steps, so the checker works under the entry's own assumptions.  The allow-list is
data, not a count: a step that the documents gain or lose changes nothing here unless it is
neither proved nor matched by an entry.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.verify import Settings, verify_file

OUTPUTS = Path(__file__).parents[1] / "outputs"
DOCUMENTS = ["derivations.tex", "derivations.md", "slides.tex"]

#: (pattern searched in "left relation right", statuses it may have, why it is not a proof).
ALLOWED: list[tuple[str, set[str], str]] = [
    # The NLL of one example expanded, or of n examples, where the terms are special functions:
    # log y!, log Gamma, a normaliser in logs (continuous Bernoulli), indicator powers (hurdle,
    # zero-inflated), a mixture's log-sum-exp, a sum of log-factorials (multinomial).  The
    # probe agrees (evidence) or runs out of its budget (undecided); SymPy finds no proof in time.
    (r"^-(\\frac\{1\}\{n\} )?\\log \\prod_\{i=1\}\^\{n\}", {"evidence", "undecided"},
     "the n examples' NLL with special functions (factorials, Gamma, indicators, log-sum-exp)"),
    (r"^- ?\\log ?\\(left|bigl|biggl)\(", {"evidence", "undecided"},  # sized: broken over lines
     "one example's NLL with a normaliser in logs or indicator powers: numeric agreement only"),
    # A normaliser written as the integral of the kernel over the support, the bounds left out
    # as textbooks do (Huber, generalised Gaussian, continuous Bernoulli): not a definite integral
    # to the checker.
    (r"^\\int \\tilde\{p\}", {"undecided"}, "normaliser: the integral over the support written without bounds"),
    # Information part: integrals of the densities p(x), q(x) (undefined functions) over the real
    # line, and the empirical distribution's Dirac deltas: linearity of the integral and the
    # delta's sifting property are not known to the checker; no verdict in time.
    (r"\\int\\limits", {"undecided", "evidence"}, "integrals of unspecified densities, Dirac deltas"),
    # Tweedie's quasi-likelihood: an integral with symbolic bounds and power p.
    (r"\\int_\{y\}\^\{\\mu\}|^-Q =", {"undecided"}, "integral with symbolic bounds: no verdict in time"),
    # Categorical with a softmax: the step uses sum_k y_k = 1 (a one-hot label), stated in words.
    (r"\\right\)\\right\) \\sum_\{k=1\}\^\{K\} y_\{k\} - \\sum_\{k=1\}\^\{K\} y_\{k\} z_\{k\} = ",
     {"refuted"}, "uses sum_k y_k = 1 (one-hot), which the document states in words only"),
    # Binomial: the labels are 0, 1, ..., N; a directive says y >= 0 but cannot say y <= N, and
    # the counterexample has y > N, where the binomial coefficient of reals is negative.
    (r"\\binom\{N\}\{y_\{i\}\}", {"refuted"}, "y <= N (the labels 0..N) is not stated; refuted at y > N"),
    # Interval-censored Gaussian: the data satisfy l < u, a relation between two symbols that a
    # directive cannot state; the counterexample has l > u, where the likelihood is negative.
    (r"p\(l_i, u_i \\mid \\mu_i\)", {"refuted"}, "l < u is not stated; refuted at l > u"),
    # The gradient rows: the checker differentiates the loss it has read (the label ell substituted);
    # through |.|, sign and cases (kinks) or exponentials of ratios it finds no verdict in its budget
    # (the gradients themselves are proved in the test suite against SymPy's derivative and torch).
    (r"^\\frac\{\\partial \\ell\}\{\\partial", {"undecided"}, "a gradient row: no verdict on the Derivative in time"),
    # Cross-entropy of a one-hot target: delta_{k k^*} is read as a symbol, not Kronecker's delta.
    (r"\\delta_\{k k\^\{\*\}\}", {"refuted"}, "Kronecker delta read as a symbol"),
]


def _allowed(text: str, status: str) -> str | None:
    for pattern, statuses, reason in ALLOWED:
        if status in statuses and re.search(pattern, text):
            return reason
    return None


@pytest.fixture(scope="module")
def reports():
    settings = Settings(propto="affine", timeout=5.0)
    # one process, in order: the .md and the slides repeat the .tex's steps, decided once
    return {name: verify_file(OUTPUTS / name, settings) for name in DOCUMENTS}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_step_read_in_the_documents_is_proved_or_listed(reports, name):
    report = reports[name]
    assert report.error is None
    steps = [s for s in report.steps if s.status != "definition"]
    assert any(s.status == "proved" for s in steps)
    unexplained = []
    for s in steps:
        if s.status in ("proved", "unread"):
            continue
        text = " ".join(f"{s.left} {s.relation} {s.right}".split())
        if _allowed(text, s.status) is None:
            unexplained.append((s.line, s.status, text[:160], s.detail[:120]))
    assert unexplained == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_step_that_is_not_read_says_why(reports, name):
    for s in reports[name].steps:
        if s.status == "unread":
            assert len(s.detail) > 20, (s.line, s.detail)
