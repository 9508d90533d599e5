"""Rows -> LaTeX display blocks: ``align*`` (optionally with Beamer overlays per cell) or
KaTeX-safe ``aligned``; justifications beside a row or above it; text made safe for LaTeX."""

from __future__ import annotations

from derive.config import PrinterConfig
from derive.latex.layout import ARTICLE, Layout, Row, layout_rows, math_width, note_beside
from derive.latex.measure import tex_width
from derive.latex.printer import TextbookPrinter

_TEXT_SPECIALS = {"_": r"\_", "^": r"\^{}", "&": r"\&", "%": r"\%", "#": r"\#"}


def text_escape(text: str) -> str:
    """Plain text (a title, a loss name, a note) made safe for LaTeX text mode: ``_ ^ & % #``
    outside ``$...$`` are escaped unless they already are; math and commands are kept."""
    out = []
    for index, part in enumerate(text.split("$")):
        if index % 2:
            out.append("$" + part + "$")
            continue
        for position, char in enumerate(part):
            escaped = position > 0 and part[position - 1] == "\\"
            out.append(_TEXT_SPECIALS[char] if char in _TEXT_SPECIALS and not escaped else char)
    return "".join(out)


def _note_tex(note: str, size: str, markdown: bool) -> str:
    """A justification as math-mode text: ``\\text{\\small ...}``; for KaTeX/MathJax, whose
    ``\\text`` does not read ``$...$``, the math pieces are taken out of the text."""
    if not note:
        return ""
    note = text_escape(note)
    if not markdown:
        return r"\text{%s%s}" % (size + " " if size else "", note)
    parts = note.split("$")
    out = []
    for index, part in enumerate(parts):
        if not part:
            continue
        out.append(part if index % 2 else r"\text{%s}" % part)
    return " ".join(out)


def _as_lead_in(note: str) -> str:
    """A justification written above its row reads as the lead-in of a sentence:
    capitalised, ending with a colon."""
    note = text_escape(note.strip())
    if note[:1].islower():
        note = note[0].upper() + note[1:]
    if note and note[-1] not in ".:;!?":
        note += ":"
    return note


def _reveal(tex: str, overlay: int | None) -> str:
    if overlay is None or not tex:
        return tex
    return r"\visible<%d->{%s}" % (overlay, tex)


MARKDOWN_NOTE_BESIDE = 16.0  # em: a longer justification in Markdown goes on a row above its row


def emit_align(rows: list[Row], layout: Layout = ARTICLE, *, environment: str = "align*",
               overlays: list[int] | None = None, intertext: bool = True) -> str:
    """The rows as one display block.  ``environment="aligned"`` writes KaTeX-safe LaTeX
    (no ``\\intertext``, no ``\\MoveEqLeft``); ``overlays`` gives each row the Beamer
    overlay from which it is visible (per cell, since ``\\pause`` does not work in align).

    A justification goes in a column on the right when it fits beside the widest row, and
    on a line of its own above its row (``\\intertext``) when it does not.  The rows share
    the alignment point: the math is as wide as the widest left side plus the widest right
    side, whichever rows they are on (a ``\\MoveEqLeft`` side stands on a line of its own)."""
    markdown = environment == "aligned"
    overlays = overlays or [None] * len(rows)
    width = math_width(rows, layout.indent)

    def fits(row: Row) -> bool:
        return not intertext or note_beside(row, width, layout, _note_tex(row.note, layout.note_size, False))

    out = []
    for row, overlay in zip(rows, overlays):
        note = _note_tex(row.note, layout.note_size, markdown)
        right = bool(note) and fits(row)
        if markdown and note and tex_width(_note_tex(row.note, "", False)) > MARKDOWN_NOTE_BESIDE:
            right = False  # no \\intertext in KaTeX: a long note is a row of its own, above
            out.append("&" + note)
        elif note and not right:
            out.append(r"\intertext{%s}" % _reveal(r"%s %s" % (layout.note_size, _as_lead_in(row.note)), overlay))
        cells = []
        if row.wide_lhs and not markdown:
            cells.append(r"\MoveEqLeft[2] %s" % _reveal(row.lhs, overlay))
            lhs = ""
        else:
            lhs = _reveal(row.lhs, overlay)
        for index, line in enumerate(row.lines):
            if index == 0:
                body = "%s &%s" % (lhs, _reveal("%s %s" % (row.relation, line), overlay))
                if right:
                    body += " && " + _reveal(note, overlay)
            else:
                body = r"&\quad %s" % _reveal(line, overlay)
            cells.append(body)
        out.append(" \\\\\n".join(cells))
    # \intertext lines must not be followed by a row separator of their own.
    text = ""
    for index, item in enumerate(out):
        text += item
        if index < len(out) - 1 and not item.startswith(r"\intertext"):
            text += " \\\\\n"
        elif item.startswith(r"\intertext"):
            text += "\n"
    return "\\begin{%s}\n%s\n\\end{%s}" % (environment, text, environment)


def formula_tex(lhs: str, lines: list[str], relation: str = "=", boxed: bool = False) -> str:
    """``lhs relation lines[0]``, with the continuation lines below it indented one quad (an
    ``aligned`` block, which TeX, KaTeX and the LaTeX reader all read); boxed on request."""
    if len(lines) == 1:
        tex = "%s %s %s" % (lhs, relation, lines[0])
    else:
        rows = ["%s &%s %s" % (lhs, relation, lines[0])] + [r"&\quad " + line for line in lines[1:]]
        tex = "\\begin{aligned}\n%s\n\\end{aligned}" % " \\\\\n".join(rows)
    return r"\boxed{%s}" % tex if boxed else tex


def display_math(lines: list[str], layout: Layout) -> str:
    """Math lines side by side with ``\\qquad`` when they fit, else one per line."""
    joined = r" \qquad ".join(lines)
    if layout.width is None or tex_width(joined) <= layout.width:
        return "\\[\n%s\n\\]" % joined
    return "\\begin{gather*}\n%s\n\\end{gather*}" % " \\\\\n".join(lines)


def render_steps(steps, printer: TextbookPrinter | None = None, *, params=(),
                 layout: Layout = ARTICLE, config: PrinterConfig | None = None) -> str:
    """A list of :class:`derive.steps.Step` as an ``align*`` block: one row per step, the
    justification beside it or above it, dropped terms under a brace."""
    rows = layout_rows(steps, printer, layout, params=params, config=config)
    return emit_align(rows, layout)
