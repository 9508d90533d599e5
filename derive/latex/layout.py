"""Recorded steps -> rows that fit a line: long right sides split at ``+``/``-``, long left
sides moved left, dropped constants under one brace; rows grouped into slide frames."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sympy as sp

from derive.config import PrinterConfig
from derive.latex.measure import tex_height, tex_tokens, tex_width
from derive.latex.tokens import rename_math, rename_symbols
from derive.steps import Step
from derive.latex.printer import TextbookPrinter, has_parens, is_tall, negated, reads_negative, unfold_piecewise

@dataclass(frozen=True)
class Row:
    """One displayed step: ``lhs relation lines[0]``, then continuation lines, with a note.

    ``lhs`` and ``lines`` are LaTeX math; ``note`` is LaTeX text (``$...$`` for math);
    ``wide_lhs`` marks a left side too wide for the left column (printed on a line of its
    own, moved left); ``label`` is the step's label.
    """

    label: str
    lhs: str
    relation: str
    lines: tuple[str, ...]
    note: str
    wide_lhs: bool = False

    @property
    def height(self) -> float:
        lines = sum(tex_height(t) for t in self.lines) + (tex_height(self.lhs) if self.wide_lhs else 0.0)
        return lines


@dataclass(frozen=True)
class Layout:
    """Where the rows go: ``width`` of the line in em of the math font (None: unbounded);
    ``lhs_share``: the widest left side kept in the left column, as a share of the width;
    ``note_size``: the size command of the justifications (``\\small``)."""

    width: float | None = 42.0
    lhs_share: float = 0.32
    note_size: str = r"\small"
    note_gap: float = 2.0
    indent: float = 1.0


ARTICLE = Layout(width=42.0)
SLIDE = Layout(width=36.0, lhs_share=0.3, note_size=r"\footnotesize", note_gap=3.5)
MARKDOWN = Layout(width=None, note_size="")


def _const_label(printer: TextbookPrinter, params, config: PrinterConfig) -> str:
    names = ", ".join(printer.doprint(p) for p in params)
    return r"\text{%s}%s" % (config.const_label, names) if names else r"\text{const.}"


def _row_body(step, printer: TextbookPrinter, const_label: str) -> tuple[sp.Basic | None, list[tuple[str, str]]]:
    """The right side of a step as ``[(sign, tex), ...]`` pieces that can be split between
    lines, with the dropped constants under one brace as the last piece."""
    if not step.dropped:
        expr = step.expr
        if isinstance(expr, sp.Add):
            return expr, printer.add_pieces(expr)
        return expr, [("", printer.doprint(expr))]
    constants = sp.Add(*step.dropped)
    kept = step.expr - constants
    pieces = printer.add_pieces(kept) if isinstance(kept, sp.Add) else [("", printer.doprint(kept))]
    if kept == 0:
        pieces = []
    sign = "+"
    if reads_negative(constants) or (isinstance(constants, sp.Add)
                                      and all(reads_negative(t) for t in constants.args)):
        constants = -constants
        sign = "-"
    braced = r"\underbrace{%s}_{%s}" % (printer.doprint(constants), const_label)
    pieces.append((sign if pieces else ("-" if sign == "-" else ""), braced))
    return None, pieces


def _join_pieces(pieces: list[tuple[str, str]], first: bool) -> str:
    tex = ""
    for index, (sign, term) in enumerate(pieces):
        if index == 0 and first:
            tex += {"": "", "+": "", "-": "- "}[sign] + term
        else:
            tex += (" %s " % sign if tex else "%s " % sign) + term if sign else term
    return tex


def _split_pieces(pieces, first_width: float, rest_width: float) -> list[str]:
    """Greedy line filling of the ``(sign, tex)`` pieces: the first line may hold
    ``first_width`` em, the continuation lines ``rest_width``."""
    lines: list[list[tuple[str, str]]] = [[]]
    for piece in pieces:
        candidate = lines[-1] + [piece]
        limit = first_width if len(lines) == 1 else rest_width
        if lines[-1] and tex_width(_join_pieces(candidate, len(lines) == 1)) > limit:
            lines.append([piece])
        else:
            lines[-1] = candidate
    return [_join_pieces(line, index == 0) for index, line in enumerate(lines)]


def _split_wrapped(expr: sp.Basic, printer: TextbookPrinter, first_width: float,
                   rest_width: float) -> list[str] | None:
    """A long sum or product inside a prefix (``\\frac{1}{n} \\sum_{i=1}^{n} [ ... ]``,
    ``-\\log( ... )``) split between lines with fixed-size brackets, which may open and close
    on different lines; None when ``expr`` is not of that shape."""
    sign = ""
    if reads_negative(expr):
        sign, expr = "- ", negated(expr)
    prefix_factors: list[sp.Basic] = []
    body = expr
    if isinstance(expr, sp.Mul):
        last = [f for f in expr.args if isinstance(f, (sp.Sum, sp.Add, sp.log, sp.exp))]
        if len(last) != 1:
            return None
        prefix_factors = [f for f in expr.args if f is not last[0]]
        body = last[0]
    head = printer.doprint(sp.Mul(*prefix_factors)) + " " if prefix_factors else ""
    if isinstance(body, sp.Sum) and len(body.limits) == 1:
        if reads_negative(body):
            sign = "" if sign else "- "
            body = negated(body)
        index, lower, upper = printer.sum_limits(body.limits[0])
        head += r"\sum_{%s=%s}^{%s} " % (index, lower, upper)
        body = unfold_piecewise(body.function)
    square = False
    if isinstance(body, (sp.log, sp.exp)):
        head += {sp.log: printer.log_command,
                 sp.exp: r"\exp"}[body.func]
        body = body.args[0]
        pieces = printer.add_pieces(body) if isinstance(body, sp.Add) else _mul_pieces(body, printer)
        if pieces is None:
            return None
    elif isinstance(body, sp.Add):
        pieces = printer.add_pieces(body)
        square = has_parens(body)
    else:
        return None
    size = r"\biggl" if is_tall(body) else r"\bigl"
    opening, closing = ("[", "]") if square else ("(", ")")
    head = sign + head + size + opening
    lines = _split_pieces(pieces, first_width - tex_width(head), rest_width)
    lines[0] = head + " " + lines[0]
    lines[-1] = lines[-1] + " " + size[:-1] + "r" + closing
    return lines


def _right_side(step, printer, const_label, first_width, rest_width) -> list[str]:
    expr, pieces = _row_body(step, printer, const_label)
    whole = _join_pieces(pieces, True)
    if first_width is None or tex_width(whole) <= first_width:
        return [whole]
    if len(pieces) > 1:
        return _split_pieces(pieces, first_width, rest_width)
    if expr is not None:
        wrapped = _split_wrapped(expr, printer, first_width, rest_width)
        if wrapped is not None:
            return wrapped
        factors = _mul_pieces(expr, printer)
        if factors is not None:
            return _split_pieces(factors, first_width, rest_width)
    return [whole]


def _mul_pieces(expr: sp.Basic, printer: TextbookPrinter) -> list[tuple[str, str]] | None:
    """A product too wide for a line as pieces that may go on separate lines: the
    coefficient part, then each operator factor (``\\exp(...)``, ``\\log(...)``) after
    ``\\times``; None when ``expr`` is not such a product."""
    sign = ""
    if reads_negative(expr):
        sign, expr = "-", negated(expr)
    if not isinstance(expr, sp.Mul):
        return None
    operators = [f for f in expr.args if printer.rank(f) >= 4]
    rest = [f for f in expr.args if printer.rank(f) < 4]
    if not operators or (not rest and len(operators) < 2):
        return None
    pieces = []
    if rest:
        pieces.append((sign, printer.doprint(sp.Mul(*rest))))
    for factor in operators:
        tex = printer.doprint(factor)
        pieces.append((r"\times" if pieces else sign, tex))
    return pieces


def _same(a, b) -> bool:
    return a is not None and b is not None and a == b


def _joined_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def merge_repeats(steps) -> list[Step]:
    """The steps with no expression written twice in a row:

    - a step repeating the row above with nothing dropped and no left side of its own (a
      no-op "drop the constants") is not shown;
    - a step naming the row above's expression anew (``L(mu)`` after ``p(y | mu)``) joins
      it: ``L(mu) = p(y | mu) = ...``; under the same name, only the notes join;
    - a step that only puts the constants of the row above under a brace replaces it, with
      both justifications.
    """
    shown: list[Step] = []
    for step in steps:
        above = shown[-1] if shown else None
        repeat = above is not None and _same(step.expr, above.expr) and step.relation == above.relation
        if repeat and not step.dropped and not step.lhs:
            continue
        if repeat and step.lhs and above.lhs and not step.dropped and not above.dropped:
            lhs = above.lhs if step.lhs == above.lhs else f"{step.lhs} = {above.lhs}"
            shown[-1] = dataclasses.replace(above, lhs=lhs, note=_joined_notes(above.note, step.note))
            continue
        if repeat and step.dropped and not above.dropped and not step.lhs:
            shown[-1] = dataclasses.replace(step, lhs=above.lhs, relation=above.relation,
                                            note=_joined_notes(above.note, step.note))
            continue
        shown.append(step)
    return shown


def _fitted_lines(step, printer, const_label, layout: Layout, lhs_column: float, is_wide: bool) -> list[str]:
    if layout.width is None:
        return _right_side(step, printer, const_label, None, None)
    start = (layout.indent * 2 if is_wide else lhs_column) + tex_width(step.relation)
    return _right_side(step, printer, const_label, layout.width - start, layout.width - start - layout.indent)


def layout_rows(steps, printer: TextbookPrinter | None = None, layout: Layout = ARTICLE,
                params=(), config: PrinterConfig | None = None,
                silent: tuple[str, ...] = ()) -> list[Row]:
    """The steps as rows that fit ``layout.width``, after :func:`merge_repeats`; the steps
    whose labels are in ``silent`` are shown without their note (the documents state the
    assumption in their own words before the steps)."""
    config = config or PrinterConfig()
    printer = printer or TextbookPrinter.from_config(config, lead_symbols=tuple(params))
    const_label = _const_label(printer, params, config)
    shown = merge_repeats(steps)

    lhs_tex = [log_notation(s.lhs or "", config) for s in shown]
    width = layout.width
    lhs_limit = None if width is None else layout.lhs_share * width
    wide = [lhs_limit is not None and tex_width(t) > lhs_limit for t in lhs_tex]
    lhs_column = max([tex_width(t) for t, w in zip(lhs_tex, wide) if not w] + [0.0])
    rows = []
    for step, lhs, is_wide in zip(shown, lhs_tex, wide):
        relation = step.relation
        lines = _fitted_lines(step, printer, const_label, layout, lhs_column, is_wide)
        if width is not None and lhs and not is_wide and lhs_column + tex_width(relation + " " + lines[0]) > width:
            is_wide = True  # the first piece does not fit beside the left side: the left side moves up
            lines = _fitted_lines(step, printer, const_label, layout, lhs_column, is_wide)
        note = "" if step.label in silent else log_notation(step.note, config, text=True)
        rows.append(Row(step.label, lhs, relation, tuple(lines), note, is_wide))
    return rows


def log_notation(fragment: str, config: PrinterConfig, text: bool = False) -> str:
    """A hand-written LaTeX fragment (a step's left side, or with ``text`` a note whose math is
    between ``$``) in the configured notation: the control word ``\\log`` becomes ``\\ln`` unless a
    base follows (``\\log_2``), and the renamed symbols are renamed (:func:`rename_symbols`, in
    the math only).  Works on tokens, not on patterns."""
    rename = rename_math if text else rename_symbols
    fragment = rename(fragment, dict(config.symbols))
    return _ln(fragment) if config.log == "ln" else fragment


def _ln(fragment: str) -> str:
    """``\\log`` as ``\\ln`` where no base follows, inside brace groups too."""
    if "\\log" not in fragment:
        return fragment
    tokens = list(tex_tokens(fragment))
    out = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1][:1] if index + 1 < len(tokens) else ""
        if token.startswith("{"):
            token = "{" + _ln(token[1:-1]) + "}"
        elif token == "\\log" and following not in ("_", "^"):
            token = "\\ln"
        out.append(token)
    return "".join(out)


SLIDE_BUDGET = 17.5  # estimated lines (of the estimate in tex_height) that fit under a frame title (16:9)
STEPS_BUDGET = 16.5  # the same for a derivation's steps, whose rows hold nested operators more often
NOTE_ABOVE = 1.6  # lines a justification takes on a line of its own above its row (\intertext and its skips)


def math_width(rows: list[Row]) -> float:
    """Width of the math of ``rows`` in one align: the widest left side plus the widest right
    side (a wide left side stands on a line of its own)."""
    lhs_column = max([tex_width(r.lhs) for r in rows if not r.wide_lhs] + [0.0])
    rhs_column = max([tex_width(row.relation + line) for row in rows for line in row.lines] + [0.0])
    return max([lhs_column + rhs_column] + [tex_width(r.lhs) for r in rows if r.wide_lhs])


def note_beside(row: Row, width: float, layout: Layout, note_tex: str) -> bool:
    """A row's justification (``note_tex``, as printed) fits in a column beside math ``width`` em wide."""
    return layout.width is None or width + layout.note_gap + tex_width(note_tex) <= layout.width


