"""Batches of equivalence checks: derive.verify_many over executors (a process pool, threads, a
local Dask cluster) and `derive equiv --batch`, one verdict per JSON line."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sympy as sp

import derive
from derive import batch
from derive.errors import DeriveError
from equivalence_corpus import PAIRS

ROOT = Path(__file__).resolve().parents[1]

#: (pair, what the verdict must be): True proved, False refuted, by hand
KNOWN = [
    (("x + x", "2x"), True),
    ((r"(y-\hat{y})^2", r"y^2 - 2y\hat{y} + \hat{y}^2"), True),
    (("x", "x + 1"), False),
    ({"a": r"(y-\hat{y})^2", "b": r"\hat{y}^2 - 2y\hat{y}", "mode": "constant", "params": "yhat"}, True),
    ({"a": r"(y-\hat{y})^2", "b": r"y^2 - 2y\hat{y}", "mode": "constant", "params": ["yhat"]}, False),
]


def corpus_cases(count: int):
    """The first ``count`` pairs of the corpus with their expectation (mode, expected)."""
    cases = []
    for pair in PAIRS[:count]:
        for mode in pair.modes:
            cases.append(({"a": pair.a, "b": pair.b, "mode": mode, "params": list(pair.params) or None},
                          pair.expected(mode)))
        for mutant, mode in pair.mutant_cases()[:1]:
            cases.append(({"a": pair.a, "b": mutant, "mode": mode, "params": list(pair.params) or None}, False))
    return cases


def assert_known(verdicts, expected):
    assert len(verdicts) == len(expected)
    for verdict, want in zip(verdicts, expected):
        assert verdict.holds is want, verdict


def assert_consistent_with_corpus(verdicts, expected):
    """A true pair is never refuted, a mutant never proved (the corpus's own rule)."""
    assert len(verdicts) == len(expected)
    for verdict, want in zip(verdicts, expected):
        assert verdict.holds is not (not want), verdict


def test_default_executor_gives_each_pair_its_verdict_in_order():
    verdicts = derive.verify_many([pair for pair, _ in KNOWN])
    assert_known(verdicts, [want for _, want in KNOWN])
    refuted = verdicts[2].counterexample  # x against x + 1: b - a = 1 at the point, exactly
    assert sp.sympify(str(refuted["value_b"])) - sp.sympify(str(refuted["value_a"])) == 1


def test_a_thread_pool_is_an_executor_like_any_other():
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = derive.verify_many([pair for pair, _ in KNOWN], executor=pool)
    assert_known(verdicts, [want for _, want in KNOWN])


def test_one_slow_pair_does_not_stall_the_batch(monkeypatch):
    """A check that never returns in time comes back undecided after its own budget; the
    pairs after it get their verdicts."""
    release = threading.Event()
    real = batch.check_pair

    def check(pair, timeout):
        if pair.a == "slow":
            release.wait(120)  # far beyond the budget; returning means the watchdog failed
            return derive.Verdict(True, "should never be seen")
        return real(pair, timeout)

    monkeypatch.setattr(batch, "check_pair", check)
    monkeypatch.setattr(batch, "GRACE", 0.5)
    pairs = [("slow", "x")] + [pair for pair, _ in KNOWN]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            verdicts = derive.verify_many(pairs, executor=pool, timeout=1.0)
    finally:
        release.set()
    assert verdicts[0].holds is None and "time budget of 1 s" in verdicts[0].method
    assert_known(verdicts[1:], [want for _, want in KNOWN])


def test_bad_pair_raises_naming_it_or_comes_back_in_its_place():
    pairs = [("x", "x"), (r"\frac{", "x"), ("x", "x", "sideways")]
    with pytest.raises(DeriveError, match=r"^pair 1: cannot parse LaTeX"):
        derive.verify_many(pairs, executor=ThreadPoolExecutor(max_workers=1))
    got = derive.verify_many(pairs, executor=ThreadPoolExecutor(max_workers=1), errors="return")
    assert got[0].holds is True
    assert isinstance(got[1], DeriveError) and "cannot parse LaTeX" in str(got[1])
    assert isinstance(got[2], DeriveError) and "unknown mode 'sideways'" in str(got[2])


@pytest.mark.parametrize("item, message", [
    ({"a": "x"}, r"pair 0: missing 'b'"),
    ({"a": "x", "b": "x", "lhs": "y"}, r"pair 0: unknown key\(s\) 'lhs'"),
    ("x = x", r"pair 0: a pair is a mapping"),
    (("x",), r"pair 0: a pair is a mapping"),
    ({"a": "x", "b": "x", "mode": 3}, r"pair 0: mode must be a string"),
])
def test_malformed_pairs_are_named(item, message):
    with pytest.raises(DeriveError, match=message):
        derive.verify_many([item])


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), "5"])
def test_a_budget_must_be_a_positive_number(timeout):
    with pytest.raises(DeriveError, match="timeout must be a positive number"):
        derive.verify_many([("x", "x")], timeout=timeout)


