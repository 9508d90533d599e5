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

from derive.publish.article import article_section, information_section
from derive.publish.builder import FORMATS, INFORMATION, MANIFEST, OUTPUT_FILES, build, parse_formats
from derive.publish.catalog_json import catalog_entry, information_catalog
from derive.publish.context import Context, checks_of, reference_math, reference_words
from derive.publish.markdown import information_markdown
from derive.publish.pdf import (TEX_INSTALL_HINT, TEX_PACKAGES, Compiled, compile_all, compile_pdf, first_error,
                                tex_missing)
from derive.publish.slides import information_frames, slide, slide_frames, summary_frames

__all__ = ["FORMATS", "INFORMATION", "MANIFEST", "OUTPUT_FILES", "TEX_INSTALL_HINT", "TEX_PACKAGES", "Compiled", "Context",
           "article_section", "build", "catalog_entry", "checks_of",
           "compile_all", "compile_pdf", "first_error", "information_catalog", "information_frames", "information_markdown",
           "information_section", "parse_formats", "reference_math", "reference_words", "slide",
           "slide_frames", "summary_frames", "tex_missing"]
