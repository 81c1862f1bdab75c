"""The label fits: one BLAS thread each, a process pool giving the in-process coefficients, and input left alone."""

from __future__ import annotations

import os

import numpy as np
import pytest
from joblib import parallel_config
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

from analysis.linear import (
    MAX_PROCESSES,
    POOL_MIN_NNZ,
    PooledOneVsRest,
    canonical,
    fit_processes,
    label_regressions,
    n_estimators,
)


def _problem(seed: int = 0) -> tuple[sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = sparse.random(300, 80, density=0.1, format="csr", random_state=seed)
    Y = (rng.random((300, 4)) < 0.3).astype(int)
    Y[:, 0] |= (X[:, 0].toarray().ravel() > 0).astype(int)  # one label the features explain
    return X, Y


def _unsorted(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """The same matrix with each row's columns stored in reverse order (as a feature union can leave them)."""
    out = X.copy()
    for row in range(out.shape[0]):
        start, end = out.indptr[row], out.indptr[row + 1]
        out.indices[start:end] = out.indices[start:end][::-1].copy()
        out.data[start:end] = out.data[start:end][::-1].copy()
    out.has_sorted_indices = False
    return out


class WhereFitted(LogisticRegression):
    """Records the process and its BLAS thread counts where each label was fitted (returned with the estimator)."""

    def fit(self, X, y, sample_weight=None):
        self.fitted_in_ = (
            os.getpid(),
            [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"],
        )
        return super().fit(X, y, sample_weight=sample_weight)


def _where(model: PooledOneVsRest) -> list[tuple[int, list[int]]]:
    return [estimator.fitted_in_ for estimator in model.estimators_]


def test_linear_pool_gives_the_in_process_coefficients():
    X, Y = _problem()
    in_process = label_regressions(1.0).set_params(n_jobs=1).fit(X, Y)
    pooled = label_regressions(1.0).set_params(n_jobs=2).fit(X, Y)
    assert len(pooled.estimators_) == Y.shape[1]
    for one, other in zip(in_process.estimators_, pooled.estimators_, strict=True):
        assert np.array_equal(one.coef_, other.coef_)
        assert np.array_equal(one.intercept_, other.intercept_)
    assert np.array_equal(in_process.predict_proba(X), pooled.predict_proba(X))


def test_linear_every_label_is_fitted_on_one_blas_thread_in_the_pool_and_out_of_it():
    X, Y = _problem()
    estimator = WhereFitted(solver="liblinear", class_weight="balanced")
    pooled = PooledOneVsRest(estimator, n_jobs=2).fit(X, Y)
    assert all(pid != os.getpid() for pid, _ in _where(pooled))  # the labels really went to workers
    # (On a machine with more cores than workers this also catches a pool left at joblib's default inner threads.)
    assert all(threads and set(threads) == {1} for _, threads in _where(pooled))
    in_process = PooledOneVsRest(estimator, n_jobs=1).fit(X, Y)
    assert all(pid == os.getpid() and set(threads) == {1} for pid, threads in _where(in_process))


def test_linear_unsorted_features_fit_as_sorted_and_the_callers_matrix_is_left_alone():
    X, Y = _problem(1)
    from_sorted = label_regressions(0.5).fit(X, Y)
    for n_jobs in (1, 2):  # in-process, a fit would sort the caller's matrix in place without the canonical copy
        scrambled = _unsorted(X)
        before = scrambled.indices.copy()
        fitted = label_regressions(0.5).set_params(n_jobs=n_jobs).fit(scrambled, Y)
        assert not scrambled.has_canonical_format and np.array_equal(scrambled.indices, before)
        for one, other in zip(from_sorted.estimators_, fitted.estimators_, strict=True):
            assert np.allclose(one.coef_, other.coef_, rtol=0, atol=1e-12)


def test_linear_the_pool_fits_read_only_memory_mapped_features():
    X, Y = _problem(2)
    with parallel_config(max_nbytes=0):  # every array reaches the workers memory-mapped, read-only
        fitted = label_regressions(1.0).set_params(n_jobs=2).fit(_unsorted(X), Y)
    assert len(fitted.estimators_) == Y.shape[1]


def test_linear_canonical_copies_only_when_needed_and_takes_any_sparse_format():
    X, _ = _problem()
    assert canonical(X) is X
    dense = X.toarray()
    assert canonical(dense) is dense
    for other in (X.tolil(), X.todok(), X.tocoo(), X.tocsc()):
        converted = canonical(other)
        assert converted.format == "csr" and converted.has_canonical_format
        assert (converted != X).nnz == 0


def test_linear_small_problems_stay_in_process(monkeypatch):
    X, Y = _problem()
    assert fit_processes(X, Y.shape[1]) == 1
    big = sparse.csr_matrix((np.ones(POOL_MIN_NNZ), (np.arange(POOL_MIN_NNZ) % 5000, np.arange(POOL_MIN_NNZ) // 5000)))
    monkeypatch.setattr("analysis.linear.cpu_count", lambda: 8)
    assert fit_processes(big, 11) == MAX_PROCESSES
    assert fit_processes(big, 1) == 1  # one label: nothing to share out
    monkeypatch.setattr("analysis.linear.cpu_count", lambda: 1)
    assert fit_processes(big, 11) == 1


def test_linear_counts_the_fits_one_vs_rest_makes():
    assert n_estimators(np.zeros((5, 11), dtype=int) + np.eye(5, 11, dtype=int)) == 11
    assert n_estimators([[1, 0, 1], [0, 1, 0]]) == 3  # an indicator given as a list
    assert n_estimators(["a", "b", "a"]) == 1  # binary: one fit
    assert n_estimators([0, 1, 2, 3, 1]) == 4


@pytest.mark.parametrize("n_jobs", [None, 1, 2])
def test_linear_behaves_as_a_one_vs_rest_classifier(n_jobs):
    X, Y = _problem(3)
    model = PooledOneVsRest(label_regressions(1.0).estimator, n_jobs=n_jobs).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    multiclass = PooledOneVsRest(label_regressions(1.0).estimator, n_jobs=n_jobs).fit(X, Y.argmax(axis=1))
    assert len(multiclass.estimators_) == len(np.unique(Y.argmax(axis=1)))
