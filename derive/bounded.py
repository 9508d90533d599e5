"""Work bounded in time: SymPy cannot be interrupted in a thread (``simplify`` and
``integrate`` can run for minutes), so the work runs in a forked child process that is
killed when its budget runs out.  Without ``fork`` (or inside a daemonic process) it runs
inline, unbounded.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable


def run(fn: Callable, args: tuple) -> tuple[str, Any]:
    """("ok", fn(*args)) or ("failed", why): every failure is reported, the caller decides."""
    try:
        return "ok", fn(*args)
    except Exception as exc:
        return "failed", f"({type(exc).__name__}: {exc})"


def _child(send, fn: Callable, args: tuple) -> None:
    result = run(fn, args)
    try:
        send.send(result)
    except Exception as exc:  # e.g. a result too deep to pickle
        send.send(("failed", f"(cannot return the result: {exc})"))
    send.close()


def bounded(fn: Callable, args: tuple, seconds: float) -> tuple[str, Any]:
    """("ok", fn(*args)), or ("timed out" | "failed", why): ``fn`` runs in a forked child that is
    killed after ``seconds``.  Without ``fork`` (or inside a daemonic process) it runs inline."""
    if seconds <= 0:
        return "timed out", "(no time left)"
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return run(fn, args)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, fn, args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            return "timed out", f"(after {seconds:.2g} s)"
        return receive.recv()
    except EOFError:
        return "failed", "(the child process died)"
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
