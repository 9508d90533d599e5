"""``derive verify``: check every step of the derivations written in .tex, .md and .ipynb files.

    from derive.verify import verify_files, render, exit_code
    reports = verify_files(["notes.tex"], Settings(params=("yhat",)))
    print(render(reports)); sys.exit(exit_code(reports))

extract (displays and directives) -> steps (rows, members, relations) -> labels (definitions
substituted) -> check (one verdict per step) -> report (text, json, github).
"""

from __future__ import annotations

import importlib

from derive.verify.settings import FORMATS, Settings, SettingsError

#: the public names that load the checker (and SymPy) on first use
_LAZY = {"exit_code": "report", "render": "report", "summary": "report", "FileReport": "run",
         "StepReport": "run", "verify_file": "run", "verify_files": "run"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'derive.verify' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)


__all__ = ["FORMATS", "FileReport", "Settings", "SettingsError", "StepReport", "exit_code", "render", "summary",
           "verify_file", "verify_files"]
