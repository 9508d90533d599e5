"""`derive build --pdf`: the LaTeX documents compiled with latexmk, reproducibly."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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
    of the output folder), with ``SOURCE_DATE_EPOCH`` fixed so that the PDF is reproducible."""
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
    run = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                         cwd=work, capture_output=True, text=True, env=env, timeout=timeout)
    seconds = time.perf_counter() - start
    log_path = work / (tex.stem + ".log")
    log = log_path.read_text(encoding="latin-1") if log_path.is_file() else run.stdout + run.stderr
    pdf = work / (tex.stem + ".pdf")
    return Compiled(tex, pdf if run.returncode == 0 and pdf.is_file() else None, log, run.returncode, seconds)


def build_pdfs(out: Path | str, sources=("derivations.tex", "slides.tex")) -> list[Compiled]:
    """Compile the LaTeX documents in ``out`` and copy the PDFs next to them."""
    out = Path(out)
    results = []
    for name in sources:
        if not (out / name).is_file():
            continue
        with tempfile.TemporaryDirectory(prefix="derive-tex-") as work:
            result = compile_pdf(out / name, Path(work))
            pdf = None
            if result.pdf is not None:
                pdf = out / result.pdf.name
                shutil.copy2(result.pdf, pdf)
            else:
                (out / (Path(name).stem + ".log")).write_text(result.log, encoding="latin-1")
        results.append(Compiled(result.source, pdf, result.log, result.returncode, result.seconds))
    return results
