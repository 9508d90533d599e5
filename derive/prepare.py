"""What `derive build` computes per catalogue entry (its derivation, its checks, its figure),
read from the cache (:mod:`derive.cache`) or computed, the misses in parallel with ``jobs > 1``.

The documents are written afterwards, in one process and in the catalogue's order, from the
same values whichever way they were obtained: ``-j N`` and a cached build write the same bytes
as ``-j 1`` without a cache.
"""

from __future__ import annotations

import multiprocessing
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from derive.cache import Cache, digest, entry_keys, part_key, write_files
from derive.checks import Check, remember
from derive.engine import Derivation, derive
from derive.errors import DeriveError
from derive.figures import FigureFiles, assumption_figure, overview_figure

if TYPE_CHECKING:
    from derive.publish.training import Training


@dataclass(frozen=True)
class Entry:
    """One entry's share of a build; ``checks`` None when they could not run (``error`` says why)."""

    derivation: Derivation
    checks: tuple[Check, ...] | None
    error: str = ""
    training: Training | None = None  # the gradient and stable-form rows of the documents


@dataclass(frozen=True)
class Figure:
    """One entry's figure and its files ``{path relative to the output folder: bytes}``."""

    files: FigureFiles
    data: dict[str, bytes]


def compute_entry(name: str) -> Entry:
    from derive.publish.context import checks_of  # the documents' rule for a check that cannot run

    from derive.publish.training import training

    d = derive(name)
    checks, error = checks_of(d)
    d.peers  # noqa: B018  (a cached property: computed here, it travels and is cached with d)
    return Entry(d, None if error else checks, error, training(d))


def compute_figure(d: Derivation, symbols: tuple = (), class_base: int = 1) -> Figure:
    with tempfile.TemporaryDirectory(prefix="derive-figure-") as folder:
        files = assumption_figure(d, Path(folder), symbols, class_base)
        return Figure(files, {p.relative_to(folder).as_posix(): p.read_bytes() for p in files.paths(Path(folder))})


def _round_trip(value):
    """``value`` as it reads after a trip through pickle (itself when it cannot make the trip)."""
    try:
        return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001  (cannot be pickled: neither a worker nor the cache takes it)
        return value


def compute(name: str, figure: bool, symbols: tuple = (), class_base: int = 1) -> tuple[Entry, Figure | None]:
    """The entry and its figure, as they read after a trip through pickle.  Unpickling rebuilds
    every SymPy node through its constructor, which re-evaluates a node the engine built
    unevaluated (``log((1 - erf)/2)`` comes back as ``log(1/2 - erf/2)``); a worker's result and
    a cached record make that trip, so the in-process build makes it too, and all three write the
    same bytes."""
    entry = compute_entry(name)
    return _round_trip((entry, compute_figure(entry.derivation, symbols, class_base) if figure else None))


@dataclass(frozen=True)
class Part:
    """One result a document part needs, ``MEMOS[memo](*args)`` (:mod:`derive.memo`), and the
    catalogue entries whose modules it reads (its cache key's sources)."""

    memo: str
    args: tuple
    entries: tuple[str, ...]


def document_parts(info: bool, models: bool) -> list[Part]:
    """The results of the information part (entropies, KL divergences, identities) and of the
    models part (each model's checks, each conjugate update) that a build reuses."""
    parts = []
    if info:
        from derive.infotheory import FAMILIES, kl_pairs

        parts += [Part("entropy", (f,), (f,)) for f in FAMILIES]
        parts += [Part("kl", (p, q), (p, q)) for p, q in kl_pairs()]
        parts.append(Part("identities", (), ("normal",)))  # the Normal's KL is its only family
    if models:
        from derive.distributions import FAMILIES
        from derive.models import CONJUGATES, MODELS

        parts += [Part("model-checks", (n,), (m.likelihood, *m.families)) for n, m in MODELS.items()]
        # an update is named prior_likelihood; it reads the modules of those that are families
        # (the Dirichlet's update is written out in derive.models, reading none)
        parts += [Part("conjugate", (n,), tuple(f for f in n.split("_") if f in FAMILIES)) for n in CONJUGATES]
    return parts


def compute_part(part: Part):
    import derive.infotheory  # noqa: F401  (registers the memos, in a worker process too)
    import derive.models  # noqa: F401
    from derive.memo import MEMOS

    return _round_trip(MEMOS[part.memo](*part.args))


def _task(kind: str) -> Callable:
    """The function of a task's kind, looked up when called (a worker forked after a test
    replaced it sees the replacement)."""
    return {"entry": compute, "part": compute_part}[kind]


def _in_worker(kind: str, *args) -> tuple[str, object]:
    """A task in a worker process: ``("ok", result)``; ``("error", message)`` for our error
    (not every error class survives pickling); ``("inline", "")`` when the result cannot travel
    back (it is then computed in the main process)."""
    try:
        result = _task(kind)(*args)
    except DeriveError as error:
        return "error", str(error)
    try:
        pickle.dumps(result)
    except Exception:  # noqa: BLE001  (e.g. a lambda in an entry: computed where it is needed)
        return "inline", ""
    return "ok", result


