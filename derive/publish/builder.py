"""`derive build`: the chosen formats written into an output folder, with the figures, so that
no file is ever lost.

- Everything is checked first (formats, names, the output folder, TeX for ``--pdf``) and
  written into a staging folder inside the output folder; files move into place only when
  the whole build (and ``--pdf``) has succeeded.  An interrupted or failed build leaves the
  previous outputs as they were.
- ``.derive-manifest.json`` records each file the build wrote with its SHA-256.  A file about
  to be replaced that the manifest does not list, or that changed since, is a clash: a
  :class:`BuildError` naming it and ``--force``.
- A PDF beside a ``.tex`` written without ``--pdf`` is stale and is removed (when derive
  wrote it; otherwise it is a clash).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from derive.assumptions import names as assumption_names
from derive.config import PARTS, PrinterConfig, ProjectConfig
from derive.errors import BuildError, ConfigError, UnknownAssumption
from derive.cache import Cache, build_key, write_files
from derive.publish import pdf as tex

INFORMATION = "information"  # the name of the information part among --only's names
FORMATS = {"tex": "derivations.tex", "slides": "slides.tex", "md": "derivations.md", "json": "catalog.json"}
OUTPUT_FILES = tuple(FORMATS.values())
LATEX_FORMATS = ("tex", "slides")
MANIFEST = ".derive-manifest.json"
STAGING_PREFIX = ".derive-staging-"

Progress = Callable[[str], None]


def parse_formats(text: str | None) -> tuple[str, ...]:
    """``"tex,md"`` -> ``("tex", "md")``; an unknown format is a ConfigError."""
    if not text:
        return tuple(FORMATS)
    chosen = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ConfigError(f"unknown format(s) {', '.join(unknown) or '(none)'}; known: {', '.join(FORMATS)}")
    return chosen


def entry_names(only: list[str] | None) -> tuple[list[str], bool | None]:
    """The catalogue entries to build, in order, and whether ``information`` was asked for
    (None: not said).  An empty list or an unknown name is an error, raised before anything
    is written."""
    if only is None:
        return list(assumption_names()), None
    names = [n.strip() for n in only if n.strip()]
    if not names:
        raise BuildError("--only names no entry; give comma-separated names, e.g. --only gaussian,bernoulli")
    known = list(assumption_names())
    for name in names:
        if name != INFORMATION and name not in known:
            raise UnknownAssumption(name, known + [INFORMATION])
    info = True if INFORMATION in names else None
    return list(dict.fromkeys(n for n in names if n != INFORMATION)), info


def document_plan(only: list[str] | None, project: ProjectConfig,
                  info: bool | None = None) -> tuple[list[str], tuple[str, ...]]:
    """The catalogue entries to build, in order, and the documents' parts, in order.

    Entries: ``only``'s names, else the project's ``entries``, else the whole catalogue.  Parts:
    the project's ``parts`` as listed; unset, all of :data:`~derive.config.PARTS`, or with
    ``only`` the parts it asks for (the catalogue when it names entries, the information part
    when it names ``information``).  ``info`` True adds the information part (last, when it is
    not there), False takes it out.  A catalogue without entries is no part.  Errors before
    anything is written."""
    names, asked = entry_names(only if only is not None else
                               None if project.entries is None else list(project.entries))
    if project.parts is not None:
        parts = project.parts
        if asked and INFORMATION not in parts:
            raise BuildError(f"--only names {INFORMATION}, but parts ({', '.join(parts)}) leave it out: "
                             f"add it to parts, or leave it out of --only")
    elif only is not None:
        parts = tuple(p for p in PARTS if (p == "catalogue" and names) or (p == INFORMATION and asked))
    else:
        parts = PARTS
    if info is False or info and INFORMATION not in parts:
        parts = tuple(p for p in parts if p != INFORMATION) + ((INFORMATION,) if info else ())
    if "catalogue" not in parts:
        names = []
    parts = tuple(p for p in parts if p != "catalogue" or names)
    if not parts:
        raise BuildError("nothing to build: no entry and no part chosen (see --only, --parts and `derive list`)")
    return names, parts


def check_destination(out: Path) -> None:
    """``out`` is (or can become) a folder we may write in; else a BuildError."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out {out}: is a file, not a folder")
    ancestor = out
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise BuildError(f"--out {out}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise BuildError(f"--out {out}: cannot write in {ancestor} (permission denied)")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(out: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of the files an earlier build wrote into ``out``."""
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError, OSError):
        return {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _owned(path: Path, relative: str, manifest: dict[str, str]) -> bool:
    return relative in manifest and path.is_file() and _digest(path) == manifest[relative]


def _clash_error(out: Path, clashes: list[str]) -> BuildError:
    more = f" (and {len(clashes) - 1} more: {', '.join(clashes[1:4])}{', ...' if len(clashes) > 4 else ''})" \
        if len(clashes) > 1 else ""
    return BuildError(f"{out / clashes[0]} was not written by derive build, or was changed since{more}; "
                      f"nothing was written: move it away, choose another --out, or pass --force to overwrite")


def _remove_stale_staging(out: Path) -> None:
    for leftover in out.glob(STAGING_PREFIX + "*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def build(out: Path | str = "outputs", only: list[str] | None = None, formats=None,
          config: PrinterConfig | None = None, figures: bool = True, info: bool | None = None, *,
          pdf: bool = False, force: bool = False, progress: Progress | None = None,
          tex_timeout: float = 300.0, project: ProjectConfig | None = None, cache: Cache | bool = True,
          jobs: int = 1) -> list[Path]:
    """Write the chosen formats (default: all four) into ``out``, the figures into
    ``out/figures`` and, with ``pdf``, the compiled LaTeX documents; returns the paths
    written.  ``info`` adds (True) or leaves out (False) the part on entropy, cross-entropy and
    KL divergence (default: as ``only`` and ``project`` say, see :func:`document_plan`).
    ``force`` overwrites files derive did not write.  ``project`` gives the title, author,
    date, the entries (when ``only`` is None) and the parts in their order; ``config`` (when
    given) overrides its notation.  Nothing in ``out`` changes unless the whole build succeeds.
    ``cache``: reuse what earlier builds computed (:mod:`derive.cache`; False: compute all);
    ``jobs``: processes for the entries (the files are the same for every value)."""
    out = Path(out)
    formats = tuple(formats) if formats else tuple(FORMATS)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    project = project or ProjectConfig()
    config = config or project.printer()
    names, parts = document_plan(only, project, info)
    check_destination(out)
    if pdf and set(formats) & set(LATEX_FORMATS):
        missing = tex.tex_missing()
        if missing:
            raise BuildError(f"--pdf: TeX is not available (missing: {', '.join(missing)}); nothing was written.  "
                             f"Install: {tex.TEX_INSTALL_HINT}")
    say = progress or (lambda message: None)

    store = cache if isinstance(cache, Cache) else Cache(enabled=bool(cache))
    info, models = INFORMATION in parts, "models" in parts
    whole = build_key((names, formats, config, figures, parts, project)) \
        if store.enabled and not pdf else ""  # TeX is not in the key: --pdf builds are not cached whole
    previous = store.load("build", whole) if whole else None
    if not isinstance(previous, dict):
        previous = None
        from derive.prepare import document_parts, prepare  # not needed when a cached build is copied

        derivations, drawn = prepare(names, figures=figures, jobs=max(1, jobs), store=store, say=say,
                                     symbols=config.symbols, class_base=config.class_base,
                                     parts=document_parts(info, models))
        from derive.publish.context import check_renames

        check_renames(derivations, config)

    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        sources = [FORMATS[f] for f in formats if f in LATEX_FORMATS]
        if previous is not None:
            say("nothing changed since a cached build: its files")
            write_files(staging, previous)
            return _move_into_place(staging, out, force, pdf, sources)
        from derive.figures_parts import prior_figure
        from derive.prepare import stage_figures
        from derive.publish.article import article
        from derive.publish.catalog_json import catalog
        from derive.publish.context import Context
        from derive.publish.markdown import markdown
        from derive.publish.slides import slides

        overview, each, priors = None, {}, None
        if figures and derivations:
            say("drawing the figures")
            overview, each = stage_figures(derivations, drawn, staging, config.symbols)
        if figures and models:
            say("drawing the priors beside their penalties")
            priors = prior_figure(staging, config.symbols)
        ctx = Context(config, each, overview, parts=parts, project=project, priors=priors)
        writers = {"tex": article, "slides": slides, "md": markdown, "json": catalog}
        for fmt in formats:
            say(f"writing {FORMATS[fmt]}")
            (staging / FORMATS[fmt]).write_text(writers[fmt](derivations, ctx), encoding="utf-8")
        if pdf and sources:
            tex.compile_all(staging, sources, timeout=tex_timeout, progress=say)
        if whole:
            store.store_folder("build", whole, staging)
        return _move_into_place(staging, out, force, pdf, sources)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, out: Path, force: bool, pdf: bool, sources: list[str]) -> list[Path]:
    """Move every staged file to ``out`` (after checking each replaced file is derive's),
    remove the PDFs made stale by a new ``.tex`` and, when this build drew figures, the figures
    an earlier build wrote that this one does not (unchanged since: a file you edited stays),
    and record the manifest."""
    manifest = read_manifest(out)
    staged = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    stale = [] if pdf else [Path(s).with_suffix(".pdf").as_posix() for s in sources]
    stale = [s for s in stale if (out / s).exists()]
    if any(s.startswith("figures/") for s in staged):
        stale += [r for r in sorted(manifest) if r.startswith("figures/") and r not in staged
                  and (out / r).is_file() and _owned(out / r, r, manifest)]
    clashes = [r for r in staged + stale if (out / r).exists() and not _owned(out / r, r, manifest)]
    if clashes and not force:
        raise _clash_error(out, clashes)
    for relative in stale:
        (out / relative).unlink()
        manifest.pop(relative, None)
    written = []
    for relative in staged:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
        manifest[relative] = _digest(target)
        written.append(target)
    manifest = {k: v for k, v in sorted(manifest.items()) if (out / k).is_file()}
    record = out / (MANIFEST + ".tmp")
    record.write_text(json.dumps({"written_by": "derive build", "files": manifest}, indent=1) + "\n",
                      encoding="utf-8")
    os.replace(record, out / MANIFEST)
    return _in_writing_order(written)


def _in_writing_order(paths: list[Path]) -> list[Path]:
    """Figures first, then the documents in format order, then the PDFs."""
    order = {name: index for index, name in enumerate(OUTPUT_FILES)}

    def key(path: Path):
        kind = 0 if path.parent.name == "figures" else (2 if path.suffix == ".pdf" else 1)
        return kind, order.get(path.name, len(order)), str(path)

    return sorted(paths, key=key)
