"""`derive build`: the four documents, the figures, the options, determinism."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
import sympy as sp

import derive
from derive import cli, publish
from derive.config import ConfigError, PrinterConfig
from derive.errors import BuildError, DeriveError, UnknownAssumption
from derive.figures import make_slice, Skip
from derive.latex.layout import SLIDE, SLIDE_BUDGET, frames_of_rows, layout_rows
from derive.publish.information import PROVED

SUBSET = ["gaussian", "bernoulli", "categorical", "laplace", "poisson"]

# Commands that KaTeX (and MathJax) know, among those `derive` writes.  A new command in
# derivations.md must be checked against https://katex.org/docs/supported and added here.
KATEX = set("""
frac sum prod log ln exp sqrt left right bigl bigr biggl biggr Bigl Bigr hat bar tilde mathcal
mathrm operatorname text boxed underbrace quad qquad mid sim propto neq cdot times in dots ldots
cdots infty begin end geq leq le ge to ell binom Gamma Sigma Pi Delta Phi Psi Omega Lambda Theta
alpha beta gamma delta epsilon varepsilon zeta eta theta kappa lambda mu nu xi pi rho sigma tau
phi varphi chi psi omega max min cos sin cosh sinh tanh top mathbb mathbf lvert rvert vert
operatorname erf displaystyle partial
""".split()) | {",", ";", " ", "!", "\\", "{", "}", "|", ":"}
# ... and those the information part adds (all in KaTeX's list of supported functions).
INFO_KATEX = set("middle partial int limits nabla approx wedge".split())


@pytest.fixture(scope="module")
def subset_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("subset")
    publish.build(out, only=SUBSET)
    return out


def test_build_writes_the_documents_and_figures(subset_build):
    for name in publish.OUTPUT_FILES:
        assert (subset_build / name).is_file(), name
    for name in SUBSET + ["overview"]:
        for suffix in (".pdf", ".png"):
            assert (subset_build / "figures" / f"{name}{suffix}").stat().st_size > 1000, (name, suffix)


def test_article_reads_like_a_textbook(subset_build):
    tex = (subset_build / "derivations.tex").read_text()
    sections = tex.split(r"\section{")[1:]
    assert len(sections) == len(SUBSET)
    for name, section in zip(SUBSET, sections):
        a = derive.derive(name).assumption
        assert a.words.split("$")[0][:20] in section, name  # the assumption in words
        assert a.statement in section  # and in symbols
        assert r"\begin{align*}" in section and r"\boxed{\ell(" in section
        assert "checked against" in section and ("exactly" in section or "up to" in section)
        assert rf"\includegraphics[width=\linewidth]{{figures/{name}}}" in section
    assert r"\includegraphics[width=\linewidth]{figures/overview}" in tex


def test_references_state_the_mode(subset_build):
    tex = (subset_build / "derivations.tex").read_text()
    assert r"-\log p(y \mid \hat{y}) = a \left[(y - \hat{y})^2\right] + b" in tex
    assert "up to a positive affine map, with $a > 0$" in tex
    assert r"-\log p(y \mid \hat{y}) \neq (y - \hat{y})^2" in tex and "as expected" in tex


def test_slides_reveal_rows_per_cell_and_end_with_a_summary(subset_build):
    tex = (subset_build / "slides.tex").read_text()
    frames = tex.split(r"\begin{frame}")[1:]
    assert r"\titlepage" in frames[0]
    assert r"\pause" not in tex
    assert r"\visible<2->{" in tex
    summary = [f for f in frames if f.startswith(r"{Assumption $\to$ loss")]
    assert summary and all(r"\toprule" in f for f in summary)
    assert sum(f.count(r"\\") - 1 for f in summary) == len(SUBSET)  # a header, then one row each
    for name in SUBSET:
        title = derive.derive(name).assumption.title
        assert any(f.startswith("{" + title) for f in frames), name
        assert rf"{{figures/{name}}}" in tex


def test_long_derivations_are_split_over_frames_that_fit():
    """Each frame's rows fit the budget (a justification counted on a line of its own), and
    each frame but the last is full: the next frame's first row would not fit in it."""
    from derive.latex.layout import NOTE_ABOVE

    d = derive.derive("gaussian")
    rows = layout_rows(d.steps, params=d.params, layout=SLIDE)
    groups = frames_of_rows(rows, SLIDE_BUDGET, SLIDE_BUDGET)
    high = lambda r: r.height + (NOTE_ABOVE if r.note else 0)  # noqa: E731
    assert len(groups) > 1 and sum(len(g) for g in groups) == len(rows)
    for group, following in zip(groups, groups[1:]):
        assert sum(high(r) for r in group) <= SLIDE_BUDGET < sum(high(r) for r in group) + high(following[0])


def test_a_justification_beside_its_row_takes_no_height():
    """Rows whose notes fit beside the widest row fill a frame as if they had none."""
    from derive.latex.layout import Row

    rows = [Row("s", "a", "=", (r"\frac{x_{%d}}{2}" % i,), "short") for i in range(12)]
    bare = [Row("s", "a", "=", (r"\frac{x_{%d}}{2}" % i,), "") for i in range(12)]
    assert [len(g) for g in frames_of_rows(rows, 10.0, 10.0, SLIDE)] == [len(g) for g in frames_of_rows(bare, 10.0, 10.0)]
    assert len(frames_of_rows(rows, 10.0, 10.0)) > len(frames_of_rows(bare, 10.0, 10.0))  # no layout: counted above


