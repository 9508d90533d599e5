"""Recorded steps -> rows that fit a line; rows grouped into slide frames.

A right side too wide for its line is split the way textbooks break a long equation, each
continuation line one quad in and starting with its operator:

    sum            after a top-level + or -; a term too wide itself is split in turn
    (a + b) c      the sum inside fixed-size brackets that open and close on different lines
    prefix f(sum)  1/n sum_i [ ... ], -log( ... ), (1 - w)( ... ): the sum or product inside
    cases          a branch within its cell, its condition on the branch's last line
    product        at its factors (x at a break); a fraction too wide: 1/denominator, then the
                   factors of its numerator

Left sides too wide for the left column are moved up; dropped constants go under one brace
(factored when narrower).  The same rules break a loss written as ``lhs = expr``
(:func:`formula_lines`); a hand-written formula breaks before a binary + or - outside brackets
(:func:`written_lines`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sympy as sp

from derive.config import PrinterConfig
from derive.latex.measure import tex_height, tex_tokens, tex_width
from derive.latex.tokens import classes_from_zero, rename_math, rename_symbols
from derive.steps import Step
from derive.latex.printer import (TextbookPrinter, has_parens, is_indicator, is_tall, negated, reads_negative,
                                  unfold_piecewise)

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


TIMES = r"\times"  # the sign of a factor: juxtaposed within a line, written at a break


@dataclass(frozen=True)
class Piece:
    """A term (sign ``""``, ``+``, ``-``) or a factor (sign :data:`TIMES`) of a line; ``expr`` is
    what ``tex`` prints, to split further when the piece is too wide for a line of its own
    (None: it cannot be); ``bracketed``: a sum written inside parentheses."""

    sign: str
    tex: str
    expr: sp.Basic | None = None
    bracketed: bool = False


def _terms(expr: sp.Basic, printer: TextbookPrinter) -> list[Piece]:
    """The terms of a sum (one piece for anything else), in print order."""
    if not isinstance(expr, sp.Add):
        return [Piece("", printer.doprint(expr), expr)]
    return [Piece(sign, tex, term, isinstance(term, sp.Add)) for sign, tex, term in printer.add_pieces(expr)]


def _row_body(step, printer: TextbookPrinter, const_label: str,
              width: float | None = None) -> tuple[sp.Basic | None, list[Piece]]:
    """The right side of a step as pieces that can be split between lines, with the dropped
    constants under one brace as the last piece (factored when that is narrower and they are
    too wide for a line of ``width`` em: a brace does not break over lines)."""
    if not step.dropped:
        return step.expr, _terms(step.expr, printer)
    constants = sp.Add(*step.dropped)
    kept = step.expr - constants
    if width is not None and not constants.has(sp.Sum) and tex_width(printer.doprint(constants)) > width - 1.5:
        factored = sp.factor(constants)
        if tex_width(printer.doprint(factored)) < tex_width(printer.doprint(constants)):
            constants = factored
    pieces = _terms(kept, printer) if kept != 0 else []
    sign = "+"
    if reads_negative(constants) or (isinstance(constants, sp.Add)
                                      and all(reads_negative(t) for t in constants.args)):
        constants = -constants
        sign = "-"
    braced = r"\underbrace{%s}_{%s}" % (printer.doprint(constants), const_label)
    pieces.append(Piece(sign if pieces else ("-" if sign == "-" else ""), braced))
    return None, pieces


def _opening(piece: Piece, first: bool) -> str:
    """The sign a piece is written with at the start of a line (of the row: ``first``)."""
    if first:
        return "- " if piece.sign == "-" else ""
    return piece.sign + " " if piece.sign else ""


def _append(line: str, piece: Piece, first: bool) -> str:
    if not line:
        return _opening(piece, first) + piece.tex
    if piece.sign in ("", TIMES):
        return line + " " + piece.tex
    return line + " %s " % piece.sign + piece.tex


def _join_pieces(pieces: list[Piece], first: bool) -> str:
    line = ""
    for piece in pieces:
        line = _append(line, piece, first)
    return line


def _fill(pieces: list[Piece], printer: TextbookPrinter, first_width: float, rest_width: float) -> list[str]:
    """Greedy line filling: the first line may hold ``first_width`` em, the continuation lines
    ``rest_width``; a piece too wide for a line of its own is split itself (:func:`_split`),
    its last line taking the pieces after it."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        limit = rest_width if lines else first_width
        candidate = _append(line, piece, not lines)
        if tex_width(candidate) <= limit:
            line = candidate
            continue
        if line:  # on a line of its own
            lines.append(line)
            line, limit = "", rest_width
            candidate = _append("", piece, False)
            if tex_width(candidate) <= limit:
                line = candidate
                continue
        opening = _opening(piece, not lines)
        parts = None if piece.expr is None else _split(piece.expr, printer, limit - tex_width(opening),
                                                        rest_width, piece.bracketed)
        if parts is None:
            line = candidate
            continue
        parts[0] = opening + parts[0]
        lines += parts[:-1]
        line = parts[-1]
    return lines + [line]


