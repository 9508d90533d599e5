"""The `derive` command.

    derive list
    derive show NAME [--format latex|text|json]
    derive check NAME 'LATEX' [--assume 'x > 0'] [--accept-numeric]
    derive equiv 'A' 'B' [--params yhat,sigma] [--mode exact|constant|affine] [--assume ...] [--accept-numeric]
        check, equiv: exit 0 proved, 1 refuted (the counterexample printed), 2 bad input, 3 neither
    derive init [derive.toml] [--force]
    derive verify FILE... [--assume 'sigma > 0'] [--params yhat] [--format text|json|github] [-j N]
    derive build [--out DIR] [--only a,b|information] [--parts models,catalogue] [--format tex,slides,md,json]
                 [--log ln] [--pdf] [--force]
    derive nll 'LATEX' --data y --params mu [--fixed w] [--support S] [--domain w=unit] [--normalise]
        your own density (alias: derive custom), a mixture or a density written with cases too
    derive code NAME [--target torch|numpy]            loss, NLL, dataset loss, gradient as code
    derive objective NAME --target lightgbm|xgboost    a custom boosting objective
    derive equiv --batch FILE [-j N] [--timeout S]   JSON lines in, one verdict per line out
    derive cache clear
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from derive.errors import DeriveError

EXIT_EQUAL, EXIT_NOT_EQUAL, EXIT_BAD_INPUT, EXIT_UNDECIDED = 0, 1, 2, 3
EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130


def _exit_code(holds: bool | None) -> int:
    return {True: EXIT_EQUAL, False: EXIT_NOT_EQUAL, None: EXIT_UNDECIDED}[holds]


def cmd_list(args) -> int:
    from derive.assumptions import get, names

    rows = [(n, get(n).statement, get(n).loss_name) for n in names()]
    width = max(len(r[0]) for r in rows)
    for name, statement, loss in rows:
        print(f"{name:<{width}}  {loss:<36}  {statement}")
    return 0


def cmd_show(args) -> int:
    from derive.engine import derive
    from derive.serialize import derivation_dict

    d = derive(args.name)
    if args.format == "latex":
        print(d.to_latex())
    elif args.format == "json":
        print(json.dumps(derivation_dict(d), indent=2))
    else:
        for step in d.steps:
            print(f"{step.label:>14}: {step.expr}")
        print(f"{'loss':>14}: {d.loss}")
        print(f"{'scale':>14}: {d.scale}")
        print(f"{'dropped':>14}: {', '.join(map(str, d.dropped)) or '(none)'}")
    return 0


def _verdict_lines(verdict, label: str = "") -> list[str]:
    """The assumptions and, for a refutation, the counterexample, as the CLI prints them."""
    from derive.equivalence.verdict import format_point

    lines = [f"assuming: {'; '.join(verdict.assumptions) or 'nothing'}"]
    if verdict.holds is False and verdict.counterexample:
        lines.append(f"counterexample{label}: {format_point(verdict.counterexample)}")
    return lines


def _numeric_exit(args, what: str) -> int:
    if args.accept_numeric:
        print(f"accepted on numeric evidence (--accept-numeric): {what} is not proved")
        return EXIT_EQUAL
    return EXIT_UNDECIDED


def cmd_check(args) -> int:
    import sympy as sp

    from derive.checks import compare
    from derive.engine import derive
    from derive.symbols import like

    d = derive(args.name)
    targets = {"loss": "loss", "dataset_loss": "dataset_loss", "nll": "nll"}
    if d.hard_label is not None:  # -log yhat[c]: as written with yhat indexed, or read as the name yhat_c
        free = d.hard_label.free_symbols
        targets["hard_label"] = d.hard_label
        targets["hard label"] = d.hard_label.replace(
            lambda e: isinstance(e, sp.Indexed) and all(i in free for i in e.indices),
            lambda e: like(f"{e.base.label}_{'_'.join(map(str, e.indices))}", e.base))
    verdicts = {}
    for target, value in targets.items():
        verdict = compare(d, args.latex, value, params=None if target.startswith("hard") else "entry",
                          assume=args.assume)
        verdicts[target] = verdict
        if verdict.holds:
            print(f"proved: the formula is exactly the derived {target.replace('_', ' ')} of {d.name} ({verdict.method})")
            print("\n".join(_verdict_lines(verdict)))
            return EXIT_EQUAL
    loss = verdicts["loss"]
    numerical = [t for t, v in verdicts.items() if v.numerical]
    if numerical:
        verdict = verdicts[numerical[0]]
        print(f"not proved: the formula agrees with the derived {numerical[0].replace('_', ' ')} of {d.name} "
              f"numerically at {verdict.evidence}; no symbolic proof")
        print("\n".join(_verdict_lines(verdict)))
        return _numeric_exit(args, "the equality")
    if all(v.holds is False for v in verdicts.values()):
        affine = compare(d, args.latex, "loss", mode="affine", assume=args.assume)
        if affine.holds:
            print(f"refuted: the formula is the {d.name} loss only up to a positive affine map (same minimisers), "
                  "not exactly")
        else:
            print(f"refuted: the formula is not the {d.name} loss, NLL or dataset loss")
        print("\n".join(_verdict_lines(loss, " (against the loss, a = the derived loss, b = the formula)")))
        return EXIT_NOT_EQUAL
    print(f"undecided: could not prove or refute that the formula is the {d.name} loss ({loss.method})")
    print("\n".join(_verdict_lines(loss)))
    return EXIT_UNDECIDED


def cmd_equiv(args) -> int:
    if args.batch is not None:
        return cmd_equiv_batch(args)
    if args.a is None or args.b is None:
        raise DeriveError("equiv needs two formulas A and B, or --batch FILE")
    from derive.equivalence import equivalent

    params = [p for p in args.params.split(",") if p] if args.params else None
    verdict = equivalent(args.a, args.b, params=params, mode=args.mode, assume=args.assume, timeout=args.timeout)
    print(verdict)
    print("\n".join(_verdict_lines(verdict)))
    if verdict.holds is None and verdict.numerical:
        return _numeric_exit(args, f"{args.mode} equivalence")
    return _exit_code(verdict.holds)


def cmd_equiv_batch(args) -> int:
    """Exit 2 when a line is bad input, else 0 when every verdict holds, 1 when one is
    refuted, 3 when one is undecided and none refuted."""
    from derive.batch import batch_lines, default_executor

    if args.a is not None:
        raise DeriveError("equiv --batch reads its pairs from FILE; give no formulas beside it")
    if args.batch == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(args.batch, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    executor = default_executor(_jobs(args.jobs))
    seen = set()
    try:
        for record in batch_lines(lines, executor, timeout=args.timeout):
            print(json.dumps(record), flush=True)
            seen.add("error" if "error" in record else record["holds"])
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    if "error" in seen:
        return EXIT_BAD_INPUT
    return EXIT_NOT_EQUAL if False in seen else EXIT_UNDECIDED if None in seen else EXIT_EQUAL


def cmd_info(args) -> int:
    from derive.infotheory import info_command

    print(info_command(args.quantity, args.p, args.q, args.base))
    return 0


def _names_list(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def cmd_nll(args) -> int:
    from derive.custom import nll_command

    domains = dict(item.split("=", 1) for item in args.domain) if args.domain else None
    print(nll_command(args.density, _names_list(args.data), _names_list(args.params), _names_list(args.fixed),
                      support=args.support, domains=domains, derive_normaliser=args.normalise))
    return 0


class ProgressLine:
    """One line on stderr that says where a long build is (``[derive] deriving poisson (12/31,
    19 left)``), rewritten in place; silent when stderr is not a terminal."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.active = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = 0

    def __call__(self, message: str) -> None:
        if not self.active:
            return
        line = f"[derive] {message}"[:100]
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def done(self) -> None:
        if self.active and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def cmd_build(args) -> int:
    from derive.config import load_project
    from derive.publish import build, parse_formats

    project = load_project(args.config)
    project = project.replace(title=args.title, subtitle=args.subtitle, author=args.author,
                              date=args.date, log=args.log, class_base=args.classes_from,
                              softplus=True if args.softplus else None,
                              parts=tuple(p.strip() for p in args.parts.split(",") if p.strip())
                              if args.parts is not None else None,
                              symbols=_symbols(project.symbols, args.symbol) if args.symbol else None)
    only = args.only.split(",") if args.only is not None else None
    formats = parse_formats(args.format)
    progress = ProgressLine()
    try:
        written = build(args.out, only=only, formats=formats, project=project, config=project.printer(),
                        pdf=args.pdf, force=args.force, progress=progress, cache=not args.no_cache,
                        jobs=_jobs(args.jobs))
    finally:
        progress.done()
    figures = [p for p in written if p.parent.name == "figures"]
    for path in written:
        if path not in figures:
            print(f"{'compiled' if path.suffix == '.pdf' else 'wrote'} {path}")
    if figures:
        print(f"wrote {len(figures)} figure files to {figures[0].parent}")
    return 0


