"""Baselines the engine must beat: scorers that use the same graph without the engine's machinery.

Each scorer returns an all-pairs matrix (biological rows x ANN columns, higher = more similar, NaN =
undefined), so the evaluation ranks candidates with exactly the same code for the engine and for every
baseline. None of them reads the asserted analogs or the paper's ratings.

* **degree** (:func:`degree_scores`): how richly a mechanism is described, the number of its descriptor
  terms (S, F, M) plus its causal steps; :math:`d_b + d_a`, so every query ranks the other side by degree
  alone (the prior Himmelstein et al. warn about);
* **descriptor Jaccard** (:func:`jaccard`): :math:`|D_b \\cap D_a| / |D_b \\cup D_a|` over the raw sets of
  directly attached descriptor terms, no hierarchy, no paths;
* **IDF overlap** (:func:`idf_overlap`): the same sets, each term weighted by its inverse document
  frequency over all mechanisms, :math:`\\mathrm{idf}(t) = \\log(N / n_t)`, compared by cosine
  :math:`\\sum_{t \\in D_b \\cap D_a} \\mathrm{idf}(t)^2 / (\\lVert w_b \\rVert \\lVert w_a \\rVert)`: a rare shared
  term counts much more than a common one, which is what the engine's information content also does,
  without the hierarchy, the path counts or the causal alignment;
* **label TF-IDF** (:func:`tfidf_cosine`): cosine of TF-IDF vectors of the words of the mechanisms'
  labels (optionally with their definitions), no graph at all;
* **random** (:func:`random_expectation`): the exact expectation of MRR and Hits@k under a uniformly
  random ranking.

Example
-------
>>> import numpy as np
>>> Xb = np.array([[1, 1, 0], [0, 0, 1]], dtype=np.float32)
>>> Xa = np.array([[1, 0, 0], [0, 1, 1]], dtype=np.float32)
>>> jaccard(Xb, Xa).round(3).tolist()
[[0.5, 0.333], [0.0, 0.5]]
>>> tfidf_cosine(["synaptic pruning"], ["pruning", "dropout"]).round(3).tolist()
[[0.605, 0.0]]

(idf: synaptic :math:`\\ln(4/2)+1 = 1.693`, pruning :math:`\\ln(4/3)+1 = 1.288`; cosine
:math:`1.288 / \\sqrt{1.693^2 + 1.288^2} = 0.605`.)
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .features import KINDS, Features
from .linalg import is_sparse, to_dense

__all__ = ["descriptor_matrices", "degree_scores", "jaccard", "idf_overlap", "tfidf_cosine", "tokens",
           "random_expectation", "STOPWORDS"]

#: words that carry no meaning for matching mechanisms (articles, prepositions, auxiliaries)
STOPWORDS = frozenset("""a an and are as at be by for from in into is it its of on or that the their
this to which with without within than then each per""".split())


def descriptor_matrices(features: Features, kinds: Sequence[str] = KINDS) -> tuple[np.ndarray, np.ndarray]:
    """Binary mechanism x term matrices over the directly attached S, F and M terms (side by side)."""
    def dense(M) -> np.ndarray:
        return np.asarray(to_dense(M) if is_sparse(M) else M, dtype=np.float64)

    Xb = np.hstack([dense(features.spaces[k].X_bio) for k in kinds]) if kinds else np.zeros((len(features.bio), 0))
    Xa = np.hstack([dense(features.spaces[k].X_ann) for k in kinds]) if kinds else np.zeros((len(features.ann), 0))
    return (Xb > 0).astype(np.float64), (Xa > 0).astype(np.float64)


def degree_scores(features: Features) -> tuple[np.ndarray, np.ndarray]:
    """Degree of every biological and ANN mechanism: descriptor terms plus causal steps."""
    Xb, Xa = descriptor_matrices(features)
    db = Xb.sum(axis=1) + np.array([len(features.chains.steps.get(m, [])) for m in features.bio])
    da = Xa.sum(axis=1) + np.array([len(features.chains.steps.get(m, [])) for m in features.ann])
    return db, da


def jaccard(Xb: np.ndarray, Xa: np.ndarray) -> np.ndarray:
    """Jaccard index of the rows' term sets; NaN where both sets are empty."""
    Xb, Xa = np.asarray(Xb, dtype=np.float64), np.asarray(Xa, dtype=np.float64)
    inter = Xb @ Xa.T
    union = Xb.sum(axis=1)[:, None] + Xa.sum(axis=1)[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / union, np.nan)


def _cosine(Wb: np.ndarray, Wa: np.ndarray) -> np.ndarray:
    nb = np.sqrt((Wb * Wb).sum(axis=1))
    na = np.sqrt((Wa * Wa).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (Wb @ Wa.T) / (nb[:, None] * na[None, :])
    return np.where((nb[:, None] > 0) & (na[None, :] > 0), out, np.nan)


def idf_overlap(Xb: np.ndarray, Xa: np.ndarray) -> np.ndarray:
    """IDF-weighted cosine of binary term sets; IDF over all mechanisms of both sides.

    A term used by every mechanism weighs 0; NaN where a mechanism has no term of positive weight.
    """
    Xb, Xa = np.asarray(Xb, dtype=np.float64), np.asarray(Xa, dtype=np.float64)
    n = Xb.shape[0] + Xa.shape[0]
    df = Xb.sum(axis=0) + Xa.sum(axis=0)
    with np.errstate(divide="ignore"):
        idf = np.where(df > 0, np.log(n / np.maximum(df, 1)), 0.0)
    return _cosine(Xb * idf, Xa * idf)


_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Lower-case words without stop words, plurals folded (``synapses`` -> ``synapse``).

    >>> tokens("The weights of synapses, and their strength")
    ['weight', 'synapse', 'strength']
    """
    out = []
    for w in _WORD.findall(text.lower()):
        if w in STOPWORDS:
            continue
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return out


def tfidf_cosine(texts_b: Sequence[str], texts_a: Sequence[str]) -> np.ndarray:
    """Cosine of TF-IDF word vectors (smoothed IDF over both sides' texts, L2-normalised); NaN for an
    empty text."""
    docs = [Counter(tokens(t or "")) for t in (*texts_b, *texts_a)]
    vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
    M = np.zeros((len(docs), len(vocab)))
    for r, d in enumerate(docs):
        for w, c in d.items():
            M[r, vocab[w]] = c
    df = (M > 0).sum(axis=0)
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    W = M * idf
    nb = len(texts_b)
    return _cosine(W[:nb], W[nb:])


def random_expectation(n: int) -> tuple[float, float, float]:
    """Expected reciprocal rank, Hits@1 and Hits@3 of one target among ``n`` candidates ranked at random.

    >>> [round(x, 3) for x in random_expectation(4)]
    [0.521, 0.25, 0.75]
    """
    if n <= 0:
        return math.nan, math.nan, math.nan
    return float(np.mean(1 / np.arange(1, n + 1))), min(1, n) / n, min(3, n) / n
