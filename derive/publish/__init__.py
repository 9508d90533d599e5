"""`derive build`: the derivations as a LaTeX article, a Beamer deck, Markdown and JSON, with
figures; `derive build --pdf` compiles the two LaTeX documents.

One writer per format, each serving both the catalogue and the part on entropy,
cross-entropy and KL divergence:

    article.py       derivations.tex   LaTeX article
    slides.py        slides.tex        Beamer deck
    markdown.py      derivations.md    GitHub/KaTeX
    catalog_json.py  catalog.json      every derived quantity as srepr and LaTeX, with verdicts
    context.py       what the writers share (settings, figures, the checked claims)
    information.py   the information part's content (examples, identities, closed forms)
    builder.py       the build: formats into an output folder, with figures/
    pdf.py           latexmk, reproducibly

Everything is deterministic: the same catalogue gives byte-identical files.  The writers of
whole documents are ``article.article``, ``slides.slides``, ``markdown.markdown`` and
``catalog_json.catalog`` (imported from their modules, whose names they share).
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: each public name and the module that defines it: loaded when first used, so that copying a
#: cached build does not load the writers
_HOME = {
    "article_section": "article", "information_section": "article",
    "FORMATS": "builder", "INFORMATION": "builder", "MANIFEST": "builder", "OUTPUT_FILES": "builder",
    "build": "builder", "parse_formats": "builder",
    "catalog_entry": "catalog_json", "information_catalog": "catalog_json",
    "Context": "context", "checks_of": "context", "reference_math": "context", "reference_words": "context",
    "information_markdown": "markdown",
    "TEX_INSTALL_HINT": "pdf", "TEX_PACKAGES": "pdf", "Compiled": "pdf", "compile_all": "pdf", "compile_pdf": "pdf",
    "first_error": "pdf", "tex_missing": "pdf",
    "information_frames": "slides", "slide": "slides", "slide_frames": "slides", "summary_frames": "slides",
}


def __getattr__(name: str):
    if (Path(__file__).parent / f"{name}.py").is_file():  # ``derive.publish.slides`` before anything imported it
        return importlib.import_module(f"derive.publish.{name}")
    if name not in _HOME:
        raise AttributeError(f"module 'derive.publish' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"derive.publish.{_HOME[name]}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_HOME)