def test_no_pairs_no_verdicts():
    assert derive.verify_many([]) == []


def test_verdict_record_serialises_every_field_even_new_ones():
    verdict = derive.equivalent(r"2(y-\hat{y})^2 + 3", r"(y-\hat{y})^2", params=["yhat"], mode="affine")
    assert verdict.holds is True
    record = json.loads(json.dumps(batch.verdict_record(verdict)))
    assert sp.sympify(record["scale"]) == 2 and sp.sympify(record["offset"]) == 3
    assert record["text"] == str(verdict)

    @dataclasses.dataclass(frozen=True)
    class Later(derive.Verdict):  # the Verdict gains fields; the record follows without a change
        assumptions: tuple = ()
        evidence: dict | None = None

    later = Later(None, "undecided: probe only", assumptions=(sp.Symbol("x") > 0,),
                  evidence={"points": 12, "worst": float("inf")})
    record = json.loads(json.dumps(batch.verdict_record(later)))
    assert record["assumptions"] == ["x > 0"]
    assert record["evidence"] == {"points": 12, "worst": "inf"}
    assert record["holds"] is None and record["method"] == "undecided: probe only"


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_a_local_dask_cluster_checks_the_batch(dask_client):
    cases = corpus_cases(6) + KNOWN
    verdicts = derive.verify_many([pair for pair, _ in cases], executor=dask_client.get_executor())
    assert_consistent_with_corpus(verdicts[:-len(KNOWN)], [want for _, want in cases[:-len(KNOWN)]])
    assert_known(verdicts[-len(KNOWN):], [want for _, want in KNOWN])
    workers = dask_client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2  # two worker processes, none of them this one


def test_dask_returns_bad_input_in_its_place(dask_client):
    got = derive.verify_many([(r"\frac{", "x"), ("x", "x")], executor=dask_client.get_executor(), errors="return")
    assert isinstance(got[0], DeriveError) and "cannot parse LaTeX" in str(got[0])
    assert got[1].holds is True


# --------------------------------------------------------------------------- the command


def run_batch(tmp_path, lines: list[str], *extra: str) -> subprocess.CompletedProcess:
    source = tmp_path / "pairs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "derive.cli", "equiv", "--batch", str(source), *extra],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_cli_batch_writes_one_verdict_per_line_in_order(tmp_path):
    lines = [json.dumps(pair if isinstance(pair, dict) else {"a": pair[0], "b": pair[1]}) for pair, _ in KNOWN]
    result = run_batch(tmp_path, lines[:2] + [""] + lines[2:], "-j", "2")
    assert result.returncode == 1, result.stderr  # one pair is refuted
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 2, 4, 5, 6]  # the blank line 3 is skipped
    assert [r["holds"] for r in records] == [want for _, want in KNOWN]


def test_cli_batch_exit_codes(tmp_path):
    assert run_batch(tmp_path, ['{"a": "x+x", "b": "2x"}']).returncode == 0
    bad = run_batch(tmp_path, ['{"a": "x+x", "b": "2x"}', "not json", '{"a": "x"}'])
    assert bad.returncode == 2
    records = [json.loads(line) for line in bad.stdout.splitlines()]
    assert records[0]["holds"] is True
    assert records[1] == {"line": 2, "error": records[1]["error"]} and records[1]["error"].startswith("line 2: not JSON")
    assert records[2]["error"] == "line 3: missing 'b'"


def test_cli_batch_refuses_formulas_beside_the_file_and_a_missing_file(tmp_path):
    both = subprocess.run([sys.executable, "-m", "derive.cli", "equiv", "x", "--batch", "-"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, input="")
    assert both.returncode == 2 and "give no formulas beside it" in both.stderr
    missing = subprocess.run([sys.executable, "-m", "derive.cli", "equiv", "--batch", str(tmp_path / "none.jsonl")],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert missing.returncode == 2 and "none.jsonl" in missing.stderr and "Traceback" not in missing.stderr
