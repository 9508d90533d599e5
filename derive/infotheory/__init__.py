"""Entropy, cross-entropy and KL divergence: finite (exact), symbolic identities, closed forms.

    finite.py        entropy, cross_entropy, kl, code_lengths, one_hot, info_command
    families.py      a family of derive.distributions bound to symbols (mu_p, sigma_q)
    closed_forms.py  entropy / cross-entropy / KL closed forms, derived; the KL registry;
                     the same for a catalogue entry (d.entropy(), d.kl(other))
    identity.py      H(P,Q) = H(P) + KL and its corollaries, proved and rendered
"""

from derive.infotheory.closed_forms import (
    ClosedForm,
    cross_entropy_closed_form,
    cross_entropy_derivation,
    entropy_closed_form,
    entropy_derivation,
    family_catalog,
    kl_closed_form,
    kl_derivation,
    kl_pairs,
    register_kl,
)
from derive.infotheory.families import FAMILIES, Family, Param, UnknownFamily, family, names
from derive.infotheory.finite import code_lengths, cross_entropy, entropy, info_command, kl, one_hot
from derive.infotheory.identity import Identity, identities

__all__ = [
    "FAMILIES", "ClosedForm", "Family", "Identity", "Param", "UnknownFamily", "code_lengths",
    "cross_entropy", "cross_entropy_closed_form", "cross_entropy_derivation", "entropy",
    "entropy_closed_form", "entropy_derivation", "family", "family_catalog", "identities", "info_command",
    "kl", "kl_closed_form", "kl_derivation", "kl_pairs", "names", "one_hot", "register_kl",
]