def test_the_lessons_example_closes_the_one_hot_identity_frame():
    """The cost of the true class is worked on the frame of the identity it illustrates, not on
    a frame of its own with two short lines."""
    from derive.config import PrinterConfig
    from derive.publish.information import true_class_math
    from derive.publish.slides import information_frames

    frames = information_frames(PrinterConfig())
    _, cost = true_class_math(PrinterConfig())
    holding = [f for f in frames if cost in f]
    assert len(holding) == 1 and holding[0].startswith(r"\begin{frame}{One-hot cross-entropy is the NLL")
    assert r"\begin{align*}" in holding[0] and "The cost of the true class" not in "".join(frames)


@pytest.mark.parametrize("name", ["gaussian", "categorical", "bernoulli_logits"])
def test_the_gradient_frame_shows_the_loss_beside_its_gradient(name):
    """The gradient frame displays the loss and its gradient (two lines at least), and speaks of
    the generated code's form only when it shows one."""
    from derive.publish.context import Context
    from derive.config import PrinterConfig
    from derive.publish.slides import gradient_frame
    from derive.publish.training import training_of

    d = derive.derive(name)
    frame = gradient_frame(d, Context(PrinterConfig(), {}, None), "T")
    body = re.search(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", frame, flags=re.S).group(1)
    assert body.count("\\\\") >= 1 and r"\frac{\partial \ell}" in body
    assert ("generated code" in frame) == (training_of(d).stable is not None)


def test_the_conjugate_frame_is_a_table_in_the_frames_colours():
    """No brace group opens the frame (it would take the title's colour); a header names the
    columns; the fractions are in display style, not script size."""
    from derive.publish.models_part import models_frames

    frame = models_frames(None)[-1]
    lines = frame.splitlines()
    assert lines[0].startswith(r"\begin{frame}{Conjugate updates") and not lines[1].startswith("{")
    assert r"prior and likelihood & posterior mean & MAP \\" in frame and frame.count(r"\displaystyle") >= 8


def _math_of_markdown(md: str) -> list[str]:
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", md, flags=re.S)
    rest = re.sub(r"\$\$\n.*?\n\$\$", "", md, flags=re.S)
    return blocks + re.findall(r"\$([^$\n]+)\$", rest)


def test_markdown_is_katex_safe(subset_build):
    md = (subset_build / "derivations.md").read_text()
    math = _math_of_markdown(md)
    assert any(r"\begin{aligned}" in m for m in math)
    assert r"\begin{align*}" not in md
    used = {c for m in math for c in re.findall(r"\\([A-Za-z]+|.)", m)}
    assert used <= KATEX, f"not known to be in KaTeX: {sorted(used - KATEX)}"
    envs = set(re.findall(r"\\begin\{([a-z*]+)\}", md))
    assert envs <= {"aligned", "cases"}, envs
    assert "![Gaussian noise with fixed variance](figures/gaussian.png)" in md


def test_catalog_json(subset_build):
    data = json.loads((subset_build / "catalog.json").read_text())
    entries = {e["name"]: e for e in data["assumptions"]}
    assert list(entries) == SUBSET
    assert entries["gaussian"]["figure"] == {"pdf": "figures/gaussian.pdf", "png": "figures/gaussian.png"}
    assert entries["gaussian"]["loss"]["latex"] == r"(y - \hat{y})^{2}"


def test_two_builds_are_byte_identical(tmp_path):
    only = ["gaussian", "categorical", "poisson"]
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in publish.build(tmp_path / "a", only=only)}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in publish.build(tmp_path / "b", only=only)}
    assert first.keys() == second.keys() and any(p.suffix == ".pdf" for p in first)
    assert [p for p in first if first[p] != second[p]] == []
    pdf = first[Path("figures/gaussian.pdf")]
    assert b"CreationDate" not in pdf and b"matplotlib" not in pdf.lower()


def test_formats_and_log_option(tmp_path):
    written = publish.build(tmp_path, only=["bernoulli"], formats=("md",), config=PrinterConfig(log="ln"))
    assert {p.name for p in written if p.parent == tmp_path} == {"derivations.md"}
    md = (tmp_path / "derivations.md").read_text()
    assert r"\ln \hat{y}" in md and not re.search(r"\\log(?![_a-zA-Z])", md)


def test_bad_options_name_what_is_known(tmp_path):
    with pytest.raises(ConfigError, match=r"^unknown format\(s\) pdf; known: tex, slides, md, json$"):
        publish.parse_formats("tex,pdf")
    with pytest.raises(UnknownAssumption, match=r"^unknown assumption 'nope'; known: gaussian"):
        publish.build(tmp_path, only=["nope"])


