"""A lecturer's choices in every document: the parts and the entries in the order given, and
the classes numbered from 0 or 1 in the derived formulas and in the hand-written ones alike."""

from __future__ import annotations

import json
import re

import pytest

from derive import cli, publish
from derive.config import ConfigError, PrinterConfig, ProjectConfig
from derive.errors import BuildError
from derive.latex.layout import log_notation
from derive.latex.tokens import classes_from_zero
from derive.publish.builder import document_plan

TITLES = {"catalogue": None, "information": "Entropy, cross-entropy and KL divergence",
          "models": "Regularisers are priors"}
ENTRY_TITLES = {"bernoulli": "Bernoulli labels", "gaussian": "Gaussian noise with fixed variance"}


def _order(text: str, titles: list[str]) -> list[str]:
    """``titles`` in the order they first occur in ``text`` (each must occur)."""
    assert all(t in text for t in titles), [t for t in titles if t not in text]
    return sorted(titles, key=text.index)


# --------------------------------------------------------------------------- which parts, in which order


@pytest.mark.parametrize("only, project, info, expected", [
    (None, ProjectConfig(), None, (None, ("catalogue", "information", "models"))),
    (["gaussian"], ProjectConfig(), None, (["gaussian"], ("catalogue",))),
    (["information"], ProjectConfig(), None, ([], ("information",))),
    (["information", "gaussian"], ProjectConfig(), None, (["gaussian"], ("catalogue", "information"))),
    (["gaussian"], ProjectConfig(), True, (["gaussian"], ("catalogue", "information"))),
    (None, ProjectConfig(parts=("catalogue",)), None, (None, ("catalogue",))),  # no information part slipped in
    (None, ProjectConfig(entries=("bernoulli", "gaussian")), None,
     (["bernoulli", "gaussian"], ("catalogue", "information", "models"))),  # the models part too
    (None, ProjectConfig(entries=("bernoulli",), parts=("models", "catalogue")), None,
     (["bernoulli"], ("models", "catalogue"))),
    (["gaussian"], ProjectConfig(parts=("information", "catalogue")), None, (["gaussian"], ("information", "catalogue"))),
    (None, ProjectConfig(parts=("information", "catalogue", "models")), False, (None, ("catalogue", "models"))),
    (None, ProjectConfig(entries=("gaussian",), parts=("information",)), None, ([], ("information",))),
])
def test_the_plan_names_the_entries_and_the_parts_in_order(only, project, info, expected):
    names, parts = document_plan(only, project, info)
    want_names, want_parts = expected
    assert parts == want_parts
    if want_names is None:
        assert names[:2] == ["gaussian", "bernoulli"] and len(names) > 30  # the whole catalogue, its order
    else:
        assert names == want_names


def test_a_plan_that_contradicts_itself_or_is_empty_is_refused():
    with pytest.raises(BuildError, match=r"^--only names information, but parts \(models, catalogue\) leave it out"):
        document_plan(["information"], ProjectConfig(parts=("models", "catalogue")))
    with pytest.raises(BuildError, match=r"^nothing to build"):
        document_plan(["information"], ProjectConfig(), info=False)
    with pytest.raises(ConfigError, match=r"^parts: 'catalogue' listed twice"):
        ProjectConfig(parts=("catalogue", "information", "catalogue"))
    with pytest.raises(ConfigError, match=r"^parts: 'apendix'; known: catalogue, information, models"):
        ProjectConfig(parts=("apendix",))


