"""derive: every standard loss is a negative log-likelihood under a distributional assumption.

Public API (see DESIGN.md); everything is re-exported here and defined elsewhere.
"""
