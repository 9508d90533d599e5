"""derive: every standard loss is a negative log-likelihood under a distributional assumption.

Public API (see DESIGN.md); everything is re-exported here and defined elsewhere.
"""

from derive.assumptions import names
from derive.custom import custom
from derive.engine import Derivation, derive
from derive.equivalence import Verdict, equivalent
from derive.infotheory import (
    cross_entropy,
    cross_entropy_closed_form,
    entropy,
    entropy_closed_form,
    identities,
    kl,
    kl_closed_form,
)
from derive.latex.parse import parse_chain, parse_latex
from derive.models import model
from derive.steps import Step

__all__ = [
    "Derivation", "Step", "Verdict", "cross_entropy", "cross_entropy_closed_form", "custom", "derive",
    "entropy", "entropy_closed_form", "equivalent", "identities", "kl", "kl_closed_form", "model", "names",
    "parse_chain", "parse_latex",
]
