"""Regression: the evaluation's ranks depended on float32 summation noise.

The shipped graph's S-alone ANN->bio Hits@3 read 0.31 on one machine and 0.33 on another with the same
code and data: two candidates' S differed by about 1e-7, an accident of summation order, and the exact
comparison in ``rank_of`` ordered them. Scores that close now count as a tie (mean rank).
"""
import numpy as np
import pytest

from kg.engine.evaluate import TIE_TOLERANCE, rank_of


def test_rank_of_counts_float_noise_as_a_tie():
    above = np.array([0.5 + 1e-7, 0.5, 0.1], dtype=np.float32)
    below = np.array([0.5 - 1e-7, 0.5, 0.1], dtype=np.float32)
    # the same rank whichever way the noise went
    assert rank_of(above, 1) == rank_of(below, 1) == pytest.approx(1.5)


def test_rank_of_keeps_real_differences():
    s = np.array([0.5 + 10 * TIE_TOLERANCE, 0.5, 0.5 - 10 * TIE_TOLERANCE])
    assert rank_of(s, 1) == 2.0
    assert rank_of(s, 0) == 1.0


def test_rank_of_nan_still_last_and_tied_among_themselves():
    s = np.array([np.nan, 0.2, np.nan])
    assert rank_of(s, 0) == pytest.approx(2.5)
    assert rank_of(s, 1) == 1.0
