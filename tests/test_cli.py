"""The `derive` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive.cli", *args], capture_output=True, text=True, timeout=300)


def test_list_shows_every_assumption_with_its_loss():
    import derive

    result = run("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == derive.names()
    assert "mean squared error (MSE)" in lines[0]


def test_show_json_has_the_roles_and_the_loss():
    result = run("show", "gaussian", "--format", "json")
    assert result.returncode == 0
    entry = json.loads(result.stdout)
    assert entry["symbols"] == {"data": ["y"], "params": ["yhat"], "fixed": ["sigma"]}
    assert entry["loss"]["srepr"].startswith("Pow(")


def test_show_latex_is_an_align_block():
    result = run("show", "bernoulli", "--format", "latex")
    assert result.returncode == 0 and result.stdout.startswith("\\begin{align*}")


@pytest.mark.parametrize("name, formula, code, says", [
    ("gaussian", r"\frac{1}{n}\sum_{i=1}^{n}(y_i - \hat{y}_i)^2", 0, r"^proved: .*dataset loss"),
    ("gaussian", r"(y - \hat{y})^2", 0, r"^proved: .*loss of gaussian"),
    ("gaussian", r"\frac{1}{2}(y - \hat{y})^2", 1, r"^refuted: .*positive affine map"),
    ("bernoulli", r"-\left[y \log \hat{y} + (1-y)\log(1-\hat{y})\right]", 0, r"^proved"),
    ("bernoulli", r"-\left[\hat{y} \log y + (1-\hat{y})\log(1-y)\right]", 1, r"^refuted"),
    ("categorical", r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", 0, r"^proved"),
])
def test_check_exit_codes(name, formula, code, says):
    import re

    result = run("check", name, formula)
    assert result.returncode == code, result.stdout + result.stderr
    assert re.search(says, result.stdout), result.stdout


@pytest.mark.parametrize("args, message", [
    (("check", "gaussian", r"\frac{1}{"), r"^derive: error: cannot parse LaTeX"),
    (("check", "gausian", "y"), r"^derive: error: unknown assumption 'gausian'; known: gaussian"),
    (("equiv", r"\foo{x}", "x"), r"^derive: error: cannot parse LaTeX.*\\foo"),
])
def test_bad_input_exits_2_with_one_clean_line(args, message):
    import re

    result = run(*args)
    assert result.returncode == 2
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("a, b, extra, code", [
    (r"-\log \hat{y}_c", r"-\ln \hat{y}_c", (), 0),
    (r"(y-\hat{y})^2", r"(\hat{y}-y)^2", (), 0),
    (r"(y-\hat{y})^2", r"y^2 - \hat{y}^2", (), 1),
    (r"\frac{(y-\hat{y})^2}{2\sigma^2} + \log\sigma", r"(y-\hat{y})^2",
     ("--params", "yhat", "--mode", "affine", "--assume", "sigma > 0"), 0),
    # sigma is real unless assumed otherwise: log(sigma) is not real for sigma < 0, the other side is
    (r"\frac{(y-\hat{y})^2}{2\sigma^2} + \log\sigma", r"(y-\hat{y})^2", ("--params", "yhat", "--mode", "affine"), 1),
    (r"-(y-\hat{y})^2", r"(y-\hat{y})^2", ("--params", "yhat", "--mode", "affine"), 1),
])
def test_equiv_exit_codes(a, b, extra, code):
    result = run("equiv", a, b, *extra)
    assert result.returncode == code, result.stdout + result.stderr


@pytest.mark.parametrize("args, out", [
    (("info", "entropy", "--p", "1/2,1/4,1/8,1/8", "--base", "2"), "7/4 bits (1.75)"),
    (("info", "cross-entropy", "--p", "1/2,1/4,1/8,1/8", "--q", "1/8,1/4,1/2,1/8"), "5/2 bits (2.5)"),
    (("info", "kl", "--p", "1/2,1/4,1/8,1/8", "--q", "1/8,1/4,1/2,1/8", "--base", "2"), "3/4 bits (0.75)"),
])
def test_info_prints_exact_and_decimal(args, out):
    result = run(*args)
    assert result.returncode == 0 and result.stdout.strip() == out


def test_info_refuses_a_distribution_that_does_not_sum_to_one():
    result = run("info", "entropy", "--p", "1/2,1/3")
    assert result.returncode == 2
    assert result.stderr.startswith("derive: error: P does not sum to 1: its sum is 5/6")


def test_nll_derives_the_loss_of_a_laplace_density_given_in_latex():
    result = run("nll", r"\frac{1}{2b} e^{-|y-\mu|/b}", "--data", "y", "--params", "mu", "--fixed", "b")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines()[:6])
    assert lines["loss"].strip() == "Abs(mu - y)" and lines["scale"].strip() == "1/b"


def test_custom_is_nll_and_takes_a_mixture_and_a_density_with_cases():
    assert "--domain" in run("custom", "--help").stdout
    mixture = run("custom", r"w \frac{1}{\sqrt{2\pi}} e^{-\frac{(y-\mu_1)^2}{2}} + (1-w)\frac{1}{\sqrt{2\pi}} e^{-\frac{(y-\mu_2)^2}{2}}",
                  "--data", "y", "--params", "mu_1,mu_2", "--fixed", "w", "--domain", "w=unit")
    assert mixture.returncode == 0, mixture.stderr
    lines = dict(line.split(":", 1) for line in mixture.stdout.splitlines()[:7])
    assert lines["loss"].strip() == "-log(w*exp(-(-mu_1 + y)**2/2) + (1 - w)*exp(-(-mu_2 + y)**2/2))"
    assert lines["dropped"].strip() == "log(2)/2, log(pi)/2"
    cases = run("custom", r"\begin{cases} \lambda e^{-\lambda y} & y \ge 0 \\ 0 & y < 0 \end{cases}",
                "--data", "y", "--params", "lambda", "--domain", "lambda=positive")
    assert cases.returncode == 0, cases.stderr
    lines = dict(line.split(":", 1) for line in cases.stdout.splitlines()[:7])
    assert lines["loss"].strip() == "lambda*y - log(lambda)"
    assert "where the cases are non-zero" in lines["check"]


def test_nll_refuses_an_unnormalised_density():
    result = run("nll", r"e^{-(y-\mu)^2}", "--data", "y", "--params", "mu")
    assert result.returncode == 2
    assert "not normalised" in result.stderr and "sqrt(pi)" in result.stderr


def test_check_knows_the_hard_label_form():
    assert run("check", "categorical", r"-\log \hat{y}_c").returncode == 0
    assert run("check", "categorical", r"-\log(1 - \hat{y}_c)").returncode == 1


@pytest.mark.parametrize("args", [
    ("list", "--nope"),
    ("show", "gausian"),
    ("show", "gaussian", "--format", "pdf"),
    ("check", "gaussian", r"\frac{1}{"),
    ("equiv", r"\foo{x}", "x"),
    ("equiv", "x", "y", "--mode", "sideways"),
    ("info", "kl", "--p", "1/2,1/2", "--q", "1,0,0"),
    ("info", "entropy", "--p", "a,b"),
    ("nll", r"\frac{1}{", "--data", "y", "--params", "mu"),
    ("build", "--only", ","),
    ("build", "--only", "nope", "--out", "/nonexistent-derive-test/out"),
    ("build", "--out", "/etc/hostname"),
    ("build", "--format", "docx"),
    ("init", "/etc/hostname"),
    ("init", "/nonexistent-derive-test/derive.toml"),
    ("build", "--config", "/etc/hostname"),
])
def test_every_command_refuses_bad_input_without_a_traceback(args):
    result = run(*args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.strip(), result.stderr
    assert re.search(r"^derive( \w+)?: error: ", result.stderr, flags=re.M), result.stderr
