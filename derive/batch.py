"""Many equivalence checks at once, over any :class:`concurrent.futures.Executor`.

    verify_many(pairs)                             # a process pool on this machine's cores
    verify_many(pairs, executor=pool)              # your ThreadPool/ProcessPool executor
    verify_many(pairs, executor=client.get_executor())   # a Dask cluster: nothing else changes

Each pair is a mapping ``{"a": ..., "b": ..., "mode": ..., "params": ..., "assume": ...}`` (only
``a`` and ``b`` required) or a tuple ``(a, b[, mode[, params]])``; the verdicts come back in the
order of the pairs.  Every verdict has its own time budget: the check runs with
``equivalent(..., timeout=timeout)`` and a watchdog on the worker gives it up ``GRACE`` seconds
later (``holds=None``, ``method`` naming the budget), so one slow pair never stalls the batch.
The watchdog cannot stop a SymPy call that does not return (nothing can, in a thread); it stops
waiting for it.  Inside a process pool the stages of ``equivalent`` run in killed child processes.

``derive equiv --batch FILE`` reads such pairs as JSON lines and writes one verdict per line
(:func:`verdict_record`, generic over the Verdict's fields).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from derive.errors import DeriveError

GRACE = 2.0  #: seconds the watchdog adds to a verdict's budget (reading the inputs, returning)
KEYS = ("a", "b", "mode", "params", "assume")


@dataclass(frozen=True)
class Pair:
    """One check of a batch: ``equivalent(a, b, params=params, mode=mode, assume=assume)``."""

    a: Any
    b: Any
    mode: str = "exact"
    params: Any = None
    assume: Any = None


def as_pair(item: Any, where: str) -> Pair:
    """A :class:`Pair` from a mapping or a tuple; a DeriveError naming ``where`` otherwise."""
    if isinstance(item, Pair):
        return item
    if isinstance(item, Mapping):
        unknown = [k for k in item if k not in KEYS]
        if unknown:
            raise DeriveError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(KEYS)}")
        missing = [k for k in ("a", "b") if item.get(k) is None]
        if missing:
            raise DeriveError(f"{where}: missing {' and '.join(repr(k) for k in missing)}")
        values = {k: item[k] for k in KEYS if item.get(k) is not None}
    elif isinstance(item, (tuple, list)) and 2 <= len(item) <= 4:
        values = dict(zip(KEYS, item))
    else:
        raise DeriveError(f"{where}: a pair is a mapping with keys a, b (and mode, params, assume) "
                          f"or a tuple (a, b[, mode[, params]]), not {type(item).__name__}")
    if isinstance(values.get("params"), str):
        values["params"] = [p.strip() for p in values["params"].split(",") if p.strip()]
    if not isinstance(values.get("mode", "exact"), str):
        raise DeriveError(f"{where}: mode must be a string, not {type(values['mode']).__name__}")
    return Pair(**values)


def check_pair(pair: Pair, timeout: float):
    """The verdict of one pair (raises DeriveError for bad input, as ``equivalent`` does)."""
    from derive.equivalence import equivalent

    options: dict[str, Any] = {"params": pair.params, "mode": pair.mode, "timeout": timeout}
    if pair.assume is not None:
        if "assume" not in inspect.signature(equivalent).parameters:
            raise DeriveError("'assume' is not supported by this version of derive.equivalent")
        options["assume"] = pair.assume
    return equivalent(pair.a, pair.b, **options)


def run_pair(pair: Pair, timeout: float, grace: float = GRACE, check=None) -> tuple[str, Any]:
    """``("ok", verdict)`` or ``("error", message)``, within ``timeout + grace`` seconds: the
    check runs in a watchdog thread and, when it overruns, the verdict is undecided.  Errors
    travel as text: not every exception class survives pickling to another process."""
    outcome: list[tuple[str, Any]] = []
    check = check or check_pair

    def work() -> None:
        try:
            outcome.append(("ok", check(pair, timeout)))
        except DeriveError as error:
            outcome.append(("error", str(error)))
        except Exception as error:  # noqa: BLE001  (a bug in one check must not sink the batch)
            outcome.append(("error", f"internal error: {type(error).__name__}: {error}"))

    worker = threading.Thread(target=work, name="derive-verdict", daemon=True)
    worker.start()
    worker.join(timeout + grace)
    if outcome:
        return outcome[0]
    from derive.equivalence import Verdict

    return "ok", Verdict(None, f"undecided: over its time budget of {timeout:g} s in the batch", pair.mode)


def default_executor(size: int) -> Executor:
    """A process pool with one worker per core (at most ``size``), forked where possible."""
    workers = max(1, min(size, os.cpu_count() or 1))
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def iter_verdicts(pairs: Iterable, executor: Executor | None = None, *, timeout: float = 5.0,
                  errors: str = "raise") -> Iterator:
    """The verdicts of ``pairs`` in their order, each yielded as soon as it and those before it
    are in.  ``errors="raise"``: bad input raises DeriveError naming the pair (the rest are
    cancelled); ``errors="return"``: the pair's DeriveError is yielded in the verdict's place."""
    if errors not in ("raise", "return"):
        raise DeriveError(f"errors must be 'raise' or 'return', not {errors!r}")
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise DeriveError(f"timeout must be a positive number of seconds, not {timeout!r}")
    jobs = [as_pair(item, f"pair {index}") for index, item in enumerate(pairs)]
    if not jobs:
        return
    own = executor is None
    pool = default_executor(len(jobs)) if own else executor
    futures = [pool.submit(run_pair, job, timeout) for job in jobs]
    try:
        for index, future in enumerate(futures):
            status, value = future.result()
            if status == "error":
                if errors == "raise":
                    raise DeriveError(f"pair {index}: {value}")
                value = DeriveError(value)
            yield value
    finally:
        for future in futures:
            future.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def verify_many(pairs: Iterable, executor: Executor | None = None, *, timeout: float = 5.0,
                errors: str = "raise") -> list:
    """The :class:`~derive.equivalence.Verdict` of every pair, in order (see the module's
    docstring).  ``executor``: any ``concurrent.futures.Executor`` (default: a process pool on
    this machine's cores); ``timeout``: each verdict's own budget in seconds."""
    return list(iter_verdicts(pairs, executor, timeout=timeout, errors=errors))


# --------------------------------------------------------------------------- JSON lines


def jsonable(value: Any) -> Any:
    """``value`` as JSON: numbers, strings, booleans and None as they are, containers
    element-wise, dataclasses field by field, anything else (SymPy) as its ``str``."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return str(value)


def verdict_record(verdict: Any) -> dict:
    """Every field of a Verdict, as JSON (whatever fields it has), plus its sentence."""
    record = jsonable(verdict)
    record["text"] = str(verdict)
    return record


def read_pairs(lines: Iterable[str]) -> list[tuple[int, Pair | DeriveError]]:
    """``(line number, Pair or the DeriveError saying why the line is not one)`` for every
    non-blank line of a JSON-lines batch."""
    read = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            read.append((number, DeriveError(f"line {number}: not JSON ({error})")))
            continue
        if not isinstance(item, dict):
            read.append((number, DeriveError(f"line {number}: a JSON object with keys a and b is needed")))
            continue
        try:
            read.append((number, as_pair(item, f"line {number}")))
        except DeriveError as error:
            read.append((number, error))
    return read


def batch_lines(lines: Iterable[str], executor: Executor | None = None, *, timeout: float = 5.0) -> Iterator[dict]:
    """One JSON record per pair of a JSON-lines batch, in order: ``{"line": n, ...verdict}``
    or ``{"line": n, "error": why}``."""
    read = read_pairs(lines)
    good = [(n, p) for n, p in read if isinstance(p, Pair)]
    verdicts = iter_verdicts([p for _, p in good], executor, timeout=timeout, errors="return")
    try:
        for number, pair in read:
            if isinstance(pair, DeriveError):
                yield {"line": number, "error": str(pair)}
                continue
            value = next(verdicts)
            if isinstance(value, DeriveError):
                yield {"line": number, "error": f"line {number}: {value}"}
            else:
                yield {"line": number, **verdict_record(value)}
    finally:
        verdicts.close()  # shuts the pool down
