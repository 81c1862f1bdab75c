"""One balanced logistic regression per label, the labels fitted side by side in worker processes.

Training the shipped model spends about 70 % of its time in liblinear, one label after another (eleven
labels, each out-of-fold fit and the final one), on one core. Each label's fit is independent and
deterministic (the primal solver ignores the seed), so on a machine with more cores the labels are
fitted in a pool of processes: the same coefficients, sooner.

Processes, not threads: liblinear releases the GIL, but each fit checks ``X.max()``, which sorts an
unsorted sparse matrix in place, and side by side in threads that raced (the coefficients came out
different run to run). The features are put in canonical form (sorted, no duplicates) before any fit.

One BLAS thread in every fit, in the pool and out of it: the coefficients depend on the BLAS thread
count (by up to 0.002), so a fit pinned to one thread gives the same model on a laptop, a 2-core CI
runner and a 32-core server, and the pool's result equals the sequential one exactly.
"""

from __future__ import annotations

import os
from typing import Any

from joblib import parallel_config
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from threadpoolctl import threadpool_limits

#: At most this many worker processes: each holds its own copy of what liblinear builds from the features.
MAX_PROCESSES = 4

#: Below this many stored values a fit is quicker than starting and feeding workers, so it stays in-process.
POOL_MIN_NNZ = 1_000_000


def fit_processes(X: Any, n_labels: int) -> int:
    """How many processes fit the labels of ``X``: one for small problems or a one-core machine."""
    stored = X.nnz if sparse.issparse(X) else getattr(X, "size", 0)
    if stored < POOL_MIN_NNZ or n_labels < 2:
        return 1
    return max(1, min(MAX_PROCESSES, n_labels, os.cpu_count() or 1))


def canonical(X: Any) -> Any:
    """``X`` with sorted indices and no duplicates (a copy when it was not already so); dense ``X`` as is."""
    if sparse.issparse(X) and not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


class PooledOneVsRest(OneVsRestClassifier):
    """``OneVsRestClassifier`` whose per-label fits run in a process pool, each on one BLAS thread.

    ``n_jobs`` left at ``None`` means :func:`fit_processes` decides; predictions are unchanged.
    """

    def fit(self, X: Any, y: Any, **fit_params: Any) -> PooledOneVsRest:
        X = canonical(X)
        n_labels = y.shape[1] if getattr(y, "ndim", 1) == 2 else 2
        n_jobs = self.n_jobs or fit_processes(X, n_labels)
        if n_jobs == 1:
            with threadpool_limits(limits=1, user_api="blas"):
                return super().fit(X, y, **fit_params)
        with parallel_config(backend="loky", n_jobs=n_jobs, inner_max_num_threads=1):
            return super().fit(X, y, **fit_params)


def label_regressions(C: float) -> PooledOneVsRest:
    """Balanced liblinear logistic regressions, one per label (the classifier's and the embedding block's)."""
    return PooledOneVsRest(LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000))
