"""Benchmarks for `derive`, each figure also a ratio to ``import sympy`` measured in the same run
(never asserted in tests: the machine's load moves them).

    python scripts/bench.py                      # everything
    python scripts/bench.py startup build        # sections: startup, derive, build, parse, equiv, batch, info, codegen
    python scripts/bench.py --json               # one JSON object on stdout (the lines on stderr)
    python scripts/bench.py --root DIR           # benchmark the checkout at DIR (e.g. a baseline)

Commands run in fresh processes are timed in CPU seconds (user + system of the process and
every child it waits for, from ``getrusage``) and in wall seconds; the ratio is of CPU time,
which a loaded machine disturbs less.  In-process figures are wall seconds.  The baseline,
``python -c "import sympy"``, is the median of five fresh processes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS: dict[str, dict] = {}
BASE: dict[str, float] = {}
QUIET = False


def say(line: str) -> None:
    """A figure as a line: on stdout, or on stderr with --json (progress, and kept if interrupted)."""
    print(line, file=sys.stderr if QUIET else sys.stdout, flush=True)


def timed(fn) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(args: list[str], env: dict | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of a fresh ``python args`` in ROOT."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    return children_cpu() - cpu, time.perf_counter() - start


def record(name: str, cpu: float | None, wall: float, **extra) -> None:
    """One figure: seconds and the ratio to the baseline (CPU to CPU, else wall to wall)."""
    ratio = cpu / BASE["cpu"] if cpu is not None else wall / BASE["wall"]
    RESULTS[name] = {"cpu_s": None if cpu is None else round(cpu, 4), "wall_s": round(wall, 4),
                     "ratio_to_import_sympy": round(ratio, 2), **extra}
    cpu_text = f"cpu {cpu:7.2f} s" if cpu is not None else " " * 13
    say(f"{name:<46} {cpu_text}   wall {wall:7.2f} s   = {ratio:6.2f} x import sympy"
        + "".join(f"   {k} {v}" for k, v in extra.items()))


def repeated(name: str, args: list[str], runs: int = 5, env: dict | None = None) -> None:
    times = [command(args, env) for _ in range(runs)]
    record(name, statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))


def baseline() -> None:
    times = [command(["-c", "import sympy"]) for _ in range(5)]
    BASE["cpu"] = statistics.median(t[0] for t in times)
    BASE["wall"] = statistics.median(t[1] for t in times)
    RESULTS["import sympy (baseline)"] = {"cpu_s": round(BASE["cpu"], 4), "wall_s": round(BASE["wall"], 4),
                                          "ratio_to_import_sympy": 1.0}
    say(f"{'import sympy (baseline)':<46} cpu {BASE['cpu']:7.2f} s   wall {BASE['wall']:7.2f} s")


def bench_startup() -> None:
    repeated("python -c 'import argparse'", ["-c", "import argparse"])
    repeated("import derive", ["-c", "import derive"])
    repeated("import derive; derive.derive('gaussian')", ["-c", "import derive; derive.derive('gaussian')"])
    repeated("derive --help", ["-m", "derive.cli", "--help"])
    repeated("derive list", ["-m", "derive.cli", "list"], runs=3)


def bench_derive() -> None:
    sys.path.insert(0, str(ROOT))
    from derive.assumptions import get, names
    from derive.engine import run

    times = []
    for name in names():
        start = time.perf_counter()
        run(get(name))
        times.append(time.perf_counter() - start)
    record("derive, median per entry (in-process)", None, statistics.median(times), entries=len(times),
           total_s=round(sum(times), 2))


def build_args(out: Path, *extra: str) -> list[str]:
    return ["-m", "derive.cli", "build", "--out", str(out), *extra]


def supports(option: str) -> bool:
    help_text = subprocess.run([sys.executable, "-m", "derive.cli", "build", "--help"], capture_output=True,
                               text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    return option in help_text


def bench_build() -> None:
    """Cold builds (no cache, one process and all cores), a rebuild with nothing changed, and
    one with one entry's records gone (as after editing that entry)."""
    cached = supports("--no-cache")
    with tempfile.TemporaryDirectory(prefix="derive-bench-") as folder:
        folder = Path(folder)
        env = {"XDG_CACHE_HOME": str(folder / "cache")}
        cold = ["--no-cache", "-j", "1"] if cached else []
        record("derive build, cold, -j 1", *command(build_args(folder / "a", *cold), env))
        if not cached:
            return
        cores = str(os.cpu_count() or 1)
        record(f"derive build, cold, -j {cores} (fills the cache)", *command(build_args(folder / "b", "-j", cores), env))
        record("derive build, nothing changed (cached)", *command(build_args(folder / "c"), env))
        sys.path.insert(0, str(ROOT))
        os.environ["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"]
        from derive.cache import Cache, entry_keys

        from derive.cache import modules_of, part_key
        from derive.entries import names
        from derive.prepare import document_parts

        store = Cache()
        for module in ("huber.py", "laplace.py"):  # no part reads huber.py; laplace.py: a family, a prior
            # the records an edit of the module makes stale: those whose sources include it
            shutil.rmtree(store.root / "build", ignore_errors=True)
            stale = [n for n in names() if module in {p.name for p in modules_of(n)}]
            for name, key in entry_keys(stale).items():
                for kind in ("entry", "figure"):
                    store.path(kind, key).unlink(missing_ok=True)
            parts = [p for p in document_parts(True, True) if module in {m.name for e in p.entries for m in modules_of(e)}]
            for part in parts:
                store.path("part", part_key(part.memo, part.args, part.entries)).unlink(missing_ok=True)
            record(f"derive build, {module} changed ({len(stale)} entries, {len(parts)} part results), -j 1",
                   *command(build_args(folder / f"d-{module}", "-j", "1"), env))