def _split(expr: sp.Basic, printer: TextbookPrinter, first_width: float, rest_width: float,
           bracketed: bool = False) -> list[str] | None:
    """``expr`` over lines, by its shape: a sum at its ``+``/``-`` (inside sized brackets that
    open and close on different lines when ``bracketed``), cases branch by branch, a prefix
    times a sum or a function of one (:func:`_split_wrapped`), a product at its factors
    (:func:`_mul_pieces`); None when no rule applies."""
    expr = unfold_piecewise(expr)
    if isinstance(expr, sp.Add):
        if bracketed:
            return _in_brackets("", _terms(expr, printer), is_tall(expr), False, printer, first_width, rest_width)
        return _fill(_terms(expr, printer), printer, first_width, rest_width)
    if isinstance(expr, sp.Piecewise) and not is_indicator(expr):
        return _split_cases(expr, printer, first_width)
    wrapped = _split_wrapped(expr, printer, first_width, rest_width)
    if wrapped is not None:
        return wrapped
    factors = _mul_pieces(expr, printer, min(first_width, rest_width))
    return None if factors is None else _fill(factors, printer, first_width, rest_width)


def _in_brackets(head: str, pieces: list[Piece], tall: bool, square: bool, printer: TextbookPrinter,
                 first_width: float, rest_width: float) -> list[str]:
    """``head`` and the pieces between fixed-size brackets, which may open and close on
    different lines."""
    size = r"\biggl" if tall else r"\bigl"
    opening, closing = ("[", "]") if square else ("(", ")")
    head, close = head + size + opening, tex_width(size[:-1] + "r" + closing)
    lines = _fill(pieces, printer, first_width - tex_width(head) - close, rest_width - close)
    lines[0] = head + " " + lines[0]
    lines[-1] = lines[-1] + " " + size[:-1] + "r" + closing
    return lines


CASES_DELIMITER, CASES_GAP = 1.4, 1.6  # em: the brace of cases, the gap before a condition


def _split_cases(expr: sp.Piecewise, printer: TextbookPrinter, width: float) -> list[str]:
    """Cases whose widest branch is split over lines within its cell, the condition on the
    branch's last line (the LaTeX reader joins a line of cases that starts with an operator
    to the line before it)."""
    conditions = [r"\text{otherwise}" if cond is sp.true else r"\text{for}\: " + printer.doprint(cond)
                  for _, cond in expr.args]
    cell = width - CASES_DELIMITER - CASES_GAP - max(tex_width(c) for c in conditions)
    rows = []
    for (value, _), condition in zip(expr.args, conditions):
        tex = printer.doprint(value)
        lines = (_split(value, printer, cell, cell - 1.0) if tex_width(tex) > cell else None) or [tex]
        rows.append(" \\\\ \\quad ".join(lines) + " & " + condition)
    return [r"\begin{cases} %s \end{cases}" % r" \\".join(rows)]


def _split_wrapped(expr: sp.Basic, printer: TextbookPrinter, first_width: float,
                   rest_width: float) -> list[str] | None:
    """A long sum or product inside a prefix (``\\frac{1}{n} \\sum_{i=1}^{n} [ ... ]``,
    ``-\\log( ... )``, ``(1 - w) ( ... )``) split between lines with fixed-size brackets, which
    may open and close on different lines; the widest sum, big sum, log or exp of a product is
    the one split.  None when ``expr`` is not of that shape."""
    sign = ""
    if reads_negative(expr):
        sign, expr = "- ", negated(expr)
    prefix_factors: list[sp.Basic] = []
    body = expr
    if isinstance(expr, sp.Mul):
        inner = [f for f in expr.args if isinstance(f, (sp.Sum, sp.Add, sp.log, sp.exp))]
        if not inner:
            return None
        body = max(inner, key=lambda f: tex_width(printer.doprint(f)))
        prefix_factors = [f for f in expr.args if f is not body]
    prefix = sp.Mul(*prefix_factors)
    head = printer.doprint(prefix) + " " if prefix_factors else ""
    if isinstance(prefix, sp.Add):
        head = "(%s) " % head.strip()
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
        room = min(first_width - tex_width(sign + head) - 0.5, rest_width)
        pieces = _terms(body, printer) if isinstance(body, sp.Add) else _mul_pieces(body, printer, room)
        if pieces is None:
            return None
    elif isinstance(body, sp.Add):
        pieces = _terms(body, printer)
        square = has_parens(body)
    else:
        return None
    return _in_brackets(sign + head, pieces, is_tall(body), square, printer, first_width, rest_width)


