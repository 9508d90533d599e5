"""Benchmarks for `derive`, printed as figures (never asserted in tests).

    python scripts/bench.py            # everything
    python scripts/bench.py derive     # one section: import, derive, build, parse, equiv, info
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _summary(label: str, seconds: list[float]) -> None:
    print(f"{label:<34} n={len(seconds):<4} median {statistics.median(seconds) * 1e3:9.1f} ms"
          f"   max {max(seconds) * 1e3:9.1f} ms   total {sum(seconds):7.2f} s")


def bench_import() -> None:
    runs = [_timed(lambda: subprocess.run([sys.executable, "-c", "import derive"], check=True, cwd=ROOT))
            for _ in range(5)]
    _summary("import derive (fresh process)", runs)


def bench_derive() -> None:
    from derive.assumptions import get, names
    from derive.engine import run

    times = {name: _timed(lambda name=name: run(get(name))) for name in names()}
    for name, seconds in times.items():
        print(f"  derive {name:<26} {seconds * 1e3:9.1f} ms")
    _summary("derive, per assumption", list(times.values()))


def bench_build() -> None:
    from derive.publish import build

    with tempfile.TemporaryDirectory() as out:
        print(f"{'derive build (in-process, cold)':<34} {_timed(lambda: build(out)):7.2f} s")


def bench_parse() -> None:
    from derive.errors import ParseError
    from derive.latex.parse import parse_latex
    from latex.test_parse import CORPUS_BAD, CORPUS_GOOD

    def attempt(text: str) -> None:
        try:
            parse_latex(text)
        except ParseError:
            pass

    formulas = [tex for _, tex, _ in CORPUS_GOOD + CORPUS_BAD]
    _summary("parse, per LATEX.md formula", [_timed(lambda t=t: attempt(t)) for t in formulas])


def bench_equiv() -> None:
    """Verdict latency over the equivalence corpus and its mutants: median, p90, max.  With
    BENCH_VERDICTS=FILE set, each case's verdict is written there (one per line) to compare runs."""
    import os

    from derive.equivalence import equivalent
    from equivalence_corpus import PAIRS

    times, decided, lines = [], 0, []
    for pair in PAIRS:
        cases = [(pair.b, mode) for mode in pair.modes] + pair.mutant_cases()
        for other, mode in cases:
            start = time.perf_counter()
            verdict = equivalent(pair.a, other, params=pair.params or None, mode=mode,
                                 assume=getattr(pair, "assume", None) or None)
            times.append(time.perf_counter() - start)
            decided += verdict.holds is not None
            lines.append(f"{pair.id}\t{mode}\t{other}\t{verdict.holds}\t{verdict.method}\t{times[-1]:.3f}")
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    print(f"{'equivalent, per corpus case':<34} n={len(times):<4} median {statistics.median(times) * 1e3:9.1f} ms"
          f"   p90 {p90 * 1e3:9.1f} ms   max {max(times) * 1e3:9.1f} ms   total {sum(times):7.2f} s")
    print(f"{'decided (not undecided)':<34} {decided} of {len(times)} ({100 * decided / len(times):.1f}%)")
    if os.environ.get("BENCH_VERDICTS"):
        Path(os.environ["BENCH_VERDICTS"]).write_text("\n".join(lines) + "\n")


def bench_info() -> None:
    """Closed forms and identities, each from a cold cache (a build before it fills them)."""
    from derive.infotheory import FAMILIES, closed_forms, identity, kl_pairs

    for cached in (closed_forms.entropy_derivation, closed_forms._kl_derivation, identity._all):
        cached.cache_clear()
    entropy = [_timed(lambda f=f: closed_forms.entropy_derivation(f)) for f in FAMILIES]
    _summary("entropy closed form, per family", entropy)
    kl = [_timed(lambda pair=pair: closed_forms.kl_derivation(*pair)) for pair in kl_pairs()]
    _summary("KL closed form, per registered pair", kl)
    print(f"{'identities (8), proved':<34} {_timed(identity.identities):9.2f} s")


SECTIONS = {"import": bench_import, "derive": bench_derive, "build": bench_build,
            "parse": bench_parse, "equiv": bench_equiv, "info": bench_info}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(SECTIONS)
    for section in chosen:
        try:
            SECTIONS[section]()
        except ImportError as missing:
            print(f"{section}: skipped ({missing})")
