"""Failure similarity M: failure modes matched one by one, by their characteristics and trigger direction.

Each failure mode f of a mechanism has a set of failure characteristics :math:`X_f` (a hierarchy,
compared by Lin as in :mod:`kg.engine.semsim`) and, where the graph says so, a trigger direction
:math:`T_f \\subseteq` {excess, deficit, absence, misdirection} (``bkg:failureTrigger``; absence is a
kind of deficit). Two failure modes are compared by

.. math::

    \\varphi(f, g) = \\mathrm{BMA_{Lin}}(X_f, X_g)\\; \\tau(T_f, T_g), \\qquad
    \\tau(T_f, T_g) = \\begin{cases} 1 & T_f = \\varnothing \\text{ or } T_g = \\varnothing \\\\
        \\max_{t \\in T_f,\\, u \\in T_g} \\gamma + (1 - \\gamma)\\, \\mathrm{Lin}_T(t, u) & \\text{otherwise,}
    \\end{cases}

so a known trigger of the opposite direction (an excess against a deficit: :math:`\\mathrm{Lin}_T = 0`)
keeps only the share :math:`\\gamma` (default :data:`GAMMA` = 0.5) of the characteristics' similarity,
an unknown trigger leaves it unchanged, and absence against deficit is in between. Two mechanisms are
compared by the best-match average of their failure modes under :math:`\\varphi`:

.. math::

    M_{BMA}(b, a) = \\tfrac12 \\Big( \\tfrac{1}{|F_b|} \\sum_{f \\in F_b} \\max_{g \\in F_a} \\varphi(f, g)
                   + \\tfrac{1}{|F_a|} \\sum_{g \\in F_a} \\max_{f \\in F_b} \\varphi(f, g) \\Big),

undefined (NaN) when either mechanism has no failure mode with a characteristic. Matching mode to mode
keeps a characteristic of one failure from pairing with a characteristic of another failure of the same
mechanism, which pooling all characteristics did. All pairs: :math:`\\varphi` is a square matrix over all
failure modes (both domains), used in place of Lin by :func:`kg.engine.semsim.max_profile` and
:func:`kg.engine.semsim.bma_block`.

Example
-------
>>> import numpy as np
>>> lin_t = trigger_lin(["excess", "deficit", "absence", "misdirection"],
...                     {"absence": ["deficit"]})
>>> [round(float(trigger_factor(["absence"], [u], lin_t, ["excess", "deficit", "absence", "misdirection"])), 3)
...  for u in ("absence", "deficit", "excess")]
[1.0, 0.833, 0.5]
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .linalg import Matrix, incidence
from .semsim import bma_block, lin_matrix, max_profile, side_profiles

__all__ = ["GAMMA", "TRIGGERS", "trigger_lin", "trigger_factor", "failure_mode_similarity", "FailureModel",
           "failure_model"]

GAMMA = 0.5
BKG = "https://w3id.org/bionn-kg/"
#: the trigger directions of the TBox and their hierarchy (absence is the extreme of a deficit)
TRIGGERS = [BKG + "trigger_excess", BKG + "trigger_deficit", BKG + "trigger_absence", BKG + "trigger_misdirection"]
TRIGGER_BROADER = {BKG + "trigger_absence": [BKG + "trigger_deficit"]}


def trigger_lin(triggers: Sequence[str], broader: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Lin similarity of the trigger directions, from their small hierarchy."""
    idx = {t: i for i, t in enumerate(triggers)}
    return lin_matrix([[idx[b] for b in broader.get(t, ()) if b in idx] for t in triggers]).astype(np.float64)


def trigger_factor(tf: Sequence[str], tg: Sequence[str], lin_t: np.ndarray, triggers: Sequence[str],
                   gamma: float = GAMMA) -> float:
    """tau(T_f, T_g): 1 when either trigger is unknown, else the best gamma + (1 - gamma) Lin_T."""
    idx = {t: i for i, t in enumerate(triggers)}
    a = [idx[t] for t in tf if t in idx]
    b = [idx[t] for t in tg if t in idx]
    if not a or not b:
        return 1.0
    return float(gamma + (1 - gamma) * lin_t[np.ix_(a, b)].max())


