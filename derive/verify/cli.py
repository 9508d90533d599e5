"""The ``derive verify`` command's options and its run (called from :mod:`derive.cli`).

    derive verify FILE... [--assume 'sigma > 0, 0 < p < 1'] [--params yhat,w] [--propto affine]
                  [--format text|json|github] [--inline] [--verbose] [-j N] [--timeout S]

Exit 0 every step proved, 1 a step refuted, 3 a step only evidence / undecided / not read,
2 bad input (an unreadable file, a bad option).
"""

from __future__ import annotations

import argparse

from derive.verify.report import EXIT_BAD_INPUT, FORMATS, exit_code, render
from derive.verify.run import verify_files
from derive.verify.settings import PROPTO_READINGS, Settings, split_list

__all__ = ["add_arguments", "run_verify"]


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("files", nargs="+", help=".tex, .md or .ipynb files")
    p.add_argument("--assume", action="append", default=[],
                   help="conditions, e.g. 'sigma > 0, 0 < p < 1' (repeatable)")
    p.add_argument("--params", default=None, help="comma-separated parameter names (for const and \\propto)")
    p.add_argument("--propto", choices=PROPTO_READINGS, default=None,
                   help="how \\propto reads: proportional (default) or affine (same minimisers)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--inline", action="store_true", help="also check inline $a = b$ formulas")
    p.add_argument("--verbose", "-v", action="store_true", help="list the proved steps and definitions too")
    p.add_argument("-j", "--jobs", type=int, default=1, help="files checked in parallel")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per step's verdict")
    return p


def run_verify(args: argparse.Namespace) -> int:
    """Verify ``args.files`` and print the report; the exit code as documented above."""
    settings = Settings(timeout=args.timeout)
    for condition in args.assume:
        settings = settings.with_assumptions(split_list(condition), "--assume")
    if args.params:
        settings = settings.with_params(split_list(args.params), "--params")
    if args.propto:
        settings = settings.with_propto(args.propto, "--propto")
    if args.jobs < 1:
        print("derive: error: -j must be at least 1")
        return EXIT_BAD_INPUT
    reports = verify_files(args.files, settings, inline=args.inline, jobs=args.jobs)
    print(render(reports, args.format, verbose=args.verbose))
    return exit_code(reports)