def _right_side(step, printer, const_label, first_width, rest_width) -> list[str]:
    expr, pieces = _row_body(step, printer, const_label, rest_width)
    whole = _join_pieces(pieces, True)
    if first_width is None or tex_width(whole) <= first_width:
        return [whole]
    if len(pieces) > 1:
        return _fill(pieces, printer, first_width, rest_width)
    return _split(expr, printer, first_width, rest_width) or [whole]


def _mul_pieces(expr: sp.Basic, printer: TextbookPrinter, width: float | None = None) -> list[Piece] | None:
    """A product too wide for a line as factors that may go on separate lines (``\\times`` at a
    break): the coefficient part, then each operator factor (``\\exp(...)``, ``\\log(...)``);
    when the coefficient part, a fraction, is itself wider than ``width``, its ``1/denominator``
    and then each factor of its numerator.  None when ``expr`` is not such a product."""
    sign = ""
    if reads_negative(expr):
        sign, expr = "-", negated(expr)
    if not isinstance(expr, sp.Mul):
        return None
    operators = [f for f in expr.args if printer.rank(f) >= 4]
    rest = [f for f in expr.args if printer.rank(f) < 4]
    groups = [sp.Mul(*rest)] if rest else []
    if rest and width is not None and tex_width(printer.doprint(groups[0])) > width:
        below = [f for f in rest if f.is_Number or (f.as_base_exp()[1].is_Number and f.as_base_exp()[1].is_negative)]
        above = sorted((f for f in rest if not any(f is b for b in below)), key=printer.rank)
        groups = ([sp.Mul(*below)] if below else []) + above
    if len(groups) + len(operators) < 2:
        return None
    return [Piece(sign if index == 0 else TIMES, printer.doprint(f), f)
            for index, f in enumerate(groups + operators)]


def formula_lines(lhs: str, expr: sp.Basic, printer: TextbookPrinter, width: float | None,
                  indent: float = 1.0) -> list[str]:
    """The right side of ``lhs = expr`` in lines of at most ``width`` em (None: one line), the
    continuation lines indented by ``indent``: the same split rules as a step's right side."""
    whole = printer.doprint(expr)
    first = None if width is None else width - tex_width(lhs + " =")
    if first is None or tex_width(whole) <= first:
        return [whole]
    return _split(expr, printer, first, first - indent) or [whole]


_OPENERS, _CLOSERS = ("(", "[", r"\{", r"\langle"), (")", "]", r"\}", r"\rangle")
_BINARY_AFTER = ("=", "(", "[", "{", "+", "-", ",", "&", r"\cdot", r"\times", r"\left", r"\bigl", r"\biggl")


def written_lines(tex: str, width: float | None, indent: float = 1.0) -> list[str]:
    """A hand-written formula (a reference, as written) in lines of at most ``width`` em, broken
    before a ``+`` or ``-`` outside every bracket and brace (a sign, not a binary operator, is
    never a break), greedily; one line when it fits or has no such break."""
    if width is None or tex_width(tex) <= width:
        return [tex]
    pieces, start, depth, before = [], 0, 0, ""
    position = 0
    for token in tex_tokens(tex):
        if token in _OPENERS or (token == "." and before == r"\left"):
            depth += 1
        elif token in _CLOSERS or (token == "." and before == r"\right"):
            depth -= 1
        elif token in "+-" and depth == 0 and before and before not in _BINARY_AFTER:
            pieces.append(tex[start:position].strip())
            start = position
        if not token.isspace():
            before = token
        position += len(token)
    pieces.append(tex[start:].strip())
    lines = [pieces[0]]
    for piece in pieces[1:]:
        limit = width if len(lines) == 1 else width - indent
        if tex_width(lines[-1] + " " + piece) <= limit:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return lines


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


def _fitted_lines(step, printer, const_label, layout: Layout, column: float) -> list[str]:
    """The right side of ``step`` in lines, starting at ``column`` em (the block's left column)."""
    if layout.width is None:
        return _right_side(step, printer, const_label, None, None)
    start = column + tex_width(step.relation)
    return _right_side(step, printer, const_label, layout.width - start, layout.width - start - layout.indent)


def left_column(rows: list[Row], indent: float = 1.0) -> float:
    r"""Where the right sides of a block of rows start (em): after the widest left side kept in
    the left column, and at least two quads when a left side is moved up (``\MoveEqLeft[2]``)."""
    return max([tex_width(r.lhs) for r in rows if not r.wide_lhs] + [2 * indent if any(r.wide_lhs for r in rows) else 0.0])


