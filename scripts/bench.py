"""Benchmarks for `derive`, printed as figures (never asserted in tests).

    python scripts/bench.py            # everything
    python scripts/bench.py derive     # one section: import, derive, build, parse, equiv, info, codegen
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
    """Parse time per formula over the development corpora (read or refused alike), and the
    round trip of every expression `derive build` prints."""
    from derive.errors import ParseError
    from derive.latex.parse import parse_latex
    from latex.corpus import DEVELOPMENT_CORPUS
    from latex.sympy_pairs import PAIRS
    from latex.textbook_corpus import ROWS

    def attempt(text: str, options: dict | None = None) -> None:
        try:
            parse_latex(text, **(options or {}))
        except ParseError:
            pass

    corpora = {
        "parse, per development formula": [(tex, {}) for _, tex, _ in DEVELOPMENT_CORPUS],
        "parse, per textbook formula": [(tex, opts) for _, tex, _, opts in ROWS],
        "parse, per SymPy test pair": [(tex, opts) for tex, _, opts in PAIRS],
    }
    everything = []
    for label, formulas in corpora.items():
        times = [_timed(lambda t=t, o=o: attempt(t, o)) for t, o in formulas]
        everything += times
        _summary(label, times)
    _summary("parse, per formula (all corpora)", everything)

    from latex.test_roundtrip import from_srepr, printed_pairs
    from derive.latex.parse import readback_functions, readback_symbols

    def read_back(tex: str, srepr: str) -> None:
        want = from_srepr(srepr)
        parse_latex(tex, symbols=readback_symbols(want), functions=readback_functions(want))

    _summary("parse, per printed catalog formula", [_timed(lambda t=t, s=s: read_back(t, s)) for _, t, s in printed_pairs()])


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
            verdict = equivalent(pair.a, other, params=pair.params or None, mode=mode)
            times.append(time.perf_counter() - start)
            decided += verdict.holds is not None
            lines.append(f"{pair.id}\t{mode}\t{other}\t{verdict.holds}")
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


def bench_codegen() -> None:
    """Generated torch loss + gradient (one forward, the derived gradient in closed form) against the
    framework function's forward + backward (autograd), on 1e6 elements; median of 7 runs each."""
    import torch

    from derive.codegen import compile_code
    from derive.engine import derive

    torch.manual_seed(0)
    n = 1_000_000
    z = torch.randn(n, dtype=torch.float64) * 5
    cases = {
        "bernoulli_logits": (lambda t: torch.nn.functional.binary_cross_entropy_with_logits(t, y01, reduction="sum"),
                             lambda f: (f["loss"](y01, z), f["gradient"](y01, z))),
        "poisson_log": (lambda t: torch.nn.functional.poisson_nll_loss(t, counts, log_input=True, full=False,
                                                                       reduction="sum"),
                        lambda f: (f["loss"](counts, z / 5), f["gradient"](counts, z / 5))),
    }
    y01 = (torch.rand(n, dtype=torch.float64) < 0.5).double()
    counts = torch.poisson(torch.full((n,), 3.0, dtype=torch.float64))
    for name, (peer, ours) in cases.items():
        fns = compile_code(derive(name), "torch")
        arg = z if name == "bernoulli_logits" else z / 5

        def framework():
            t = arg.clone().requires_grad_(True)
            peer(t).backward()
            return t.grad

        generated = [_timed(lambda: ours(fns)) for _ in range(7)]
        reference = [_timed(framework) for _ in range(7)]
        ratio = statistics.median(generated) / statistics.median(reference)
        print(f"  codegen {name:<18} generated {statistics.median(generated) * 1e3:7.1f} ms   "
              f"framework fwd+bwd {statistics.median(reference) * 1e3:7.1f} ms   ratio {ratio:5.2f}")


SECTIONS = {"import": bench_import, "derive": bench_derive, "build": bench_build,
            "parse": bench_parse, "equiv": bench_equiv, "info": bench_info}
SECTIONS["codegen"] = bench_codegen

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(SECTIONS)
    for section in chosen:
        try:
            SECTIONS[section]()
        except ImportError as missing:
            print(f"{section}: skipped ({missing})")
