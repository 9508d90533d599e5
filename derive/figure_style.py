"""How every figure of the documents is drawn and written: the matplotlib settings, the
files (a PDF and a PNG per figure, under ``figures/``), and what a figure is to the writers.

Output is deterministic: matplotlib's object API with the Agg canvas (no pyplot, no global
backend switch), fixed rcParams, no dates or producer strings in the PDF or PNG metadata.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from derive.latex.tokens import rename_math

FIGURE_DIR = "figures"

RC_PARAMS = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "mathtext.fontset": "cm",
    "axes.titlesize": 9.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": None,  # set below, once matplotlib is imported
    "lines.linewidth": 1.5,
    "pdf.fonttype": 3,
    "pdf.compression": 6,
    "svg.hashsalt": "derive",
    "svg.fonttype": "none",
    "savefig.dpi": 150,
    "figure.dpi": 100,
    "path.simplify": True,
    "axes.unicode_minus": True,
    "axes.formatter.use_mathtext": False,
}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None}
PNG_METADATA = {"Software": None}
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(frozen=True)
class FigureFiles:
    """A written figure (``stem`` relative to the output folder, without suffix) or a
    skipped one (``stem`` None and ``note`` saying why); ``caption`` for the documents."""

    name: str
    stem: str | None
    caption: str
    note: str = ""

    def paths(self, out: Path) -> list[Path]:
        if self.stem is None:
            return []
        return [out / f"{self.stem}.pdf", out / f"{self.stem}.png"]


class Skip(Exception):
    """A figure that the generic rules cannot draw; the message says why."""


def matplotlib_api():
    """matplotlib, its Figure class, the Agg canvas and the rcParams every figure is drawn with."""
    import matplotlib
    from cycler import cycler
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    params = dict(RC_PARAMS)
    params["axes.prop_cycle"] = cycler(color=list(COLORS))
    return matplotlib, Figure, FigureCanvasAgg, params


def save(fig, canvas_class, out: Path, stem: str, symbols: tuple[tuple[str, str], ...] = ()) -> None:
    """Both files of ``fig``, every label, title and legend in the renamed symbols."""
    if symbols:
        from matplotlib.text import Text

        for text in fig.findobj(Text):
            text.set_text(rename_math(text.get_text(), dict(symbols)))
    canvas_class(fig)
    path = out / stem
    path.parent.mkdir(parents=True, exist_ok=True)
    # fontTools warns about the zero font timestamps that make the PDF reproducible.
    fonttools = logging.getLogger("fontTools")
    level = fonttools.level
    fonttools.setLevel(logging.ERROR)
    try:
        fig.savefig(f"{path}.pdf", format="pdf", metadata=PDF_METADATA)
        fig.savefig(f"{path}.png", format="png", metadata=PNG_METADATA)
    finally:
        fonttools.setLevel(level)
