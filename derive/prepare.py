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

from derive.cache import Cache, digest, entry_keys, write_files
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


def compute_figure(d: Derivation, symbols: tuple = ()) -> Figure:
    with tempfile.TemporaryDirectory(prefix="derive-figure-") as folder:
        files = assumption_figure(d, Path(folder), symbols)
        return Figure(files, {p.relative_to(folder).as_posix(): p.read_bytes() for p in files.paths(Path(folder))})


def compute(name: str, figure: bool, symbols: tuple = ()) -> tuple[Entry, Figure | None]:
    """The entry and its figure, as they read after a trip through pickle.  Unpickling rebuilds
    every SymPy node through its constructor, which re-evaluates a node the engine built
    unevaluated (``log((1 - erf)/2)`` comes back as ``log(1/2 - erf/2)``); a worker's result and
    a cached record make that trip, so the in-process build makes it too, and all three write the
    same bytes."""
    entry = compute_entry(name)
    result = entry, compute_figure(entry.derivation, symbols) if figure else None
    try:
        return pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001  (cannot be pickled: neither a worker nor the cache takes it)
        return result


def compute_in_worker(name: str, figure: bool, symbols: tuple = ()) -> tuple[str, object]:
    """:func:`compute` in a worker process: ``("ok", result)``; ``("error", message)`` for our
    error (not every error class survives pickling); ``("inline", "")`` when the result cannot
    travel back (the entry is then computed in the main process)."""
    try:
        result = compute(name, figure, symbols)
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


def prepare(names: list[str], *, figures: bool, jobs: int = 1, store: Cache | None = None,
            say: Callable[[str], None] = lambda message: None,
            symbols: tuple = ()) -> tuple[list[Derivation], dict[str, Figure]]:
    """The derivations of ``names`` in order (their checks recorded for the writers) and, with
    ``figures``, each entry's figure (its labels in the renamed ``symbols``); cached records
    first, the rest computed on ``jobs`` processes and stored."""
    store = store or Cache(enabled=False)
    keys = entry_keys(names) if store.enabled else dict.fromkeys(names, "")
    figure_keys = {name: digest("figure", key, repr(symbols)) for name, key in keys.items()}
    entries: dict[str, Entry] = {}
    drawn: dict[str, Figure] = {}
    for name in names:
        cached = store.load("entry", keys[name])
        if isinstance(cached, Entry):
            entries[name] = cached
        picture = store.load("figure", figure_keys[name]) if figures else None
        if isinstance(picture, Figure):
            drawn[name] = picture
    missing = [n for n in names if n not in entries or (figures and n not in drawn)]
    if missing:
        say(f"deriving and checking {len(missing)} of {len(names)} entries"
            + (f" on {min(jobs, len(missing))} processes" if jobs > 1 and len(missing) > 1 else ""))
    if jobs > 1 and len(missing) > 1:
        with pool(min(jobs, len(missing))) as workers:
            answers = list(workers.map(compute_in_worker, missing, [figures] * len(missing),
                                       [symbols] * len(missing)))
        results = []
        for name, (status, value) in zip(missing, answers):
            if status == "error":
                raise DeriveError(value)
            results.append(value if status == "ok" else compute(name, figures, symbols))
    else:
        results = []
        for index, name in enumerate(missing):
            say(f"deriving {name} ({index + 1}/{len(missing)}, {len(missing) - index - 1} left)")
            results.append(compute(name, figures, symbols))
    for name, (entry, picture) in zip(missing, results):
        if name not in entries:
            entries[name] = entry
            if not any("timed out" in c.verdict.method for c in entry.checks or ()):  # a loaded machine's
                store.store("entry", keys[name], entry)  # time-out is not kept for later builds
        if picture is not None and name not in drawn:
            drawn[name] = picture
            store.store("figure", figure_keys[name], picture)
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
