"""SymPy expressions -> LaTeX, as a textbook writes them.

One printer, :class:`TextbookPrinter`, a ``LatexPrinter`` subclass whose ``_print_<Class>``
methods fix what SymPy's default order gets wrong for a reader: positive terms first
(``y - \\hat{y}``, not ``- \\hat{y} + y``).  No regex ever touches a printed string.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter


class TextbookPrinter(LatexPrinter):
    """LaTeX in textbook order; ``\\log`` is the natural log."""

    _default_settings = {**LatexPrinter._default_settings, "ln_notation": False}

    def _print_Add(self, expr, order=None):
        terms = list(self._as_ordered_terms(expr, order=order))
        # Stable partition: terms without a leading minus first, keeping SymPy's order inside.
        positive = [t for t in terms if not _reads_negative(t)]
        negative = [t for t in terms if _reads_negative(t)]
        terms = positive + negative
        tex = ""
        for index, term in enumerate(terms):
            if index == 0:
                pass
            elif _reads_negative(term):
                tex += " - "
                term = -term
            else:
                tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = r"\left(%s\right)" % term_tex
            tex += term_tex
        return tex


def _reads_negative(term: sp.Expr) -> bool:
    """True when the term prints with a leading minus sign."""
    return term.could_extract_minus_sign()


def latex(expr: sp.Basic, **settings) -> str:
    """Print ``expr`` as textbook LaTeX."""
    return TextbookPrinter(settings).doprint(expr)


def render_steps(steps, printer: TextbookPrinter | None = None) -> str:
    """A list of :class:`derive.steps.Step` as an ``align*`` block, one row per step,
    the justification right-aligned as ``\\text{...}``; dropped terms under an underbrace."""
    printer = printer or TextbookPrinter()
    rows = []
    for step in steps:
        lhs = step.lhs if step.lhs is not None else ""
        if step.dropped:
            kept = step.expr - sum(step.dropped)
            body = "%s + \\underbrace{%s}_{\\text{const.}}" % (
                printer.doprint(kept), printer.doprint(sp.Add(*step.dropped)))
        else:
            body = printer.doprint(step.expr)
        note = "&& \\text{%s}" % step.note if step.note else ""
        rows.append("%s &%s %s %s" % (lhs, step.relation, body, note))
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