def test_cli_build(tmp_path, capsys):
    out = tmp_path / "out"
    code = cli.main(["build", "--only", "gaussian,bernoulli", "--format", "tex,md,slides,json", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert f"wrote {out / 'derivations.tex'}" in printed and "figure files" in printed
    assert cli.main(["build", "--format", "docx", "--out", str(out)]) == cli.EXIT_BAD_INPUT


def test_cli_pdf_without_tex_says_so_before_writing_anything(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("derive.publish.pdf.tex_missing", lambda: ["latexmk", "beamer.cls"])
    code = cli.main(["build", "--only", "gaussian", "--format", "tex", "--out", str(tmp_path), "--pdf"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_BAD_INPUT
    assert "TeX is not available (missing: latexmk, beamer.cls)" in err and "texlive-latex-extra" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", derive.names())
def test_every_assumption_has_a_figure_or_a_reason(name):
    d = derive.derive(name)
    try:
        view = make_slice(d)
    except Skip as why:
        assert str(why)
        return
    assert view.target_values and view.prediction_tex


# --------------------------------------------------------------------------- information part


@pytest.fixture(scope="module")
def info_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("info")
    publish.build(out, only=["gaussian"], info=True, figures=False)
    return out


def test_information_part_only_for_the_whole_catalogue_unless_asked(subset_build, info_build):
    assert "sec:information" not in (subset_build / "derivations.tex").read_text()
    assert "information" not in json.loads((subset_build / "catalog.json").read_text())
    for name in ("derivations.tex", "slides.tex", "derivations.md"):
        assert "Entropy" in (info_build / name).read_text()


def test_article_works_the_weather_example_in_bits(info_build):
    tex = (info_build / "derivations.tex").read_text()
    part = tex[tex.index(r"\label{sec:information}"):]
    # the seed post's numbers: H(P) = 7/4, H(P, Q) = 5/2, KL = 3/4 bits; code lengths 1, 2, 3, 3
    assert re.search(r"H\(P\) &= .* = \\frac\{7\}\{4\} \\ \\text\{bits\}", part)
    assert re.search(r"H\(P, Q\) &= .* = \\frac\{5\}\{2\} \\ \\text\{bits\}", part)
    assert re.search(r"D_\{\\mathrm\{KL\}\}\(P \\,\\\|\\, Q\) &= .* = \\frac\{3\}\{4\} \\ \\text\{bits\}", part)
    table = re.findall(r"^(sunny|cloudy|rainy|snowy) & (.*) \\\\$", part, flags=re.M)
    assert [(name, row.split(" & ")[2]) for name, row in table] == [
        ("sunny", "$1$"), ("cloudy", "$2$"), ("rainy", "$3$"), ("snowy", "$3$")]
    # the lesson: class 2 of (0.1, 0.7, 0.2), numbered from 0, costs -log 0.2 = 1.609 nats
    assert r"-\log 0.2 = \log 5 \approx 1.609" in part


def test_article_has_every_identity_proved_and_every_closed_form(info_build):
    from derive.infotheory import FAMILIES, entropy_derivation, identities, kl_derivation, kl_pairs
    tex = (info_build / "derivations.tex").read_text()
    for identity in identities():
        section = tex[tex.index(r"\label{sec:%s}" % identity.name):]
        section = section[:section.index(r"\subsection", 1)]
        assert PROVED in section, identity.name
    for name in FAMILIES:
        assert entropy_derivation(name).lhs in tex
        if (name, name) in kl_pairs():  # the logistic has no closed-form KL within its family
            assert kl_derivation(name).lhs in tex
    assert r"\operatorname{polygamma}" not in tex and r"\psi(\alpha)" in tex


def test_information_markdown_is_katex_safe(info_build):
    md = (info_build / "derivations.md").read_text()
    math = _math_of_markdown(md[md.index("## Entropy, cross-entropy and KL divergence"):])
    used = {c for m in math for c in re.findall(r"\\([A-Za-z]+|.)", m)}
    assert used <= KATEX | INFO_KATEX, f"not known to be in KaTeX: {sorted(used - KATEX - INFO_KATEX)}"
    assert "| sunny | $\\frac{1}{2}$ | $\\frac{1}{8}$ | $1$ | $3$ |" in md


def test_information_json(info_build):
    from derive.infotheory import FAMILIES, identities
    info = json.loads((info_build / "catalog.json").read_text())["information"]
    weather = info["weather"]
    assert [sp.sympify(weather[k]["srepr"]) for k in ("entropy", "cross_entropy", "kl")] == [
        sp.Rational(7, 4), sp.Rational(5, 2), sp.Rational(3, 4)]
    assert weather["code_lengths_p"] == ["1", "2", "3", "3"] and weather["unit"] == "bits"
    assert sp.sympify(info["true_class"]["cost"]["srepr"]) == -sp.log(sp.Rational(1, 5))
    assert [i["name"] for i in info["identities"]] == [i.name for i in identities()]
    assert all(i["proved"] for i in info["identities"])
    assert [f["name"] for f in info["families"]] == list(FAMILIES)


def test_only_information(tmp_path):
    written = publish.build(tmp_path, only=["information"], formats=("tex", "json"))
    assert {p.name for p in written} == {"derivations.tex", "catalog.json"}  # no figures without assumptions
    data = json.loads((tmp_path / "catalog.json").read_text())
    assert data["assumptions"] == [] and "information" in data
    tex = (tmp_path / "derivations.tex").read_text()
    assert r"\label{sec:information}" in tex and r"\label{sec:gaussian}" not in tex


def test_catalog_and_article_state_the_relation_to_each_framework_function(subset_build):
    entries = {e["name"]: e for e in json.loads((subset_build / "catalog.json").read_text())["assumptions"]}
    mse = next(p for p in entries["gaussian"]["peers"] if p["function"] == "torch.nn.functional.mse_loss")
    d = derive.derive("gaussian")
    assert sp.sympify(mse["scale"]["srepr"]) == d.scale  # NLL = mse/(2 sigma^2) + ..., no 1/2 in mse_loss
    assert sp.sympify(entries["poisson"]["deviance"]["srepr"]) == derive.derive("poisson").deviance
    tex = (subset_build / "derivations.tex").read_text()
    assert tex.count("The framework functions that compute it") == sum(bool(e["peers"]) for e in entries.values())
    assert r"\texttt{mse\_loss(yhat, y)}" in tex


def test_show_json_runs_no_reference_check(monkeypatch, capsys):
    import derive.checks

    def refuse(*args, **kwargs):
        raise AssertionError("show --format json ran a reference check")

    monkeypatch.setattr(derive.checks, "check", refuse)
    monkeypatch.setattr("derive.publish.context.check", refuse)
    assert cli.main(["show", "bernoulli", "--format", "json"]) == 0
    entry = json.loads(capsys.readouterr().out)
    assert "references" not in entry
    loss = sp.sympify(entry["loss"]["srepr"])
    named = {s.name: s for s in loss.free_symbols}
    y, yhat = named["y"], named["yhat"]
    assert sp.expand(loss - (-y * sp.log(yhat) - (1 - y) * sp.log(1 - yhat))) == 0


PRINTER_MODULES = ("derive/latex/printer.py", "derive/latex/measure.py", "derive/latex/layout.py",
                   "derive/latex/emit.py", "derive/latex/render.py")
OUTPUT_MODULES = PRINTER_MODULES + ("derive/serialize.py", "derive/figures.py", "derive/config.py", "derive/cli.py")


def _output_sources() -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    return sorted((root / "derive/publish").glob("*.py")) + [root / m for m in OUTPUT_MODULES]


def test_output_modules_are_small_and_import_no_private_names():
    import ast

    for path in _output_sources():
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, f"{path.name} has more than 600 lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("derive"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports private {private} from {node.module}"


def test_the_printer_layer_does_not_import_the_documents():
    import ast

    root = Path(__file__).resolve().parents[1]
    for path in [root / m for m in PRINTER_MODULES + ("derive/serialize.py",)]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("derive.publish", "derive.checks", "derive.equivalence")), \
                    f"{path.name} imports {node.module}"


# --------------------------------------------------------------------------- a build never loses a file


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_file_derive_did_not_write_is_never_overwritten(tmp_path):
    mine = tmp_path / "derivations.tex"
    mine.write_text("my own notes\n")
    with pytest.raises(BuildError, match=r"derivations\.tex was not written by derive build.*--force"):
        publish.build(tmp_path, only=["gaussian"], formats=("tex",))
    assert _snapshot(tmp_path) == {"derivations.tex": b"my own notes\n"}
    publish.build(tmp_path, only=["gaussian"], formats=("tex",), force=True)
    assert mine.read_text().startswith("\\documentclass")


def test_a_file_changed_since_derive_wrote_it_is_a_clash(tmp_path):
    publish.build(tmp_path, only=["gaussian"], formats=("md",))
    edited = tmp_path / "derivations.md"
    edited.write_text(edited.read_text() + "\nmy remark\n")
    with pytest.raises(BuildError, match=r"derivations\.md was not written by derive build, or was changed since"):
        publish.build(tmp_path, only=["gaussian"], formats=("md",))
    assert edited.read_text().endswith("my remark\n")
    # unchanged files of an earlier build are derive's own: rebuilt without --force
    publish.build(tmp_path, only=["gaussian"], formats=("json",))
    publish.build(tmp_path, only=["bernoulli"], formats=("json",))
    assert '"name": "bernoulli"' in (tmp_path / "catalog.json").read_text()


def test_an_interrupted_build_leaves_the_previous_outputs_intact(tmp_path, monkeypatch):
    publish.build(tmp_path, only=["gaussian"], formats=("tex", "md"))
    before = _snapshot(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("derive.publish.markdown.markdown", interrupted)  # the builder imports it when it writes
    with pytest.raises(KeyboardInterrupt):
        publish.build(tmp_path, only=["bernoulli"], formats=("tex", "md"))
    assert _snapshot(tmp_path) == before  # no new figure, no half-written document, no staging folder


def test_a_stale_pdf_beside_a_new_tex_is_removed(tmp_path):
    publish.build(tmp_path, only=["gaussian"], formats=("tex",))
    manifest = json.loads((tmp_path / publish.MANIFEST).read_text())
    pdf = tmp_path / "derivations.pdf"
    pdf.write_bytes(b"%PDF-1.5 an old compile")
    manifest["files"]["derivations.pdf"] = __import__("hashlib").sha256(pdf.read_bytes()).hexdigest()
    (tmp_path / publish.MANIFEST).write_text(json.dumps(manifest))
    publish.build(tmp_path, only=["bernoulli"], formats=("tex",))
    assert not pdf.exists()
    assert "derivations.pdf" not in json.loads((tmp_path / publish.MANIFEST).read_text())["files"]


@pytest.mark.parametrize("only, out, message", [
    ([","], None, r"^--only names no entry"),
    (["gaussian", "nope"], None, r"^unknown assumption 'nope'; known: gaussian.*information$"),
    (["gaussian"], "file", r"^--out .*: is a file, not a folder$"),
    (["gaussian"], "file/below", r"^--out .*: .* is a file, not a folder$"),
])
def test_bad_requests_fail_before_anything_is_written(tmp_path, only, out, message):
    (tmp_path / "file").write_text("x")
    target = tmp_path / (out or "out")
    with pytest.raises(DeriveError, match=message):
        publish.build(target, only=[n for item in only for n in item.split(",")])
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["file"]


def test_a_tex_failure_is_our_error_with_the_first_error_line(tmp_path, monkeypatch):
    if publish.tex_missing():
        pytest.skip("TeX Live is not installed")
    import derive.publish.article as article_module

    monkeypatch.setattr(article_module, "INTRO", r"Broken \undefinedmacro here.")
    with pytest.raises(BuildError, match=r"latexmk failed on derivations\.tex.*! Undefined control sequence.*"
                                         r"full log: .*\.log; nothing was written"):
        publish.build(tmp_path / "out", only=["gaussian"], formats=("tex",), pdf=True, tex_timeout=120)
    assert not (tmp_path / "out" / "derivations.tex").exists()


def test_a_tex_timeout_is_our_error(tmp_path, monkeypatch):
    import subprocess

    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs.get("timeout"))

    monkeypatch.setattr("derive.publish.pdf.tex_missing", lambda: [])
    monkeypatch.setattr("derive.publish.pdf.subprocess.run", slow)
    with pytest.raises(BuildError, match=r"^TeX timed out on slides\.tex after 5 s; nothing was written$"):
        publish.build(tmp_path, only=["gaussian"], formats=("slides",), pdf=True, tex_timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_progress_line_only_on_a_terminal(tmp_path):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    quiet, shown = cli.ProgressLine(io.StringIO()), cli.ProgressLine(Terminal())
    publish.build(tmp_path / "a", only=["gaussian", "bernoulli"], formats=("md",), progress=quiet, cache=False)
    publish.build(tmp_path / "b", only=["gaussian", "bernoulli"], formats=("md",), progress=shown, cache=False)
    shown.done()
    assert quiet.stream.getvalue() == ""
    text = shown.stream.getvalue()
    assert "deriving gaussian (1/2, 1 left)" in text and "deriving bernoulli (2/2, 0 left)" in text
    assert "writing derivations.md" in text and text.endswith("\r")


# --------------------------------------------------------------------------- notation a lecturer can show


def _step(d, label):
    (step,) = [s for s in d.steps if s.label == label]
    return step


@pytest.mark.parametrize("name", ["categorical", "categorical_logits", "categorical_smoothed"])
def test_the_hard_label_row_is_the_dataset_loss_at_the_true_classes(name):
    d = derive.derive(name)
    step = _step(d, "hard_label")
    assert step.lhs == r"\bar{\ell}" and "at }" not in step.lhs
    n = [s for s in step.expr.free_symbols if s.name == "n"][0]
    two = step.expr.subs(n, 2).doit()
    # independent: each example's loss at y_i = e_{c_i}, written from the single-example form
    single = d.hard_label
    (c,) = [s for s in single.free_symbols if s.name == "c"]
    bases = {s.base.label.name: s.base for s in two.atoms(sp.Indexed)}
    expected = 0
    for i in (1, 2):
        c_i = bases["c"][i]
        expected += single.replace(lambda e: isinstance(e, sp.Indexed) and e.base.label.name != "c",
                                   lambda e: bases[e.base.label.name][(i, *e.indices)]).xreplace({c: c_i}).doit()
    assert sp.simplify(two - expected / 2) == 0


def test_the_dataset_row_indexes_every_parameter_by_example():
    d = derive.derive("gaussian_variance")
    assert _step(d, "dataset").lhs.endswith(r"p(y_i \mid \mu_i, v_i)")


@pytest.mark.parametrize("name", derive.names())
def test_no_derivation_writes_proportional_for_equal_up_to_a_constant(name):
    d = derive.derive(name)
    assert all(s.relation != r"\propto" for s in d.steps)
    assert _step(d, "loss").lhs.startswith(r"\ell(") and r"\text{const.}" in _step(d, "loss").note


GENERIC = {"p", "L", "Z", "H", "P", "i", "n", "d", "c", "e", "k", "K", "u", "a"}
STRUCTURE = {r"\frac", r"\log", r"\prod", r"\sum", r"\int", r"\mid", r"\mathcal", r"\tilde", r"\hat", r"\bar",
             r"\ell", r"\text", r"\left", r"\right", r"\,"}


def _vocabulary(tex: str) -> set[str]:
    tex = re.sub(r"\\(?:text|operatorname|mathrm)\{[^}]*\}", "", tex)  # words, not symbols
    return set(re.findall(r"\\[A-Za-z]+|[A-Za-z]", tex)) - STRUCTURE


@pytest.mark.parametrize("name", derive.names())
def test_one_symbol_vocabulary_per_derivation(name):
    """Every left side and note uses the derivation's own symbols (and p, L, Z, H, i, n, ...):
    no x_i, no Q(x; theta) in the middle of a derivation written in y_i and p(y_i | ...)."""
    from derive.latex.printer import latex

    d = derive.derive(name)
    a = d.assumption
    own = set()
    for s in d.data + d.params + d.fixed + ((a.link.mean,) if a.link is not None else ()):
        own |= _vocabulary(latex(s))
    if a.vector_index is not None:
        own |= _vocabulary(latex(a.vector_index[0])) | {"j"}
    if a.quasi is not None:
        own |= {"Q", "V", "t"}
    for _, mean in a.expected_data or ():  # an expected target: E_{y' ~ t}[...]
        own |= _vocabulary(latex(mean)) | {"t", "E", r"\mathbb", r"\sim"}
    for step in d.steps:
        notes = "" if step.label == "assumption" else step.note  # the family's own notation (N, Gamma)
        for math in (step.lhs or "", " ".join(re.findall(r"\$([^$]*)\$", notes))):
            stray = _vocabulary(math) - own - GENERIC
            assert not stray, f"{name}, step {step.label}: {sorted(stray)} in {math!r}"


@pytest.mark.parametrize("name", [n for n in derive.names() if derive.derive(n).assumption.kernel])
def test_a_kernel_is_not_called_the_density_before_its_normaliser(name):
    d = derive.derive(name)
    labels = [s.label for s in d.steps]
    before = d.steps[:labels.index("density")]
    assert _step(d, "assumption").lhs.startswith(r"\tilde{p}(")
    assert not any((s.lhs or "").startswith("p(") for s in before)


def test_no_two_figures_are_the_same_and_captions_say_where_they_are_drawn(tmp_path):
    import hashlib
    from derive.figures import write_figures

    derivations = [derive.derive(n) for n in derive.names()]
    overview, each = write_figures(derivations, tmp_path)
    files = sorted((tmp_path / "figures").glob("*.png"))
    digests = {}
    for f in files:
        digests.setdefault(hashlib.sha256(f.read_bytes()).hexdigest(), []).append(f.name)
    assert [names for names in digests.values() if len(names) > 1] == []
    assert "Drawn at $k = 2$" in each["gamma"].caption and r"$\nu = 2$" in each["student_t"].caption


def test_an_overview_of_one_curve_is_not_drawn(tmp_path):
    from derive.figures import overview_figure

    fig = overview_figure([derive.derive(n) for n in ("gaussian", "bernoulli", "categorical")], tmp_path)
    assert fig.stem is None and "fewer than two" in fig.note


def test_textbook_forms_in_the_documents(subset_build):
    tex = (subset_build / "derivations.tex").read_text()
    assert r"\frac{1}{2} \log(2 \pi)" in tex and r"\frac{1}{2} \log 2 + \frac{1}{2} \log \pi" not in tex
    assert r"\propto" not in tex.replace(r"p(y) \propto", "")


def test_slides_have_dividers_a_closing_summary_and_the_project_title(tmp_path):
    from derive.config import ProjectConfig

    project = ProjectConfig(title="Losses as likelihoods", subtitle="Week 3", author="A. Lecturer", date="Spring")
    publish.build(tmp_path, only=["gaussian", "bernoulli", "information"], formats=("slides", "tex", "md"),
                  project=project)
    deck = (tmp_path / "slides.tex").read_text()
    assert r"\title{Losses as likelihoods}" in deck and r"\author{A. Lecturer}" in deck
    assert "Generated by" not in deck
    assert deck.count(r"\section{") == 2 and r"\begin{frame}{Summary}" in deck
    assert deck.index(r"\begin{frame}{Summary}") > deck.index(r"\section{Entropy, cross-entropy and KL divergence}")
    assert "Proved by SymPy." not in deck and "as PyTorch numbers its labels" not in deck
    assert r"\title{Losses as likelihoods\\[0.4em]\large Week 3}" in (tmp_path / "derivations.tex").read_text()
    assert (tmp_path / "derivations.md").read_text().startswith("# Losses as likelihoods: Week 3\n\n*A. Lecturer, Spring*")


def _fewest_single_row_frames(heights: list[float], budget: float) -> int:
    """Over every way to cut the rows into consecutive frames of at most ``budget`` (each row
    alone always allowed), the fewest frames holding a single row: exhaustive, 2^(n-1) cuts."""
    n, best = len(heights), len(heights)
    for cuts in range(2 ** (n - 1)):
        frames, start = [], 0
        for k in range(1, n + 1):
            if k == n or cuts >> (k - 1) & 1:
                frames.append(heights[start:k])
                start = k
        if all(len(f) == 1 or sum(f) <= budget for f in frames):
            best = min(best, sum(len(f) == 1 for f in frames))
    return best


@pytest.mark.parametrize("name", derive.names())
def test_no_slide_frame_holds_a_single_row_that_could_share_one(name):
    """A frame of steps holds two rows or more, unless no cut of the rows into frames that fit
    has fewer single rows (a row taller than half a frame next to another: the hurdle NB's)."""
    from derive.latex.layout import STEPS_BUDGET, row_heights
    from derive.publish.context import STATED

    d = pickle.loads(pickle.dumps(derive.derive(name)))  # as the build has it: after the cache's pickle trip
    rows = layout_rows(d.steps, params=d.params, layout=SLIDE, silent=STATED)
    for layout in (None, SLIDE):  # as the deck groups them: notes beside their rows cost no height
        groups = frames_of_rows(rows, STEPS_BUDGET, STEPS_BUDGET, layout)
        singles = sum(len(g) == 1 for g in groups)
        fewest = _fewest_single_row_frames(row_heights(rows, layout), STEPS_BUDGET)
        assert singles <= fewest, [len(g) for g in groups]


def test_classes_numbered_from_zero_everywhere_when_asked(tmp_path):
    from derive.config import ProjectConfig

    publish.build(tmp_path, only=["categorical", "information"], formats=("tex",), project=ProjectConfig(class_base=0))
    tex = (tmp_path / "derivations.tex").read_text()
    derived = "".join(re.findall(r"\\begin\{align\*\}.*?\\end\{align\*\}", tex, flags=re.S))
    assert r"\sum_{k=0}^{K - 1}" in derived and r"\sum_{k=1}^{K}" not in derived
    assert r"H(e_{2}, \hat{y}) = -\log \hat{y}_{2}" in tex  # the lesson's class 2 of 0, 1, 2


def test_markdown_has_no_text_github_shows_literally(subset_build):
    md = (subset_build / "derivations.md").read_text()
    assert "``" not in md and "''" not in md and "\\ in" not in md


# --------------------------------------------------------------------------- the project file


def test_project_file_and_init(tmp_path, capsys):
    from derive.config import ProjectConfig, load_project

    target = tmp_path / "derive.toml"
    assert cli.main(["init", str(target)]) == 0
    assert load_project(folder=tmp_path) == ProjectConfig(source=str(target))
    assert cli.main(["init", str(target)]) == cli.EXIT_BAD_INPUT
    assert "exists; nothing was written (pass --force" in capsys.readouterr().err
    target.write_text('title = "Week 3"\nentries = ["bernoulli", "gaussian"]\nparts = ["catalogue"]\nlog = "ln"\n')
    out = tmp_path / "out"
    assert cli.main(["build", "--config", str(target), "--out", str(out), "--format", "json,md"]) == 0
    entries = json.loads((out / "catalog.json").read_text())
    assert [e["name"] for e in entries["assumptions"]] == ["bernoulli", "gaussian"] and "information" not in entries
    assert (out / "derivations.md").read_text().startswith("# Week 3:") and r"\ln" in (out / "derivations.md").read_text()
    (tmp_path / "bad.toml").write_text('titel = "x"\n')
    with pytest.raises(ConfigError, match=r"^unknown setting\(s\) titel in .*bad\.toml; known: title, subtitle"):
        load_project(tmp_path / "bad.toml")
    (tmp_path / "pyproject.toml").write_text('[tool.derive]\nclass_base = 2\n')
    with pytest.raises(ConfigError, match=r"class_base=2"):
        load_project(tmp_path / "pyproject.toml")


# --------------------------------------------------------------------------- gradient and stable-form rows


@pytest.mark.parametrize("name, wrt", [("bernoulli_logits", "z"), ("poisson_log", "z"), ("gaussian", "yhat"),
                                       ("laplace", "yhat"), ("bernoulli", "yhat"), ("logistic", "yhat")])
def test_the_gradient_row_read_back_is_the_derivative_of_the_loss(name, wrt):
    """The committed article's row d ell / d param = ..., read back by the LaTeX reader, is SymPy's
    derivative of the entry's loss (a proof, under the entry's domains), not just a formula."""
    from derive import equivalent, parse_latex

    d = derive.derive(name)
    (param,) = [p for p in d.params if str(p) == wrt]
    text = (Path(__file__).parents[1] / "outputs" / "derivations.tex").read_text(encoding="utf-8")
    section = text[text.index(rf"\label{{sec:{name}}}"):]
    section = section[:section.index(r"\section{")]
    row = re.search(r"\\frac\{\\partial \\ell\}\{\\partial [^}]*\}\}? &= (.*?)(?: \\\\\n| &&|\n\\end)", section)
    assert row, f"no gradient row in the section on {name}"
    shown = parse_latex(row.group(1))
    names = {s.name: s for s in d.loss.free_symbols}
    shown = shown.xreplace({s: names[s.name] for s in shown.free_symbols if s.name in names})
    verdict = equivalent(shown, sp.diff(d.loss, param), timeout=30)
    assert verdict.holds is True and not verdict.numerical, (name, row.group(1), verdict)


def test_every_section_has_its_gradient_or_says_why_not():
    text = (Path(__file__).parents[1] / "outputs" / "derivations.tex").read_text(encoding="utf-8")
    for name in derive.names():
        section = text[text.index(rf"\label{{sec:{name}}}"):]
        section = section[:section.index(r"\section{")] if r"\section{" in section else section
        assert (r"\frac{\partial \ell}{\partial" in section or "No gradient is derived here" in section
                or r"long in closed form; \texttt{derive.gradient} gives it" in section), name
    for name in ("derivations.tex", "slides.tex", "derivations.md"):  # no control character (a "\t" in a string)
        written = (Path(__file__).parents[1] / "outputs" / name).read_text(encoding="utf-8")
        assert not re.search(r"[\x00-\x08\x0b-\x1f]", written), name
    slides = (Path(__file__).parents[1] / "outputs" / "slides.tex").read_text(encoding="utf-8")
    from derive.publish.training import CLASSIC

    for name in CLASSIC:
        assert rf"{derive.derive(name).assumption.title}: the gradient" in slides.replace(r"\_", "_"), name


# --------------------------------------------------------------------------- your symbols


def test_rename_symbols_works_on_tokens_not_letters():
    from derive.latex.tokens import rename_symbols

    renames = {"y": "t", r"\hat{y}": r"\mu"}
    assert rename_symbols(r"-\log p(y \mid \hat{y}) + y_{ik} \hat{y}_{i}x", renames) == \
        r"-\log p(t \mid \mu) + t_{ik} \mu_{i}x"
    assert rename_symbols(r"\text{only y} + \operatorname{erfy}(y) + \mathrm{dy}", renames) == \
        r"\text{only y} + \operatorname{erfy}(t) + \mathrm{dy}"
    assert rename_symbols(r"\hat{y}x", {r"\hat{y}": r"\mu"}) == r"\mu x"  # not \mux
    assert rename_symbols(r"\sigma^{2} + yy", {"y": "t"}) == r"\sigma^{2} + tt"


def test_a_build_in_your_symbols_writes_them_everywhere(tmp_path):
    """t for the targets and mu for the prediction: the formulas, the notes, the statement,
    the references of catalog.json and the figures' labels; no y-hat is left anywhere."""
    from derive.config import ProjectConfig

    project = ProjectConfig(symbols=(("y", "t"), (r"\hat{y}", r"\mu")))
    out = tmp_path / "renamed"
    publish.build(out, only=["gaussian", "bernoulli"], project=project, config=project.printer(), cache=False)
    plain = tmp_path / "plain"
    publish.build(plain, only=["gaussian", "bernoulli"], cache=False)
    for name in ("derivations.tex", "derivations.md", "slides.tex", "catalog.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert r"hat{y}" not in text, name
    tex = (out / "derivations.tex").read_text(encoding="utf-8")
    assert r"\ell(\mu) &= (t - \mu)^{2}" in tex and r"t \sim \mathcal{N}(\mu, \sigma^2)" in tex
    assert r"terms free of $\mu$ are constants" in tex  # a note: its math renamed, its words kept
    assert "cross-entropy" in tex and "cross-entropt" not in tex
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))["assumptions"][0]
    assert catalog["loss"]["latex"] == r"(t - \mu)^{2}" and r"\mu" in catalog["references"][0]["latex"]
    assert catalog["symbols"] == {"data": ["y"], "params": ["yhat"], "fixed": ["sigma"]}  # names stay names
    assert (out / "figures" / "gaussian.png").read_bytes() != (plain / "figures" / "gaussian.png").read_bytes()


def test_a_renamed_symbol_may_not_take_the_name_of_another_and_bad_symbols_are_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["build", "--only", "gaussian_variance", "--symbol", r"v=\mu", "--out", str(out)]) == cli.EXIT_BAD_INPUT
    assert r"v -> \mu in gaussian_variance: \mu is already a symbol there" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main(["build", "--only", "gaussian", "--symbol", "y", "--out", str(out)]) == cli.EXIT_BAD_INPUT
    assert "write it as OLD=NEW" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="two symbols renamed to one"):
        PrinterConfig(symbols=(("y", "t"), ("z", "t")))
    (tmp_path / "derive.toml").write_text("[verify]\nparams = ['yhat']\n\n[symbols]\ny = 't'\n")
    from derive.config import load_project

    assert load_project(folder=tmp_path).symbols == (("y", "t"),)  # derive verify's table is left to it


def test_a_figure_the_build_no_longer_draws_is_removed_but_not_one_you_changed(tmp_path):
    out = tmp_path / "out"
    publish.build(out, only=["gaussian", "laplace", "bernoulli"], formats=["md"], cache=False)
    assert (out / "figures" / "laplace.png").is_file() and (out / "figures" / "bernoulli.png").is_file()
    (out / "figures" / "bernoulli.png").write_bytes(b"my own drawing")  # changed since derive wrote it
    publish.build(out, only=["gaussian"], formats=["md"], cache=False, force=True)
    assert (out / "figures" / "gaussian.png").is_file()
    assert not (out / "figures" / "laplace.png").exists() and not (out / "figures" / "laplace.pdf").exists()
    assert (out / "figures" / "bernoulli.png").read_bytes() == b"my own drawing"
    manifest = json.loads((out / ".derive-manifest.json").read_text())["files"]
    assert "figures/laplace.png" not in manifest  # yours keeps derive's record: changed since, never overwritten
    assert publish.builder._digest(out / "figures" / "bernoulli.png") != manifest["figures/bernoulli.png"]


def test_the_summary_table_breaks_a_long_loss_instead_of_shrinking_the_table():
    """Every loss of the table "assumption -> loss" is in it once, in order, in lines no wider
    than the cell (a long one broken by the split rules, read back as the derived loss), and no
    frame holds more than its lines (but for one row alone)."""
    from derive.latex.emit import text_escape
    from derive.latex.measure import tex_width
    from derive.latex.parse import parse_latex, readback_functions, readback_symbols
    from derive.publish.context import Context
    from derive.publish.slides import SUMMARY_CELL, SUMMARY_LINES, summary_frames

    ctx = Context(PrinterConfig(), {}, None)
    derivations = iter([derive.derive(n) for n in derive.names()])
    frames = summary_frames(list(derive.derive(n) for n in derive.names()), ctx)
    broken = 0
    for frame in frames:
        lines = 0
        cells = re.findall(r"^\$(.*?)\$ & (.*?) & \$(.*)\$ \\\\$", frame, flags=re.M)
        for _, name, loss in cells:
            d = next(derivations)
            assert name == text_escape(d.assumption.loss_name)
            parts = re.findall(r"&(?:\\quad )?(.*?)(?= \\\\|\\end\{aligned\})", loss) if "aligned" in loss else [loss]
            lines += len(parts)
            broken += len(parts) > 1
            assert all(tex_width(p) <= SUMMARY_CELL + 1.0 for p in parts), (d.name, parts)
            if len(parts) > 1:  # a broken loss reads back as the loss (one line: the printer's read-back test)
                read = parse_latex(" \\\\ &\\quad ".join(parts), symbols=readback_symbols(d.loss),
                                   functions=readback_functions(d.loss))
                assert read == d.loss or sp.simplify(read - d.loss) == 0, d.name
        assert lines <= SUMMARY_LINES or len(cells) == 1
    assert next(derivations, None) is None  # every entry has its row
    assert broken >= 3  # the zero-inflated and hurdle models' losses are longer than a cell