def row_height(row: Row, beside: bool = False, layout: Layout | None = None) -> float:
    """Estimated lines a row takes on a slide, its justification included (none when it
    stands ``beside`` the row; with ``layout``, a line more for each line it wraps onto)."""
    if not row.note or beside:
        return row.height
    wrapped = 0.0
    if layout is not None and layout.width:
        wrapped = float(int(tex_width(r"\text{%s %s}" % (layout.note_size, row.note)) // layout.width))
    return row.height + NOTE_ABOVE + wrapped


def frames_of_rows(rows: list[Row], first_budget: float, budget: float,
                   layout: Layout | None = None) -> list[list[Row]]:
    """Consecutive rows grouped into frames by their estimated height: each frame is filled
    before the next starts, and no frame is left with a single row while the frame before
    it can give one (or, at two rows, take it in whole when they fit together).

    With ``layout``, a justification that fits beside the widest of all the rows costs no
    height (it fits beside any frame's rows); otherwise it is counted on a line of its own."""
    widest = math_width(rows) if layout is not None else 0.0
    beside = {id(r): layout is not None and bool(r.note)
              and note_beside(r, widest + 1.0, layout, r"\text{%s %s}" % (layout.note_size, r.note))
              for r in rows}  # 1 em to spare: the printed note is escaped
    height = lambda r: row_height(r, beside[id(r)], layout)  # noqa: E731
    frames: list[list[Row]] = [[]]
    used, limit = 0.0, first_budget
    for row in rows:
        if frames[-1] and used + height(row) > limit:
            frames.append([])
            used, limit = 0.0, budget
        frames[-1].append(row)
        used += height(row)
    for index in range(len(frames) - 1, 0, -1):  # from the end, so that a move can cascade
        if len(frames[index]) != 1:
            continue
        before = frames[index - 1]
        fits = height(before[-1]) + height(frames[index][0]) <= budget
        if len(before) >= 3 and fits:
            frames[index].insert(0, before.pop())
        elif sum(height(r) for r in before + frames[index]) <= budget * 1.05:
            before.extend(frames.pop(index))
        elif len(before) == 2 and fits and index >= 2:  # the frame before gives its last row and
            frames[index].insert(0, before.pop())       # takes one from the frame before it
    for index in range(len(frames) - 2, -1, -1):  # a single row left: joins the frame after it, if they fit
        if len(frames[index]) == 1 and sum(height(r) for r in frames[index] + frames[index + 1]) <= budget:
            frames[index + 1][:0] = frames.pop(index)
    return frames
