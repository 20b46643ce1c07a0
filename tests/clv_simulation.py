"""Customers simulated from the BG/NBD, MBG/NBD or Pareto/NBD with known parameters.

Shared by the tests of the purchase models and of their comparison: the truth is known,
so a fit can be judged against it rather than against another estimate.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_split(
    model: str,
    params: dict[str, float],
    n: int,
    seed: int,
    *,
    calibration: float = 52.0,
    holdout: float = 26.0,
    acquisition: float = 26.0,
    days: bool = True,
) -> pd.DataFrame:
    """Calibration and holdout columns (as ``calibration_holdout_split`` names them) for ``n`` customers.

    Each customer first buys at a uniform time in the first ``acquisition`` weeks, then
    at Poisson rate lambda ~ Gamma(r, alpha) per week while active. They leave:
    Pareto/NBD: after an exponential lifetime with rate mu ~ Gamma(s, beta); BG/NBD: with
    probability p ~ Beta(a, b) right after each repeat purchase; MBG/NBD: also right after
    the first purchase. With ``days``, times are cut to whole days (in weeks), as a
    summary of dated transactions has them. Loops run over purchase rounds, not customers.
    """
    rng = np.random.default_rng(seed)
    T = calibration - rng.uniform(0, acquisition, n)
    if days:
        T = np.floor(T * 7) / 7
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    death = np.full(n, np.inf)
    p = np.zeros(n)
    if model == "Pareto/NBD":
        death = rng.exponential(1 / rng.gamma(params["s"], 1 / params["beta"], n))
    else:
        p = rng.beta(params["a"], params["b"], n)
        if model == "MBG/NBD":
            death[rng.random(n) < p] = 0.0
    x, tx, x_holdout = np.zeros(n), np.zeros(n), np.zeros(n)
    idx, clock = np.arange(n), np.zeros(n)
    while idx.size:
        clock = clock + rng.exponential(1.0, idx.size) / lam[idx]
        live = (clock < death[idx]) & (clock < T[idx] + holdout)
        idx, clock = idx[live], clock[live]
        when = np.floor(clock * 7) / 7 if days else clock
        cal = clock < T[idx]
        x[idx[cal]] += 1
        tx[idx[cal]] = when[cal]
        x_holdout[idx[~cal]] += 1
        stay = rng.random(idx.size) >= p[idx]
        idx, clock = idx[stay], clock[stay]
    return pd.DataFrame({
        "frequency_cal": x,
        "recency_cal": tx,
        "T_cal": T,
        "frequency_holdout": x_holdout,
        "duration_holdout": holdout,
    })