@pytest.mark.parametrize("entries, parts", [
    (("bernoulli", "gaussian"), ("models", "catalogue")),
    (("gaussian", "bernoulli"), ("information", "catalogue")),
    (("bernoulli", "gaussian"), ("catalogue", "information")),
])
def test_every_document_gives_the_parts_and_entries_in_the_order_listed(tmp_path, entries, parts):
    project = ProjectConfig(entries=entries, parts=parts)
    publish.build(tmp_path, formats=("md", "tex", "slides", "json"), figures=False, project=project)
    left_out = [TITLES[p] for p in TITLES if p not in parts and TITLES[p]]
    # each part's heading, the catalogue read as its entries: the sections in the order given
    expected = [t for p in parts for t in ([ENTRY_TITLES[e] for e in entries] if p == "catalogue" else [TITLES[p]])]

    md = (tmp_path / "derivations.md").read_text()
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings == expected  # one level for every part: no part nests in another
    tex = (tmp_path / "derivations.tex").read_text()
    assert re.findall(r"\\section\{([^}]*)\}", tex) == expected
    deck = (tmp_path / "slides.tex").read_text()
    dividers = [TITLES[p] or "Every loss from its assumption" for p in parts]
    assert re.findall(r"\\section\*?\{([^}]*)\}", deck) == dividers + ["Summary"]
    frames = re.findall(r"\\begin\{frame\}\{([^}]*)\}", deck)
    entry_frames = [f for f in frames if f.split(" (")[0].split(":")[0] in ENTRY_TITLES.values()]
    assert list(dict.fromkeys(f.split(" (")[0].split(":")[0] for f in entry_frames)) == [ENTRY_TITLES[e] for e in entries]
    assert frames.index(entry_frames[-1]) < frames.index("Assumption $\\to$ loss") < frames.index("Summary")
    summary = deck[deck.index(r"\begin{frame}{Summary}"):]
    said = {"catalogue": "losses:", "information": "cross-entropy $H(P, Q)", "models": "negative log-prior"}
    assert _order(summary, [said[p] for p in parts]) == [said[p] for p in parts]
    for title in left_out:
        assert title not in md and title not in tex and title not in deck
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    keys = {"catalogue": "assumptions", "information": "information", "models": "models"}
    assert list(catalog) == [keys[p] for p in parts]
    assert [e["name"] for e in catalog["assumptions"]] == list(entries)


def test_the_cli_orders_the_parts(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["build", "--only", "bernoulli", "--parts", "information,catalogue", "--format", "md",
                     "--out", str(out)]) == 0
    md = (out / "derivations.md").read_text()
    assert [line for line in md.splitlines() if line.startswith("## ")] == [
        "## Entropy, cross-entropy and KL divergence", "## Bernoulli labels"]
    assert cli.main(["build", "--parts", "catalogue,apendix", "--out", str(tmp_path / "no")]) == cli.EXIT_BAD_INPUT
    assert "parts: 'apendix'; known: catalogue, information, models" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()
    starter = tmp_path / "derive.toml"
    assert cli.main(["init", str(starter)]) == 0
    assert "--parts models,catalogue" in starter.read_text()


# --------------------------------------------------------------------------- classes numbered from 0 or 1


@pytest.mark.parametrize("written, from_zero", [
    (r"-\sum_{k=1}^{K} y_k \log \hat{y}_k", r"-\sum_{k=0}^{K - 1} y_k \log \hat{y}_k"),
    (r"\log \sum_{j = 1}^K e^{z_j}", r"\log \sum_{j=0}^{K - 1} e^{z_j}"),
    (r"\prod^{K}_{k=1} p_k^{y_k}", r"\prod^{K - 1}_{k=0} p_k^{y_k}"),
    (r"\frac{1}{n}\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik}", r"\frac{1}{n}\sum_{i=1}^{n}\sum_{k=0}^{K - 1} y_{ik}"),
    (r"\operatorname{Categorical}(\hat{y}_1, \dots, \hat{y}_K)",
     r"\operatorname{Categorical}(\hat{y}_0, \dots, \hat{y}_{K - 1})"),
    (r"(N, p_{1}, \ldots, p_{K})", r"(N, p_0, \ldots, p_{K - 1})"),
    (r"\quad \sigma_1, \dots, \sigma_K", r"\quad \sigma_0, \dots, \sigma_{K - 1}"),
    # not over the classes: as written
    (r"\sum_{j=1}^{d} w_j^2 + \sum_{i=1}^{n} r_i", r"\sum_{j=1}^{d} w_j^2 + \sum_{i=1}^{n} r_i"),
    (r"\operatorname{NLL}(x_1, \dots, x_n)", r"\operatorname{NLL}(x_1, \dots, x_n)"),
    (r"\sum_{k=2}^{K} a_k", r"\sum_{k=2}^{K} a_k"),
])
def test_hand_written_classes_are_numbered_as_the_printer_numbers_them(written, from_zero):
    assert classes_from_zero(written) == from_zero
    assert log_notation(written, PrinterConfig(class_base=0)) == from_zero
    assert log_notation(written, PrinterConfig()) == written
    note = f"as in ${written}$, summed"
    assert log_notation(note, PrinterConfig(class_base=0), text=True) == f"as in ${from_zero}$, summed"


CLASSES = ["categorical", "categorical_logits", "categorical_smoothed", "multinomial", "gaussian_mixture",
           "gaussian_mixture_logits"]