def cmd_init(args) -> int:
    """Write a commented starter project file (never over an existing file without --force)."""
    from pathlib import Path

    from derive.config import STARTER
    from derive.errors import BuildError

    path = Path(args.path)
    if path.is_dir():
        raise BuildError(f"init: {path} is a folder; give the file to write, e.g. {path / 'derive.toml'}")
    if path.exists() and not args.force:
        raise BuildError(f"init: {path} exists; nothing was written (pass --force to replace it)")
    if not path.parent.is_dir():
        raise BuildError(f"init: the folder {path.parent} does not exist")
    path.write_text(STARTER, encoding="utf-8")
    print(f"wrote {path}: edit it, then run `derive build`")
    return 0


def cmd_verify(args) -> int:
    from derive.verify.cli import run_verify

    return run_verify(args)


def cmd_code(args) -> int:
    from derive.codegen import to_code
    from derive.engine import derive

    print(to_code(derive(args.name), args.target))
    return 0


def cmd_objective(args) -> int:
    from derive.engine import derive
    from derive.objectives import objective_source

    print(objective_source(derive(args.name), args.target))
    return 0


def _symbols(configured: tuple, given: list[str]) -> tuple[tuple[str, str], ...]:
    """The project's renamed symbols, then each ``--symbol OLD=NEW`` (a later one wins)."""
    renames = dict(configured)
    for item in given:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise DeriveError(f"--symbol {item!r}: write it as OLD=NEW, e.g. --symbol 'y=t' --symbol '\\hat{{y}}=\\mu'")
        renames[old.strip()] = new.strip()
    return tuple(renames.items())