def bench_parse() -> None:
    """Parse time per formula over the development corpora (read or refused alike), and the
    read-back of every expression `derive build` prints."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from derive.errors import ParseError
    from derive.latex.parse import parse_latex, readback_functions, readback_symbols
    from latex.corpus import DEVELOPMENT_CORPUS
    from latex.sympy_pairs import PAIRS
    from latex.test_roundtrip import from_srepr, printed_pairs
    from latex.textbook_corpus import ROWS

    def attempt(text: str, options: dict | None = None) -> None:
        try:
            parse_latex(text, **(options or {}))
        except ParseError:
            pass

    def read_back(tex: str, srepr: str) -> None:
        want = from_srepr(srepr)
        parse_latex(tex, symbols=readback_symbols(want), functions=readback_functions(want))

    corpora = {
        "parse, per development formula": [lambda t=tex: attempt(t) for _, tex, _ in DEVELOPMENT_CORPUS],
        "parse, per textbook formula": [lambda t=tex, o=opts: attempt(t, o) for _, tex, _, opts in ROWS],
        "parse, per SymPy test pair": [lambda t=tex, o=opts: attempt(t, o) for tex, _, opts in PAIRS],
        "parse, per printed catalog formula": [lambda t=tex, s=srepr: read_back(t, s)
                                               for _, tex, srepr in printed_pairs()],
    }
    for label, calls in corpora.items():
        times = [timed(call) for call in calls]
        record(label + " (median)", None, statistics.median(times), formulas=len(times),
               max_ms=round(max(times) * 1e3, 2))


def corpus_cases() -> list[tuple]:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from equivalence_corpus import PAIRS

    cases = []
    for pair in PAIRS:
        for other, mode in [(pair.b, mode) for mode in pair.modes] + pair.mutant_cases():
            cases.append((pair.id, pair.a, other, mode, pair.params or None, getattr(pair, "assume", None) or None))
    return cases


def bench_equiv() -> None:
    """Verdict latency over the equivalence corpus and its mutants.  With BENCH_VERDICTS=FILE
    set, each case's verdict is written there (one per line) to compare runs."""
    from derive.equivalence import equivalent

    times, decided, lines = [], 0, []
    for pid, a, b, mode, params, assume in corpus_cases():
        start = time.perf_counter()
        verdict = equivalent(a, b, params=params, mode=mode, assume=assume)
        times.append(time.perf_counter() - start)
        decided += verdict.holds is not None
        lines.append(f"{pid}\t{mode}\t{b}\t{verdict.holds}\t{verdict.method}\t{times[-1]:.3f}")
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    record("equivalent, median per corpus case", None, statistics.median(times), cases=len(times))
    record("equivalent, p90 per corpus case", None, p90)
    record("equivalent, max per corpus case", None, max(times))
    record("equivalent, whole corpus one by one", None, sum(times), decided=decided)
    if os.environ.get("BENCH_VERDICTS"):
        Path(os.environ["BENCH_VERDICTS"]).write_text("\n".join(lines) + "\n")


