"""One balanced logistic regression per label, the labels fitted side by side in worker processes.

Training the shipped model spends about 70 % of its time in liblinear, one label after another (eleven
labels, each out-of-fold fit and the final one), on one core. Each label's fit is independent and
deterministic (the primal solver ignores the seed), so on a machine with more cores the labels are
fitted in a pool of processes: the same coefficients, sooner.

Processes, not threads: measured on the shipped training, threads gained about 10 % (liblinear's
conversion of its input holds the GIL) where two processes gained 1.8x. The features are put in canonical
sparse form (CSR, sorted, no duplicates) before any fit, for two reasons: each fit checks ``X.max()``, which
sorts an unsorted matrix in place (a data race when labels share one matrix, and a change to the caller's
matrix otherwise), and the pool hands workers large matrices memory-mapped read-only, where an in-place
sort fails.

One BLAS thread in every label fit, in the pool and out of it: the coefficients depend on the BLAS thread
count (by up to 0.002 on the shipped training), so pinned to one thread the label fits give the same
coefficients whatever the machine's core count, and the pool's equal the in-process fit's exactly. Limits:
other fits (the direct primary's lbfgs, the adaptation refits) still use the machine's BLAS threads; other
CPU types may still differ in the last bits (OpenBLAS picks kernels per CPU); and with OpenBLAS built on
pthreads only one thread of a process can hold a BLAS limit, so a fit started while another thread of the
same process changes the limits (the web app's report jobs) may run unpinned. ``make eval``, the CLI and
the tests fit from one thread.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from joblib import cpu_count, parallel_config
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils.multiclass import type_of_target, unique_labels
from threadpoolctl import threadpool_limits

#: At most this many worker processes: each holds its own copy of what liblinear builds from the features.
MAX_PROCESSES = 4

#: Below this many stored values a fit is quicker than starting and feeding workers, so it stays in-process.
POOL_MIN_NNZ = 1_000_000


def fit_processes(X: Any, n_labels: int) -> int:
    """How many processes fit the labels of ``X``: one for small problems, one label or a one-core machine.

    ``joblib.cpu_count`` counts the cores this process may use (affinity, container quotas), not the host's.
    """
    stored = X.nnz if sparse.issparse(X) else getattr(X, "size", 0)
    if stored < POOL_MIN_NNZ or n_labels < 2:
        return 1
    return max(1, min(MAX_PROCESSES, n_labels, cpu_count()))


def canonical(X: Any) -> Any:
    """``X`` as CSR with sorted indices and no duplicates (a copy only when it was not so); dense ``X`` as is."""
    if not sparse.issparse(X):
        return X
    X = X.tocsr()  # no copy for CSR; any other format becomes a new, canonical CSR matrix
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def n_estimators(y: Any) -> int:
    """How many binary fits ``OneVsRestClassifier`` makes for ``y``: one per column, one per class, one if binary."""
    kind = type_of_target(y)
    if kind == "multilabel-indicator":
        return int(np.shape(y)[1])
    return 1 if kind == "binary" else len(unique_labels(y))


class PooledOneVsRest(OneVsRestClassifier):
    """``OneVsRestClassifier`` whose per-label fits run on one BLAS thread each, in a process pool when worth it.

    Unlike scikit-learn's ``n_jobs``, ``None`` here means *decide* (:func:`fit_processes`: a pool for large
    problems on a machine with several cores, in-process otherwise); a number fixes the pool's size (1: in-process).
    Predictions are ``OneVsRestClassifier``'s.
    """

    def fit(self, X: Any, y: Any, **fit_params: Any) -> PooledOneVsRest:
        X = canonical(X)
        n_jobs = fit_processes(X, n_estimators(y)) if self.n_jobs is None else self.n_jobs
        # The limit covers the in-process fit and any fallback joblib makes to it (inside a daemon process or
        # under an outer threading backend); the workers get theirs from ``inner_max_num_threads``.
        with threadpool_limits(limits=1, user_api="blas"):
            if n_jobs == 1:
                return super().fit(X, y, **fit_params)
            with parallel_config(backend="loky", n_jobs=n_jobs, inner_max_num_threads=1):
                return super().fit(X, y, **fit_params)


def label_regressions(C: float) -> PooledOneVsRest:
    """Balanced liblinear logistic regressions, one per label (the classifier's and the embedding block's)."""
    return PooledOneVsRest(LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000))
