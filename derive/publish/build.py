"""`derive build`: the chosen formats written into an output folder, with the figures."""

from __future__ import annotations

from pathlib import Path

from derive.assumptions import names as assumption_names
from derive.config import ConfigError, PrinterConfig
from derive.engine import derive
from derive.figures import write_figures
from derive.publish.article import article
from derive.publish.catalog_json import catalog
from derive.publish.context import Context
from derive.publish.markdown import markdown
from derive.publish.slides import slides

INFORMATION = "information"  # the name of the information part among --only's names
FORMATS = {"tex": "derivations.tex", "slides": "slides.tex", "md": "derivations.md", "json": "catalog.json"}
OUTPUT_FILES = tuple(FORMATS.values())


# --------------------------------------------------------------------------- build


def parse_formats(text: str | None) -> tuple[str, ...]:
    """``"tex,md"`` -> ``("tex", "md")``; an unknown format is a ConfigError."""
    if not text:
        return tuple(FORMATS)
    chosen = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ConfigError(f"unknown format(s) {', '.join(unknown) or '(none)'}; known: {', '.join(FORMATS)}")
    return chosen


def build(out: Path | str = "outputs", only: list[str] | None = None, formats=None,
          config: PrinterConfig | None = None, figures: bool = True, info: bool | None = None) -> list[Path]:
    """Write the chosen formats (default: all four) into ``out``, and the figures into
    ``out/figures`` when a document needs them; returns the paths written.  ``info`` adds
    the part on entropy, cross-entropy and KL divergence (default: when ``only`` is not
    given, that is, for the whole catalogue; ``"information"`` among ``only`` asks for it)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    formats = tuple(formats) if formats else tuple(FORMATS)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    config = config or PrinterConfig()
    if only is not None and INFORMATION in only:
        only = [name for name in only if name != INFORMATION]
        info = True
    derivations = [derive(name) for name in (assumption_names() if only is None else only)]
    written: list[Path] = []
    overview, each = None, {}
    if figures and derivations and set(formats) & {"tex", "slides", "md", "json"}:
        overview, each = write_figures(derivations, out)
        for fig in [overview, *each.values()]:
            written += fig.paths(out)
    ctx = Context(config, each, overview, info=only is None if info is None else info)
    writers = {"tex": article, "slides": slides, "md": markdown, "json": catalog}
    for fmt in formats:
        path = out / FORMATS[fmt]
        path.write_text(writers[fmt](derivations, ctx), encoding="utf-8")
        written.append(path)
    return written
