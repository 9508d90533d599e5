"""`derive build --pdf`: the LaTeX documents compiled with latexmk, reproducibly."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from derive.errors import BuildError

TEX_PACKAGES = ("amsmath.sty", "mathtools.sty", "beamer.cls", "graphicx.sty", "booktabs.sty",
                "geometry.sty", "placeins.sty", "adjustbox.sty")
TEX_INSTALL_HINT = ("apt-get install --no-install-recommends texlive-latex-extra latexmk "
                    "(Debian/Ubuntu), or TeX Live with latexmk, amsmath, mathtools and beamer")


# --------------------------------------------------------------------------- PDF


def tex_missing() -> list[str]:
    """What of TeX Live is missing for ``--pdf`` and the compile tests (empty: all there)."""
    missing = [tool for tool in ("latexmk", "pdflatex", "kpsewhich") if shutil.which(tool) is None]
    if "kpsewhich" not in missing:
        for package in TEX_PACKAGES:
            found = subprocess.run(["kpsewhich", package], capture_output=True, text=True)
            if found.returncode != 0 or not found.stdout.strip():
                missing.append(package)
    return missing


@dataclass(frozen=True)
class Compiled:
    """A compiled document: the PDF (None on failure), the TeX log, the exit code, seconds."""

    source: Path
    pdf: Path | None
    log: str
    returncode: int
    seconds: float


def compile_pdf(tex: Path, workdir: Path, timeout: float = 300.0) -> Compiled:
    """``latexmk -pdf -interaction=nonstopmode -halt-on-error`` on ``tex`` in ``workdir``
    (a copy of the source and its figures goes there, so that the auxiliary files stay out
    of the output folder), with ``SOURCE_DATE_EPOCH`` fixed so that the PDF is reproducible.
    TeX running longer than ``timeout`` seconds is a :class:`BuildError`."""
    tex = Path(tex).resolve()
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    if work.resolve() != tex.parent:
        shutil.copy2(tex, work / tex.name)
        figures = tex.parent / "figures"
        if figures.is_dir():
            shutil.copytree(figures, work / "figures", dirs_exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    start = time.perf_counter()
    try:
        run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                             cwd=work, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BuildError(f"TeX timed out on {tex.name} after {timeout:g} s; nothing was written") from None
    except OSError as error:
        raise BuildError(f"cannot run latexmk on {tex.name}: {error.strerror or error}") from None
    seconds = time.perf_counter() - start
    log_path = work / (tex.stem + ".log")
    log = log_path.read_text(encoding="latin-1") if log_path.is_file() else run.stdout + run.stderr
    pdf = work / (tex.stem + ".pdf")
    return Compiled(tex, pdf if run.returncode == 0 and pdf.is_file() else None, log, run.returncode, seconds)


def first_error(log: str) -> str:
    """The first TeX error of a log (the line starting with ``!``, and the ``l.N`` line that
    says where), or the log's last non-empty line when there is none."""
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("!"):
            where = next((l.strip() for l in lines[index + 1:index + 12] if l.startswith("l.")), "")
            return f"{line.strip()} {where}".strip()
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else "(empty log)"


def compile_all(folder: Path, sources, timeout: float = 300.0,
                progress: Callable[[str], None] | None = None) -> list[Compiled]:
    """Compile each of ``sources`` found in ``folder`` and put its PDF beside it.  A failure
    is a :class:`BuildError` with the log's first error; the whole log is kept in a file
    outside ``folder``, named in the message."""
    folder = Path(folder)
    results = []
    for name in sources:
        if not (folder / name).is_file():
            continue
        if progress is not None:
            progress(f"compiling {name}")
        with tempfile.TemporaryDirectory(prefix="derive-tex-") as work:
            result = compile_pdf(folder / name, Path(work), timeout=timeout)
            if result.pdf is None:
                handle, log_path = tempfile.mkstemp(prefix=f"derive-{Path(name).stem}-", suffix=".log")
                with os.fdopen(handle, "w", encoding="latin-1") as log_file:
                    log_file.write(result.log)
                raise BuildError(f"latexmk failed on {name} (exit {result.returncode}): {first_error(result.log)}; "
                                 f"full log: {log_path}; nothing was written")
            pdf = folder / result.pdf.name
            shutil.copy2(result.pdf, pdf)
        results.append(Compiled(result.source, pdf, result.log, result.returncode, result.seconds))
    return results