FROM_ONE = re.compile(r"\\(?:sum|prod)\s*(?:_\{\s*\w+\s*=\s*1\s*\}\s*\^\s*\{?\s*K\s*\}?|\^\s*\{?\s*K\s*\}?\s*_\{\s*\w+\s*=\s*1\s*\})"
                      r"|_\{?1\}?,\s*\\[lc]?dots,\s*[^,]*_\{?K\}?")
FROM_ZERO = re.compile(r"=\s*0\s*\}\s*\^\s*\{\s*K\s*-\s*1\s*\}|_\{?0\}?,\s*\\[lc]?dots")


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    """The entries over classes, the information part and the models part, in each numbering."""
    outs = {}
    for base in (0, 1):
        out = tmp_path_factory.mktemp(f"from{base}")
        project = ProjectConfig(class_base=base, entries=tuple(CLASSES))
        publish.build(out, formats=("tex", "md", "slides"), figures=False, project=project)
        outs[base] = out
    return outs


@pytest.mark.parametrize("name", ["derivations.tex", "derivations.md", "slides.tex"])
def test_classes_from_zero_or_one_in_every_formula(numbered, name):
    zero, one = ((numbered[b] / name).read_text() for b in (0, 1))
    assert not FROM_ONE.findall(zero), FROM_ONE.findall(zero)[:3]
    assert not FROM_ZERO.findall(one), FROM_ZERO.findall(one)[:3]
    assert len(FROM_ZERO.findall(zero)) == len(FROM_ONE.findall(one)) > 40  # every one renumbered, none lost
    part = zero.index("Entropy, cross-entropy and KL divergence")
    assert "from 1" not in zero[:part]  # the information part names numbering from 1 as the mistake it is
    assert r"\sum_{j=0}^{K - 1} \alpha_{j}" in zero[zero.index("Regularisers are priors"):]  # the Dirichlet's update


def test_the_one_hot_example_picks_the_same_probability_in_either_numbering(numbered):
    picked = {}
    for base in (0, 1):
        tex = (numbered[base] / "derivations.tex").read_text()
        (probabilities, shown), = re.findall(r"\\hat\{y\} = \(([\d., ]+)\), \\quad c = (\d+)", tex)
        (cls, again, value), = re.findall(r"H\(e_\{(\d+)\}, \\hat\{y\}\) = -\\log \\hat\{y\}_\{(\d+)\} = -\\log ([\d.]+)",
                                          tex)
        vector = [float(p) for p in probabilities.split(",")]
        assert cls == again == shown and float(value) == vector[int(cls) - base]  # the class-th, counted from base
        picked[base] = (int(cls), float(value))
    assert picked[0][1] == picked[1][1] == 0.2 and picked[1][0] == picked[0][0] + 1


def test_the_renumbered_steps_verify_as_the_others_do(numbered):
    """``derive verify`` on the class_base=0 Markdown: the same verdict for each step as from 1."""
    from derive.verify import Settings, verify_file

    statuses = {}
    for base in (0, 1):
        md = (numbered[base] / "derivations.md").read_text()
        section = md[md.index("## Categorical labels over K classes"):md.index("## Categorical labels from logits")]
        path = numbered[base] / "categorical.md"
        path.write_text(section)
        statuses[base] = [s.status for s in verify_file(path, Settings()).steps]
    assert statuses[0] == statuses[1] and statuses[0].count("proved") >= 3 and "refuted" not in statuses[0]


def test_the_figures_number_their_classes_as_the_documents_do(tmp_path):
    """The two-class slice and the mixture's two components: labels from 0 or 1, the same curves."""
    import derive
    from derive.figures import assumption_figure, make_slice

    d = derive.derive("categorical")
    zero, one = make_slice(d, class_base=0), make_slice(d)
    assert (zero.prediction_tex, one.prediction_tex) == (r"\hat{y}_{0}", r"\hat{y}_{1}")
    assert [label.split("= ")[1] for label in zero.target_labels] == ["e_{0}$", "e_{1}$"]
    assert [label.split("= ")[1] for label in one.target_labels] == ["e_{1}$", "e_{2}$"]
    assert zero.loss == one.loss and zero.target_values == one.target_values  # the same curves, relabelled
    mixture = assumption_figure(derive.derive("gaussian_mixture"), tmp_path, class_base=0)
    assert r"$\mu_{0}$, $\mu_{1}$ ($K = 2$)" in mixture.caption and r"\mu_{2}" not in mixture.caption