def bench_batch() -> None:
    """The same corpus through derive.verify_many on a process pool of all cores."""
    try:
        from derive.batch import verify_many
    except ImportError as missing:
        say(f"batch: skipped ({missing})")
        return
    pairs = [{"a": a, "b": b, "mode": mode, "params": list(params) if params else None}
             for _, a, b, mode, params in corpus_cases()]
    start = time.perf_counter()
    verify_many(pairs)
    record(f"verify_many, whole corpus, {os.cpu_count()} processes", None, time.perf_counter() - start,
           cases=len(pairs))


def bench_info() -> None:
    """Closed forms and identities, each from a cold cache."""
    sys.path.insert(0, str(ROOT))
    from derive.infotheory import FAMILIES, closed_forms, identity, kl_pairs

    start = time.perf_counter()
    for f in FAMILIES:
        closed_forms.entropy_derivation(f)
    record("entropy closed forms, every family", None, time.perf_counter() - start)
    start = time.perf_counter()
    for pair in kl_pairs():
        closed_forms.kl_derivation(*pair)
    record("KL closed forms, every registered pair", None, time.perf_counter() - start)
    start = time.perf_counter()
    identity.identities()
    record("identities, proved", None, time.perf_counter() - start)


def bench_verify() -> None:
    """derive verify on the hand-written corpus (one process) and on the three documents that
    derive build writes (one process, in order, as the self-verification test runs them)."""
    sys.path.insert(0, str(ROOT))
    from derive.verify import Settings, verify_file

    corpus = sorted(p for p in (ROOT / "tests" / "verify_corpus").iterdir() if p.suffix in (".tex", ".md"))
    start = time.perf_counter()
    steps = sum(len(verify_file(p).steps) for p in corpus)
    record(f"verify, corpus: {len(corpus)} files, {steps} steps", None, time.perf_counter() - start)
    settings = Settings(propto="affine", timeout=5.0)
    for name in ("derivations.tex", "derivations.md", "slides.tex"):
        start = time.perf_counter()
        report = verify_file(ROOT / "outputs" / name, settings)
        proved = sum(s.status == "proved" for s in report.steps)
        record(f"verify, outputs/{name}: {len(report.steps)} rows, {proved} proved", None, time.perf_counter() - start)


def bench_codegen() -> None:
    """Generated torch loss + gradient (one forward, the derived gradient in closed form) against the
    framework function's forward + backward (autograd), on 1e6 elements; median of 7 runs each."""
    import torch

    sys.path.insert(0, str(ROOT))
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

        generated = [timed(lambda: ours(fns)) for _ in range(7)]
        reference = [timed(framework) for _ in range(7)]
        ratio = statistics.median(generated) / statistics.median(reference)
        record(f"codegen {name}, generated loss + gradient, 1e6", None, statistics.median(generated),
               framework_fwd_bwd_s=round(statistics.median(reference), 4), ratio_to_framework=round(ratio, 2))


SECTIONS = {"startup": bench_startup, "derive": bench_derive, "build": bench_build, "parse": bench_parse,
            "equiv": bench_equiv, "batch": bench_batch, "info": bench_info,
            "codegen": bench_codegen, "verify": bench_verify}


def main() -> None:
    global ROOT, QUIET
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("sections", nargs="*", choices=[[], *SECTIONS], default=[], metavar="SECTION",
                     help=", ".join(SECTIONS))
    cli.add_argument("--json", action="store_true", help="print one JSON object")
    cli.add_argument("--root", type=Path, default=ROOT, help="the checkout to benchmark")
    args = cli.parse_args()
    ROOT, QUIET = args.root.resolve(), args.json
    baseline()
    for section in args.sections or list(SECTIONS):
        try:
            SECTIONS[section]()
        except ImportError as missing:
            say(f"{section}: skipped ({missing})")
    if args.json:
        print(json.dumps({"root": str(ROOT), "cores": os.cpu_count(), "figures": RESULTS}, indent=1))


if __name__ == "__main__":
    main()
