"""`derive verify`: reading displays, splitting chains into steps, assumptions, reports, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from derive.verify import Settings, SettingsError, exit_code, render, verify_file
from derive.verify.extract import VerifyInputError, read_document
from derive.verify.settings import parse_assumption
from derive.verify.steps import split_rows


SLOW = Settings(timeout=30.0)  # a loaded machine must not turn a verdict into "undecided"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    return subprocess.run([sys.executable, "-m", "derive.cli", "verify", "--timeout", "30", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ extract


def test_displays_of_a_tex_file_with_their_lines_comments_and_directives(tmp_path):
    path = write(tmp_path, "a.tex", "Text $x = 1$ and 5\\% more.\n% \\begin{align} a &= b \\end{align}\n"
                                    "% derive: assume sigma > 0\n\\begin{align*}\na &= b \\\\\n&= c\n\\end{align*}\n"
                                    "\\[ d \\]\n$$e$$\n")
    doc = read_document(path)
    assert [(d.kind, d.line) for d in doc.displays] == [("align*", 4), ("\\[", 8), ("$$", 9)]
    assert [(d.text, d.line) for d in doc.directives] == [("assume sigma > 0", 3)]
    assert [d.kind for d in read_document(path, inline=True).displays] == ["$", "align*", "\\[", "$$"]


def test_markdown_code_is_skipped_and_directives_are_html_comments(tmp_path):
    path = write(tmp_path, "a.md", "```\n$$a = b$$\n<!-- derive: params z -->\n```\n`$$c$$`\n"
                                   "<!-- derive: params w -->\n$$\nx &= y\n$$\n")
    doc = read_document(path)
    assert [(d.body.strip(), d.line) for d in doc.displays] == [("x &= y", 7)]
    assert [(d.text, d.line) for d in doc.directives] == [("params w", 6)]


def test_notebook_markdown_cells_only(tmp_path):
    cells = [{"cell_type": "code", "source": ["$$a &= b$$"]},
             {"cell_type": "markdown", "source": ["intro\n", "$$\n", "a &= b\n", "$$\n"]}]
    path = write(tmp_path, "n.ipynb", json.dumps({"cells": cells}))
    doc = read_document(path)
    assert [(d.cell, d.line) for d in doc.displays] == [(2, 2)]


@pytest.mark.parametrize("name, text, says", [
    ("a.txt", "x", "cannot verify a .txt file"),
    ("a.tex", "\\begin{align} a &= b", "never closed"),
    ("a.ipynb", "{not json", "not a Jupyter notebook"),
])
def test_bad_files_are_errors_of_our_own(tmp_path, name, text, says):
    with pytest.raises(VerifyInputError, match=says):
        read_document(write(tmp_path, name, text))


# ------------------------------------------------------------------ steps


def test_rows_members_relations_notes_and_constants():
    rows = split_rows("p(y) &= A \\\\\n\\intertext{by Bayes}\n &\\propto B + \\text{const} && \\text{note} \\\\\n"
                      " &\\le \\underbrace{C}_{\\text{const.\\ in }\\hat{y}} \\nonumber \\label{eq:x},")
    assert [[m.latex.strip() for m in r.members] for r in rows] == [["p(y)", "A"], ["", "B"], ["", "C"]]
    assert [r.relations for r in rows] == [["="], ["propto"], ["le"]]
    assert [m.up_to_constant for m in rows[1].members] == [False, True]
    assert rows[1].notes == ["by Bayes", " \\text{note} "]
    assert "\\text{const.\\ in }\\hat{y}" in rows[2].notes


def test_a_line_broken_inside_a_bracket_or_before_an_operator_is_one_row():
    rows = split_rows("a &= \\biggl[ b \\\\ &\\quad + c \\biggr] \\\\\n &= d \\\\\n &\\quad - e \\\\\n-f &= g")
    assert [[" ".join(m.latex.split()) for m in r.members] for r in rows] == [
        ["a", "\\biggl[ b + c \\biggr]"], ["", "d - e"], ["-f", "g"]]


def test_cases_rows_stay_inside_their_environment():
    rows = split_rows("f(x) &= \\begin{cases} 1 & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}")
    assert len(rows) == 1 and rows[0].relations == ["="]


# ------------------------------------------------------------------ settings


@pytest.mark.parametrize("text, expected", [
    ("sigma > 0", ("sigma", "positive")), ("\\sigma > 0", ("sigma", "positive")),
    ("\\hat{y} \\ge 0", ("yhat", "nonnegative")), ("0 < p < 1", ("p", (0, 1))), ("n size", ("n", "size")),
])
def test_assumptions_are_read(text, expected):
    assert parse_assumption(text, "here") == expected


@pytest.mark.parametrize("text", ["sigma != 0", "1 < p < 0", "x + y > 0"])
def test_unreadable_assumptions_name_the_place(text):
    with pytest.raises(SettingsError, match="here"):
        parse_assumption(text, "here")


def test_a_directive_holds_from_its_line_on(tmp_path):
    path = write(tmp_path, "a.tex", "\\begin{align*}\n\\log(xz) &= \\log x + \\log z\n\\end{align*}\n"
                                    "% derive: assume x > 0, z > 0\n"
                                    "\\begin{align*}\n\\log(xz) &= \\log x + \\log z\n\\end{align*}\n")
    steps = verify_file(path, SLOW).steps
    assert [(s.line, s.status) for s in steps][1] == (6, "proved")
    assert steps[0].status != "proved"  # x, z real: log(xz) = log x + log z fails for x, z < 0


def test_reset_drops_the_directives_before_it(tmp_path):
    chain = "\\begin{align*}\n\\log(xz) &= \\log x + \\log z\n\\end{align*}\n"
    path = write(tmp_path, "a.tex", "% derive: assume x > 0, z > 0\n" + chain + "% derive: reset\n" + chain
                 + "% derive: reset, assume x > 0, z > 0\n" + chain)
    statuses = [s.status for s in verify_file(path, SLOW).steps]
    assert statuses[0] == statuses[2] == "proved" and statuses[1] != "proved"


def test_several_names_for_one_formula_define_each(tmp_path):
    """``L(yhat) = p(y | yhat) &= formula``: both names stand for the formula, so a later row in
    either is checked, not "p occurs on one side only"."""
    text = ("% derive: assume 0 < yhat < 1\n\\begin{align*}\n"
            "\\mathcal{L}(\\hat{y}) = p(y \\mid \\hat{y}) &= \\hat{y}^{y} (1 - \\hat{y})^{1 - y} \\\\\n"
            "-\\log \\mathcal{L}(\\hat{y}) &= -y \\log \\hat{y} - (1 - y) \\log(1 - \\hat{y}) \\\\\n"
            "-\\log p(y \\mid \\hat{y}) &= -y \\log \\hat{y} - (1 - y) \\log(1 - \\hat{y})\n\\end{align*}\n")
    steps = verify_file(write(tmp_path, "a.tex", text), SLOW).steps
    assert [(s.line, s.status) for s in steps] == [(3, "definition"), (3, "definition"), (4, "proved"), (5, "proved")]


def test_a_markdown_row_that_opens_with_words_is_a_note():
    """KaTeX has no \\intertext: a row ``&\\text{drop the constants ... a = 2} \\\\`` is a note, and
    the next ``&= ...`` continues the formula before it."""
    rows = split_rows("a &= b \\\\\n&\\text{drop the factor } c = 2 \\text{: the same minimisers} \\\\\n &= d \\\\\n"
                      "&\\text{KL}(p) = e")
    assert [[m.latex.strip() for m in r.members] for r in rows] == [["a", "b"], ["", "d"], ["\\text{KL}(p)", "e"]]
    assert rows[1].notes == ["\\text{drop the factor } c = 2 \\text{: the same minimisers}"]  # the next row's


def test_a_left_side_on_a_row_of_its_own_joins_the_row_that_continues_it():
    rows = split_rows("\\MoveEqLeft[2] \\bar{\\ell} \\\\\n &= \\frac{1}{n} \\sum_{i=1}^{n} x_i \\\\\n &= y")
    assert [[m.latex.strip() for m in r.members] for r in rows] == [["\\bar{\\ell}", "\\frac{1}{n} \\sum_{i=1}^{n} x_i"],
                                                                   ["", "y"]]
    assert rows[0].relations == ["="]


def test_derive_toml_beside_the_file(tmp_path):
    write(tmp_path, "derive.toml", "[verify]\nassume = ['a > 0', 'b > 0']\n")
    path = write(tmp_path, "a.md", "$$\n\\log(ab) &= \\log a + \\log b\n$$\n")
    assert [s.status for s in verify_file(path, SLOW).steps] == ["proved"]
    write(tmp_path, "derive.toml", "[verify]\nasume = ['a > 0']\n")
    assert "unknown key" in verify_file(path).error


# ------------------------------------------------------------------ verdicts per relation


@pytest.mark.parametrize("chain, statuses", [
    ("(a+b)^2 &= a^2 + 2ab + b^2", ["proved"]),
    ("(a+b)^2 &= a^2 + ab + b^2", ["refuted"]),
    ("(x - w)^2 + 3 &= (x-w)^2 + \\text{const}", ["proved"]),                      # params w
    ("(x - w)^2 + w &= (x-w)^2 + \\text{const}", ["refuted"]),
    ("\\frac{(x - w)^2}{2} &\\propto (x-w)^2", ["proved"]),
    ("\\frac{(x - w)^2}{2} + 1 &\\propto (x-w)^2", ["refuted"]),                  # an added term
    ("\\frac{(x - w)^2}{2} + 1 &\\propto (x-w)^2 + \\text{const}", ["proved"]),
    ("-(x - w)^2 &\\propto (x-w)^2", ["refuted"]),                                # a negative factor
    ("a^2 + b^2 &\\ge 2ab", ["proved"]),
    ("a^2 + b^2 &\\le 2ab", ["refuted"]),
    ("\\sin x &\\approx x", ["unread"]),
])
def test_each_relation(tmp_path, chain, statuses):
    path = write(tmp_path, "a.tex", "% derive: params w\n\\begin{align*}\n" + chain + "\n\\end{align*}\n")
    assert [s.status for s in verify_file(path, SLOW).steps] == statuses



def test_labels_are_substituted_and_a_slip_is_caught_at_its_line(tmp_path):
    text = ("% derive: assume sigma > 0\n\\begin{align*}\n"
            "p(y \\mid \\hat{y}) &= \\frac{1}{\\sqrt{2\\pi}\\sigma} e^{-\\frac{(y-\\hat{y})^2}{2\\sigma^2}} \\\\\n"
            "-\\log p(y \\mid \\hat{y}) &= \\frac{(y-\\hat{y})^2}{2\\sigma^2} + \\log\\sigma + \\frac{1}{2}\\log(2\\pi) \\\\\n"
            "-\\sum_{i=1}^{n} \\log p(y_i \\mid \\hat{y}_i) &= \\frac{1}{2\\sigma^2}\\sum_{i=1}^{n}(y_i-\\hat{y}_i)^2"
            " + \\log\\sigma + \\frac{n}{2}\\log(2\\pi)\n\\end{align*}\n")
    steps = verify_file(write(tmp_path, "a.tex", text), SLOW).steps
    assert [(s.line, s.status) for s in steps] == [(3, "definition"), (4, "proved"), (5, "refuted")]
    assert steps[2].counterexample and "n" in steps[2].counterexample


def test_an_aside_definition_is_substituted_into_the_chain(tmp_path):
    text = ("% derive: assume 0 < yhat < 1\n\\begin{align*}\n\\ell &= -y\\log\\hat{y} - (1-y)\\log(1-\\hat{y}) \\\\\n"
            "\\hat{y} &= \\frac{1}{1+e^{-z}} \\\\\n&= y\\log(1+e^{-z}) + (1-y)\\log(1+e^{z})\n\\end{align*}\n")
    steps = verify_file(write(tmp_path, "a.tex", text), SLOW).steps
    assert [(s.line, s.status) for s in steps] == [(3, "definition"), (4, "definition"), (5, "proved")]


@pytest.mark.parametrize("extra, status", [("", "proved"), (" + 1", "refuted")])
def test_an_element_defined_outside_a_sum_is_the_vectors_element(tmp_path, extra, status):
    """``\\hat{y}_{k} = softmax`` after a row in the vector ``\\hat{y}``: outside a sum the reader
    takes ``\\hat{y}_k`` and ``z_k`` for symbols; the aside defines the elements, substituted into
    the sums of the next row (which is then proved, or refuted when it is wrong)."""
    text = ("% derive: assume K size, y real, z real, params z\n\\begin{align*}\n"
            "\\ell &= - \\sum_{k=1}^{K} y_{k} \\log \\hat{y}_{k} \\\\\n"
            "\\hat{y}_{k} &= \\frac{e^{z_{k}}}{\\sum_{j=1}^{K} e^{z_{j}}} \\\\\n"
            " &= \\left(\\log\\left(\\sum_{j=1}^{K} e^{z_{j}}\\right)\\right) \\sum_{k=1}^{K} y_{k} "
            "- \\sum_{k=1}^{K} y_{k} z_{k}" + extra + "\n\\end{align*}\n")
    steps = verify_file(write(tmp_path, "a.tex", text), SLOW).steps
    assert [(s.line, s.status) for s in steps] == [(3, "definition"), (4, "definition"), (5, status)]


def test_unreadable_steps_say_why(tmp_path):
    text = ("\\begin{align*}\n\\text{at } y = 1 &= x \\\\\n"
            "-\\frac{1}{n}\\sum_{i=1}^{n}\\log Q(x_i) &= \\frac{1}{n}\\sum_{i=1}^{n} x_i \\\\\n"
            "\\mathbb{E}[x + 1] &= \\mathbb{E}[x] + 1 \\\\\n a &= b \\quad c\n\\end{align*}\n")
    details = [(s.status, s.detail) for s in verify_file(write(tmp_path, "a.tex", text), SLOW).steps]
    assert all(status == "unread" for status, _ in details)
    said = " ".join(d for _, d in details)
    for words in ("holds words", "Q occurs on one side only", "expectation", "two formulas in one row"):
        assert words in said


def test_interval_counterexample_is_given_in_the_documents_symbol(tmp_path):
    text = "% derive: assume 0 < p < 1\n\\begin{align*}\n\\log\\frac{p}{1-p} &= \\log p + \\log(1-p)\n\\end{align*}\n"
    (step,) = verify_file(write(tmp_path, "a.tex", text), SLOW).steps
    assert step.status == "refuted"
    p = step.counterexample["p"]
    assert 0 < float(p) < 1


# ------------------------------------------------------------------ report and CLI


def test_cli_exit_codes_and_formats(tmp_path):
    good = write(tmp_path, "good.tex", "\\begin{align*}\n(a+b)^2 &= a^2 + 2ab + b^2\n\\end{align*}\n")
    bad = write(tmp_path, "bad.md", "intro\n\n$$\n\\begin{aligned}\n(a+b)^2 &= a^2 + 2ab + b^2 \\\\\n"
                                    " &= a^2 + b^2\n\\end{aligned}\n$$\n")
    unread = write(tmp_path, "unread.tex", "\\begin{align*}\n\\sin x &\\approx x\n\\end{align*}\n")
    result = run(str(good))
    assert result.returncode == 0 and result.stdout.strip().endswith("1 steps in 1 file: 1 proved")
    result = run(str(good), str(bad), "-j", "2")
    assert result.returncode == 1
    assert f"{bad}:6: REFUTED" in result.stdout and "counterexample:" in result.stdout
    assert run(str(unread)).returncode == 3
    nothing = write(tmp_path, "nothing.md", "# Prose only, $x$ inline.\n")
    result = run(str(nothing))
    assert result.returncode == 3 and "0 steps" in result.stdout
    assert run(str(tmp_path / "missing.tex")).returncode == 2
    assert run(str(good), "--assume", "x != 1").returncode == 2
    github = run(str(bad), "--format", "github")
    assert github.stdout.splitlines()[0].startswith(f"::error file={bad},line=6::REFUTED")
    data = json.loads(run(str(bad), "--format", "json").stdout)
    assert data["exit_code"] == 1
    assert [s["status"] for s in data["files"][0]["steps"]] == ["proved", "refuted"]


def test_render_lists_the_assumptions(tmp_path):
    path = write(tmp_path, "a.tex", "% derive: assume a > 0\n\\begin{align*}\n\\log a^2 &= 2\\log a\n\\end{align*}\n")
    reports = [verify_file(path, SLOW)]
    assert "assuming: a > 0" in render(reports)
    assert exit_code(reports) == 0


def test_the_worked_example_has_exactly_one_wrong_step_and_says_where():
    example = Path(__file__).parents[1] / "examples" / "verify_lecture.tex"
    text = example.read_text()
    wrong_line = next(n for n, line in enumerate(text.splitlines(), 1) if "% the wrong step" in line)
    assert f"on line {wrong_line} as refuted" in text
    steps = [s for s in verify_file(example, SLOW).steps if s.status != "definition"]
    assert [(s.line, s.status) for s in steps if s.status != "proved"] == [(wrong_line, "refuted")]
    assert len(steps) >= 5
