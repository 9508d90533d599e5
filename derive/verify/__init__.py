"""``derive verify``: check every step of the derivations written in .tex, .md and .ipynb files.

    from derive.verify import verify_files, render, exit_code
    reports = verify_files(["notes.tex"], Settings(params=("yhat",)))
    print(render(reports)); sys.exit(exit_code(reports))

extract (displays and directives) -> steps (rows, members, relations) -> labels (definitions
substituted) -> check (one verdict per step) -> report (text, json, github).
"""

from derive.verify.report import FORMATS, exit_code, render, summary
from derive.verify.run import FileReport, StepReport, verify_file, verify_files
from derive.verify.settings import Settings, SettingsError

__all__ = ["FORMATS", "FileReport", "Settings", "SettingsError", "StepReport", "exit_code", "render", "summary",
           "verify_file", "verify_files"]