def pool(jobs: int) -> ProcessPoolExecutor:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def _run(tasks: list[tuple[str, tuple]], jobs: int, say: Callable[[str], None], labels: list[str]) -> list:
    """Each task ``(kind, args)`` computed, on ``jobs`` processes when there are several (in order)."""
    if jobs > 1 and len(tasks) > 1:
        with pool(min(jobs, len(tasks))) as workers:
            futures = [workers.submit(_in_worker, kind, *args) for kind, args in tasks]
            answers = [future.result() for future in futures]
        results = []
        for (kind, args), (status, value) in zip(tasks, answers):
            if status == "error":
                raise DeriveError(value)
            results.append(value if status == "ok" else _task(kind)(*args))
        return results
    results = []
    for index, ((kind, args), label) in enumerate(zip(tasks, labels)):
        say(f"{label} ({index + 1}/{len(tasks)}, {len(tasks) - index - 1} left)")
        results.append(_task(kind)(*args))
    return results


def timed_out(value) -> bool:
    """Whether an entry's checks, or a model's checks (``[(tex, target, Verdict)]``), hold a
    verdict that ran out of time: a loaded machine's time-out is not kept for later builds."""
    if isinstance(value, tuple) and value and isinstance(value[0], Entry):
        verdicts = [c.verdict for c in value[0].checks or ()]
    else:
        verdicts = [item[-1] for item in value] if isinstance(value, list) else []
    return any("timed out" in getattr(v, "method", "") for v in verdicts)


def prepare(names: list[str], *, figures: bool, jobs: int = 1, store: Cache | None = None,
            say: Callable[[str], None] = lambda message: None, symbols: tuple = (), class_base: int = 1,
            parts: list[Part] = ()) -> tuple[list[Derivation], dict[str, Figure]]:
    """The derivations of ``names`` in order (their checks recorded for the writers) and, with
    ``figures``, each entry's figure (its labels in the renamed ``symbols``, its classes numbered
    from ``class_base``); and each of ``parts``, loaded into its memo for the writers.  Cached
    records first, the rest computed on ``jobs`` processes and stored."""
    from derive.memo import MEMOS

    store = store or Cache(enabled=False)
    keys = entry_keys(names) if store.enabled else dict.fromkeys(names, "")
    figure_keys = {name: digest("figure", key, repr((symbols, class_base))) for name, key in keys.items()}
    part_keys = [part_key(p.memo, p.args, p.entries) if store.enabled else "" for p in parts]
    entries: dict[str, Entry] = {}
    drawn: dict[str, Figure] = {}
    for name in names:
        cached = store.load("entry", keys[name])
        if isinstance(cached, Entry):
            entries[name] = cached
        picture = store.load("figure", figure_keys[name]) if figures else None
        if isinstance(picture, Figure):
            drawn[name] = picture
    loaded = [store.load("part", key) for key in part_keys]
    missing = [n for n in names if n not in entries or (figures and n not in drawn)]
    parts_missing = [(p, k) for p, k, value in zip(parts, part_keys, loaded) if value is None]
    for p, value in zip(parts, loaded):
        if value is not None:
            MEMOS[p.memo].load(p.args, value)
    if missing or parts_missing:
        count = len(missing) + len(parts_missing)
        say(f"computing {len(missing)} of {len(names)} entries and {len(parts_missing)} of {len(parts)} "
            "results of the information and models parts"
            + (f" on {min(jobs, count)} processes" if jobs > 1 and count > 1 else ""))
    tasks = [("entry", (name, figures, symbols, class_base)) for name in missing] \
        + [("part", (p,)) for p, _ in parts_missing]
    labels = [f"deriving {name}" for name in missing] + [
        f"computing {p.memo} {', '.join(map(str, p.args))}".strip() for p, _ in parts_missing]
    results = _run(tasks, jobs, say, labels)
    for name, (entry, picture) in zip(missing, results):
        if name not in entries:
            entries[name] = entry
            if not timed_out((entry, picture)):
                store.store("entry", keys[name], entry)
        if picture is not None and name not in drawn:
            drawn[name] = picture
            store.store("figure", figure_keys[name], picture)
    for (p, key), value in zip(parts_missing, results[len(missing):]):
        MEMOS[p.memo].load(p.args, value)
        if not timed_out(value):
            store.store("part", key, value)
    from derive.publish.training import remember as remember_training  # the writers' rule, as for the checks

    for name in names:
        if entries[name].checks is not None:
            remember(name, entries[name].checks)
        if entries[name].training is not None:
            remember_training(name, entries[name].training)
    return [entries[name].derivation for name in names], drawn


def stage_figures(derivations: list[Derivation], drawn: dict[str, Figure],
                  staging: Path, symbols: tuple = ()) -> tuple[FigureFiles, dict[str, FigureFiles]]:
    """The overview drawn into ``staging`` and each entry's figure files written there."""
    overview = overview_figure(derivations, staging, symbols)
    each = {}
    for d in derivations:
        picture = drawn[d.assumption.name]
        write_files(staging, picture.data)
        each[d.assumption.name] = picture.files
    return overview, each
