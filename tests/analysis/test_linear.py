"""The label fits: a process pool gives exactly the sequential coefficients, and small fits stay in-process."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from analysis.linear import POOL_MIN_NNZ, PooledOneVsRest, canonical, fit_processes, label_regressions


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


def test_linear_pool_gives_the_sequential_coefficients():
    X, Y = _problem()
    sequential = label_regressions(1.0).fit(X, Y)
    pooled = label_regressions(1.0).set_params(n_jobs=2).fit(X, Y)
    assert len(pooled.estimators_) == Y.shape[1]
    for one, other in zip(sequential.estimators_, pooled.estimators_, strict=True):
        assert np.array_equal(one.coef_, other.coef_)
        assert np.array_equal(one.intercept_, other.intercept_)
    assert np.array_equal(sequential.predict_proba(X), pooled.predict_proba(X))


def test_linear_unsorted_features_fit_as_sorted_and_are_left_alone():
    X, Y = _problem(1)
    scrambled = _unsorted(X)
    assert not scrambled.has_canonical_format
    before = scrambled.indices.copy()
    from_sorted = label_regressions(0.5).fit(X, Y)
    from_scrambled = label_regressions(0.5).set_params(n_jobs=2).fit(scrambled, Y)
    for one, other in zip(from_sorted.estimators_, from_scrambled.estimators_, strict=True):
        assert np.allclose(one.coef_, other.coef_, rtol=0, atol=1e-12)
    assert np.array_equal(scrambled.indices, before)  # the caller's matrix is not sorted in place
    assert canonical(X) is X  # already canonical: no copy


def test_linear_small_problems_stay_in_process(monkeypatch):
    X, Y = _problem()
    assert fit_processes(X, Y.shape[1]) == 1
    big = sparse.csr_matrix((np.ones(POOL_MIN_NNZ), (np.arange(POOL_MIN_NNZ) % 5000, np.arange(POOL_MIN_NNZ) // 5000)))
    monkeypatch.setattr("analysis.linear.os.cpu_count", lambda: 8)
    assert fit_processes(big, 11) == 4  # at most MAX_PROCESSES
    assert fit_processes(big, 1) == 1  # one label: nothing to share out
    monkeypatch.setattr("analysis.linear.os.cpu_count", lambda: 1)
    assert fit_processes(big, 11) == 1


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_linear_is_a_one_vs_rest_classifier(n_jobs):
    X, Y = _problem(2)
    model = PooledOneVsRest(label_regressions(1.0).estimator, n_jobs=n_jobs).fit(X, Y)
    assert model.predict(X).shape == Y.shape
