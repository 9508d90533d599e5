"""The symbolic layer under the pipeline: pure functions of SymPy expressions.

    constraints.py   domains that are not sets of numbers (one-hot, count vectors, PD)
    domains.py       positivity on a domain, log expansion, sums split, Piecewise decided
    cases.py         densities written with cases: their support, the log case by case
    rules.py         rewrite rules (distribute, collect and regroup logs, 0 log 0 = 0)
    integrals.py     the one integrator (normalisers and expectations)
    expectation.py   E_P[f] by integration, summation or the score identity
"""
