"""`derive verify` on the corpus of hand-written derivations: every original step is proved,
and every mutated copy (a sign slip, a dropped factor, a wrong index or exponent) is refuted at
the line of the mutation, with no step before it refuted."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from derive.verify import Settings, verify_file

SLOW = Settings(timeout=30.0)  # a loaded machine must not turn a verdict into "undecided"

CORPUS = Path(__file__).parent / "verify_corpus"
ORIGINALS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".tex", ".md", ".ipynb"))
MUTANTS = tomllib.loads((CORPUS / "mutants.toml").read_text())["mutant"]


def test_the_corpus_has_thirty_derivations_each_with_a_mutant():
    assert len(ORIGINALS) >= 30
    mutated = {m["file"] for m in MUTANTS}
    assert mutated == {p.name for p in ORIGINALS}
    assert {m["kind"] for m in MUTANTS} >= {"sign slip", "dropped factor", "wrong index", "wrong exponent"}


@pytest.mark.parametrize("path", ORIGINALS, ids=lambda p: p.name)
def test_every_step_of_an_original_is_proved(path):
    report = verify_file(path, SLOW)
    assert report.error is None
    steps = [s for s in report.steps if s.status != "definition"]
    assert steps, "the derivation has no step"
    assert [(s.line, s.status, s.detail) for s in steps if s.status != "proved"] == []


def _mutate(mutant: dict, tmp_path: Path) -> tuple[Path, int, int | None]:
    source = (CORPUS / mutant["file"]).read_text(encoding="utf-8")
    assert source.count(mutant["find"]) == 1, "the text to mutate must occur exactly once"
    assert mutant["find"] != mutant["replace"]
    mutated = source.replace(mutant["find"], mutant["replace"])
    target = tmp_path / mutant["file"]
    target.write_text(mutated, encoding="utf-8")
    if target.suffix == ".ipynb":
        json.loads(mutated)  # still a notebook
        return target, mutant["line"], mutant["cell"]
    return target, source[:source.index(mutant["find"])].count("\n") + 1, None


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m['file']}:{m['kind']}:{m['replace'][:30]}")
def test_a_mutant_is_refuted_at_its_line(mutant, tmp_path):
    path, line, cell = _mutate(mutant, tmp_path)
    report = verify_file(path, SLOW)
    assert report.error is None
    refuted = [s for s in report.steps if s.status == "refuted"]
    assert refuted, [(s.line, s.status, s.detail) for s in report.steps]
    first = refuted[0]
    assert (first.line, first.cell) == (line, cell)
    before = [s for s in report.steps if (s.cell or 0, s.line) < (cell or 0, line)]
    assert all(s.status in ("proved", "definition") for s in before)
    if first.method != "sign" and "not proportional" not in first.detail:
        assert first.counterexample, "a refutation carries its counterexample"