def failure_mode_similarity(chars: Sequence[Sequence[int]], trig: Sequence[Sequence[str]], lin_m: np.ndarray,
                            gamma: float = GAMMA, triggers: Sequence[str] = TRIGGERS,
                            trigger_broader: Mapping[str, Sequence[str]] = TRIGGER_BROADER) -> np.ndarray:
    """phi over all failure modes (square, float32): BMA of Lin over characteristics times tau.

    ``chars[f]``: indices of f's characteristics in the M hierarchy (``lin_m``); ``trig[f]``: its
    trigger IRIs. A failure mode without characteristics is similar to nothing (0), not even itself.
    """
    n, T = len(chars), lin_m.shape[0]
    X = incidence([f for f, cs in enumerate(chars) for _ in cs], [c for cs in chars for c in cs], (n, T), True)
    P = max_profile(X, lin_m)
    phi = np.nan_to_num(bma_block(X, P, X, np.ascontiguousarray(P.T)), nan=0.0)
    lin_t = trigger_lin(triggers, trigger_broader)
    tidx = {t: i for i, t in enumerate(triggers)}
    # one-hot of the known triggers; tau = max over pairs, 1 where either side has none
    Tm = np.zeros((n, len(triggers)), dtype=bool)
    for f, ts in enumerate(trig):
        for t in ts:
            if t in tidx:
                Tm[f, tidx[t]] = True
    tau = np.ones((n, n))
    known = Tm.any(axis=1)
    if known.any():
        fac = gamma + (1 - gamma) * lin_t  # triggers x triggers
        # best factor over the trigger pairs of f and g: max over t of max over u
        best = np.full((n, n), -np.inf)
        for t in range(len(triggers)):
            rows = Tm[:, t]
            if not rows.any():
                continue
            col_best = np.where(Tm, fac[t][None, :], -np.inf).max(axis=1)  # per g: best with t
            best[rows] = np.maximum(best[rows], col_best[None, :])
        both = known[:, None] & known[None, :]
        tau[both] = best[both]
    return (phi * tau).astype(np.float32)


class FailureModel:
    """Failure-mode incidence of the mechanisms and their max-profiles under phi (prepared once).

    ``Y_bio``, ``Y_ann``: mechanisms x failure modes (only modes with a characteristic); ``phi``: the
    failure-mode similarity; ``P_bio``, ``Pa_T``: max-profiles (the ANN one transposed and contiguous).
    """

    def __init__(self, modes: list[str], phi: np.ndarray, Y_bio: Matrix, Y_ann: Matrix):
        self.modes, self.phi, self.Y_bio, self.Y_ann = modes, phi, Y_bio, Y_ann
        self.P_bio, self.Pa_T = side_profiles(Y_bio, Y_ann, phi)

    def bma_block(self, bi: np.ndarray | slice, aj: np.ndarray | slice | None = None) -> np.ndarray:
        """M_BMA for bio rows ``bi`` x ANN columns ``aj`` (default all); NaN without failure modes."""
        full = aj is None or (isinstance(aj, slice) and aj == slice(None))
        Ya = self.Y_ann if full else self.Y_ann[aj]
        Pa_T = self.Pa_T if full else self.Pa_T[:, aj]
        return bma_block(self.Y_bio[bi], self.P_bio[bi], Ya, Pa_T)


def failure_model(features: Any, lin_m: np.ndarray, space: Any, gamma: float = GAMMA) -> FailureModel:
    """:class:`FailureModel` of an engine's features, with the failure-characteristic hierarchy ``space``
    (a :class:`~kg.engine.features.TermSpace`) and its Lin matrix ``lin_m``."""
    f = features
    tindex = space.index
    chars = {fm: [tindex[c] for c in cs if c in tindex] for fm, cs in f.failure_characteristics.items()}
    modes = sorted(fm for fm, cs in chars.items() if cs)
    phi = failure_mode_similarity([chars[m] for m in modes], [f.failure_triggers.get(m, []) for m in modes],
                                  lin_m, gamma)
    midx = {m: i for i, m in enumerate(modes)}

    def Y(mechs: Sequence[str]) -> Matrix:
        pairs = [(i, midx[fm]) for i, m in enumerate(mechs) for fm in f.failure_modes.get(m, []) if fm in midx]
        return incidence([p[0] for p in pairs], [p[1] for p in pairs], (len(mechs), len(modes)), f.dense)

    return FailureModel(modes, phi, Y(f.bio), Y(f.ann))
