"""LaTeX out, in one import: the printer, the size estimator, the row layout and the emitters.

    printer.py   SymPy expressions -> textbook LaTeX (:class:`TextbookPrinter`, :func:`latex`)
    measure.py   estimated width and height of our own LaTeX (:func:`tex_width`, :func:`tex_height`)
    layout.py    recorded steps -> rows that fit a width, rows -> slide frames
    emit.py      rows -> ``align*`` / ``aligned`` blocks; text made safe for LaTeX

Import from here or from the module that defines a name; both are public.
"""

from __future__ import annotations

from derive.latex.emit import display_math, emit_align, formula_tex, render_steps, text_escape
from derive.latex.layout import (ARTICLE, MARKDOWN, SLIDE, SLIDE_BUDGET, Layout, Row, formula_lines, frames_of_rows,
                                 layout_rows, left_column, log_notation, written_lines)
from derive.latex.measure import tex_height, tex_tokens, tex_width
from derive.latex.printer import DISPLAY_NAMES, LogBase, TextbookPrinter, latex, unfold_piecewise

__all__ = ["ARTICLE", "DISPLAY_NAMES", "MARKDOWN", "SLIDE", "SLIDE_BUDGET", "Layout", "LogBase", "Row",
           "TextbookPrinter", "display_math", "emit_align", "formula_lines", "formula_tex", "frames_of_rows", "latex",
           "layout_rows", "left_column", "log_notation", "render_steps", "tex_height", "tex_tokens", "tex_width",
           "text_escape", "unfold_piecewise", "written_lines"]
