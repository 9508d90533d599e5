"""derive: every standard loss is a negative log-likelihood under a distributional assumption.

Public API (see DESIGN.md); everything is re-exported here and defined elsewhere.
"""

from derive.assumptions import names
from derive.engine import Derivation, derive
from derive.equivalence import Verdict, equivalent
from derive.latex.parse import parse_latex
from derive.steps import Step

__all__ = ["Derivation", "Step", "Verdict", "derive", "equivalent", "names", "parse_latex"]