def layout_rows(steps, printer: TextbookPrinter | None = None, layout: Layout = ARTICLE,
                params=(), config: PrinterConfig | None = None,
                silent: tuple[str, ...] = ()) -> list[Row]:
    """The steps as rows that fit ``layout.width``, after :func:`merge_repeats`; the steps
    whose labels are in ``silent`` are shown without their note (the documents state the
    assumption in their own words before the steps).  A left side moves up, onto a line of its
    own, when it is too wide for the left column or the right side's first piece does not fit
    beside it; then every right side is fitted from the block's left column (:func:`left_column`)."""
    config = config or PrinterConfig()
    printer = printer or TextbookPrinter.from_config(config, lead_symbols=tuple(params))
    const_label = _const_label(printer, params, config)
    shown = merge_repeats(steps)

    lhs_tex = [log_notation(s.lhs or "", config) for s in shown]
    width = layout.width
    lhs_limit = None if width is None else layout.lhs_share * width
    wide = [lhs_limit is not None and tex_width(t) > lhs_limit for t in lhs_tex]
    lhs_column = max([tex_width(t) for t, w in zip(lhs_tex, wide) if not w] + [0.0])
    for index, (step, lhs) in enumerate(zip(shown, lhs_tex)):
        if width is None or not lhs or wide[index]:
            continue
        first = _fitted_lines(step, printer, const_label, layout, lhs_column)[0]
        wide[index] = lhs_column + tex_width(step.relation + " " + first) > width
    rows = [Row(step.label, lhs, step.relation, (), "", is_wide) for step, lhs, is_wide in zip(shown, lhs_tex, wide)]
    column = left_column(rows, layout.indent)
    return [dataclasses.replace(row, lines=tuple(_fitted_lines(step, printer, const_label, layout, column)),
                                note="" if step.label in silent else log_notation(step.note, config, text=True))
            for row, step in zip(rows, shown)]


def log_notation(fragment: str, config: PrinterConfig, text: bool = False) -> str:
    """A hand-written LaTeX fragment (a step's left side, or with ``text`` a note whose math is
    between ``$``) in the configured notation: the control word ``\\log`` becomes ``\\ln`` unless a
    base follows (``\\log_2``), the renamed symbols are renamed (:func:`rename_symbols`, in
    the math only), and with ``class_base`` 0 the classes are numbered from 0
    (:func:`classes_from_zero`: ``\\sum_{k=1}^{K}`` -> ``\\sum_{k=0}^{K - 1}``, as the printer
    writes its sums).  Works on tokens, not on patterns."""
    rename = rename_math if text else rename_symbols
    fragment = rename(fragment, dict(config.symbols))
    if config.class_base == 0:
        fragment = _in_math(fragment, classes_from_zero) if text else classes_from_zero(fragment)
    return _ln(fragment) if config.log == "ln" else fragment


def _in_math(text: str, change) -> str:
    """Words with math between ``$``: ``change`` applied to the math only."""
    return "$".join(change(p) if i % 2 else p for i, p in enumerate(text.split("$")))


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


def math_width(rows: list[Row], indent: float = 1.0) -> float:
    r"""Width of the math of ``rows`` in one align: from the block's left column
    (:func:`left_column`, where TeX starts every right side) the widest right side, or a wide
    left side on a line of its own (``\MoveEqLeft[2]``: two quads left of that column)."""
    column = left_column(rows, indent)
    return max([column + tex_width(row.relation + line) for row in rows for line in row.lines]
               + [column - 2 * indent + tex_width(row.lhs) for row in rows if row.wide_lhs] + [column])


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


def row_heights(rows: list[Row], layout: Layout | None = None) -> list[float]:
    """Each row's height in a frame (:func:`row_height`): with ``layout``, a justification that
    fits beside the widest of all the rows costs no height (it fits beside any frame's rows)."""
    widest = math_width(rows, layout.indent) if layout is not None else 0.0
    return [row_height(r, layout is not None and bool(r.note)
                       and note_beside(r, widest + 1.0, layout, r"\text{%s %s}" % (layout.note_size, r.note)),
                       layout)  # 1 em to spare: the printed note is escaped
            for r in rows]


def frames_of_rows(rows: list[Row], first_budget: float, budget: float,
                   layout: Layout | None = None) -> list[list[Row]]:
    """Consecutive rows grouped into frames by their estimated height: each frame is filled
    before the next starts, and no frame is left with a single row while the frame before
    it can give one (or, at two rows, take it in whole when they fit together).

    With ``layout``, a justification that fits beside the widest of all the rows costs no
    height (it fits beside any frame's rows); otherwise it is counted on a line of its own."""
    heights = {id(r): h for r, h in zip(rows, row_heights(rows, layout))}
    height = lambda r: heights[id(r)]  # noqa: E731
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