def _jobs(jobs: int | None) -> int:
    if jobs is None:
        return os.cpu_count() or 1
    if jobs < 1:
        raise DeriveError(f"-j {jobs}: the number of worker processes must be at least 1")
    return jobs


def cmd_cache(args) -> int:
    from derive.cache import Cache

    store = Cache()
    removed = store.clear()
    print(f"removed {removed} cached record{'s' if removed != 1 else ''} from {store.root}")
    return 0


def _verdict_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--assume", default=None, help="domains, e.g. 'sigma > 0, 0 < p < 1' (default: every "
                         "symbol real); 'conventions' for domains by name (sigma > 0, p in (0, 1), ...)")
    command.add_argument("--accept-numeric", action="store_true",
                         help="exit 0 when the formulas agree numerically without a proof (it says so)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="derive", description="Derive ML losses from distributional assumptions.")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="the registered assumptions").set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="one derivation")
    show.add_argument("name")
    show.add_argument("--format", choices=("latex", "text", "json"), default="text")
    show.set_defaults(func=cmd_show)

    chk = sub.add_parser("check", help="is this hand-written LaTeX the derived loss?")
    chk.add_argument("name")
    chk.add_argument("latex")
    _verdict_options(chk)
    chk.set_defaults(func=cmd_check)

    eq = sub.add_parser("equiv", help="are two formulas equivalent?")
    eq.add_argument("a", nargs="?")
    eq.add_argument("b", nargs="?")
    eq.add_argument("--batch", metavar="FILE", default=None,
                    help="JSON lines {\"a\": ..., \"b\": ..., \"mode\": ..., \"params\": ...} ('-': stdin); "
                    "one verdict per line out, checked in parallel")
    eq.add_argument("-j", "--jobs", type=int, default=None, help="--batch: worker processes (default: the cores)")
    eq.add_argument("--timeout", type=float, default=5.0, help="seconds for each verdict")
    eq.add_argument("--params", default=None, help="comma-separated parameter names")
    eq.add_argument("--mode", choices=("exact", "constant", "affine"), default="exact")
    _verdict_options(eq)
    eq.set_defaults(func=cmd_equiv)

    info = sub.add_parser("info", help="entropy, cross-entropy or KL of finite distributions, exactly")
    info.add_argument("quantity", choices=("entropy", "cross-entropy", "kl"))
    info.add_argument("--p", required=True, help="probabilities, e.g. 1/2,1/4,1/8,1/8")
    info.add_argument("--q", default=None, help="the model's probabilities (cross-entropy, kl)")
    info.add_argument("--base", default="2", help="2 (bits), e (nats) or any positive number")
    info.set_defaults(func=cmd_info)

    nll = sub.add_parser("nll", aliases=["custom"], help="derive the loss of your own density (LaTeX), as derive.custom does")
    nll.add_argument("density", help="the density, e.g. '\\frac{1}{2b} e^{-|y-\\mu|/b}'")
    nll.add_argument("--data", required=True, help="comma-separated data symbols")
    nll.add_argument("--params", required=True, help="comma-separated parameter symbols")
    nll.add_argument("--fixed", default="", help="comma-separated fixed symbols")
    nll.add_argument("--support", default=None, help="reals, positive, unit, counts or binary (default: where the "
                     "density's cases are non-zero, else counts for a factorial, else the reals)")
    nll.add_argument("--domain", action="append", default=[], help="NAME=reals|positive|unit, repeatable")
    nll.add_argument("--normalise", action="store_true", help="derive the normaliser of a kernel")
    nll.set_defaults(func=cmd_nll)

    from derive.verify.cli import add_arguments

    add_arguments(sub.add_parser("verify", help="check every step of the derivations in .tex/.md/.ipynb files")) \
        .set_defaults(func=cmd_verify)

    b = sub.add_parser("build", help="write the derivations to outputs/")
    b.add_argument("--out", default="outputs")
    b.add_argument("--only", default=None, help="comma-separated assumption names; 'information' for the part on entropy, "
                   "cross-entropy and KL")
    b.add_argument("--parts", default=None, help="comma-separated parts in the order the documents give them: "
                   "catalogue,information,models (default: all, in this order; or the project file's parts)")
    b.add_argument("--format", default=None, help="comma-separated: tex,slides,md,json (default: all)")
    b.add_argument("--log", choices=("log", "ln"), default=None, help="natural log as \\log or \\ln")
    b.add_argument("--config", default=None, help="project file (default: ./derive.toml, or [tool.derive] "
                   "in ./pyproject.toml)")
    b.add_argument("--title", default=None)
    b.add_argument("--subtitle", default=None)
    b.add_argument("--author", default=None)
    b.add_argument("--date", default=None)
    b.add_argument("--classes-from", type=int, choices=(0, 1), default=None, help="number classes from 0 or 1")
    b.add_argument("--softplus", action="store_true", help="write log(1 + e^z) as softplus(z)")
    b.add_argument("--symbol", action="append", default=[], metavar="OLD=NEW",
                   help="print a symbol as you write it, e.g. 'y=t' or '\\hat{y}=\\mu' (repeatable)")
    b.add_argument("--pdf", action="store_true", help="compile the LaTeX documents with latexmk")
    b.add_argument("--force", action="store_true", help="overwrite files in --out that derive did not write")
    b.add_argument("-j", "--jobs", type=int, default=None, help="processes for the entries (default: the cores; "
                   "every N writes the same bytes)")
    b.add_argument("--no-cache", action="store_true", help="compute everything; read and write no cache")
    b.set_defaults(func=cmd_build)

    init = sub.add_parser("init", help="write a commented starter project file (derive.toml)")
    init.add_argument("path", nargs="?", default="derive.toml")
    init.add_argument("--force", action="store_true", help="replace an existing file")
    init.set_defaults(func=cmd_init)

    code = sub.add_parser("code", help="the loss, NLL, dataset loss and gradient as stable batched code")
    code.add_argument("name")
    code.add_argument("--target", choices=("torch", "numpy"), default="torch")
    code.set_defaults(func=cmd_code)

    obj = sub.add_parser("objective", help="a custom gradient-boosting objective (gradient, Hessian)")
    obj.add_argument("name")
    obj.add_argument("--target", choices=("lightgbm", "xgboost"), required=True)
    obj.set_defaults(func=cmd_objective)

    cache = sub.add_parser("cache", help="the build cache ($XDG_CACHE_HOME/derive or ~/.cache/derive)")
    cache.add_argument("action", choices=("clear",))
    cache.set_defaults(func=cmd_cache)
    return p


def _protect_formulas(argv: list[str]) -> list[str]:
    """Formulas often start with a minus (``-\\log p``), which argparse takes for an option.
    A leading space keeps them positional; the LaTeX reader ignores it."""
    if argv[:1] == ["verify"]:  # file names and options only (-j N)
        return argv
    return [" " + a if a.startswith("-") and not a.startswith("--") and not _short_option(a) else a for a in argv]


def _short_option(arg: str) -> bool:
    """``-h``, ``-j``/``-j4`` and ``-`` (standard input) are options, not formulas."""
    return arg in ("-", "-h") or (arg.startswith("-j") and arg[2:].isdigit()) or arg == "-j"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(_protect_formulas(sys.argv[1:] if argv is None else argv))
    try:
        return args.func(args)
    except DeriveError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("derive: interrupted; nothing more was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        print(f"derive: error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001  (a bug: one line for the user, the traceback on request)
        if os.environ.get("DERIVE_TRACEBACK"):
            raise
        print(f"derive: internal error: {type(error).__name__}: {error} (this is a bug in derive; "
              f"set DERIVE_TRACEBACK=1 to see where)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
