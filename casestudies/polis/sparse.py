"""Polis's map on a sparse vote matrix, for conversations too large for a dense one.

A conversation of 200,000 participants and 2,000 statements is 400 million cells, of
which a few million hold votes. :class:`SparseVotes` keeps only the votes (scipy CSR);
:func:`project_sparse` runs the same steps as the dense path (zero the moderated-out
columns, mean-impute, two principal components by power iteration as Polis computes
them, sparsity-aware scaling by ``sqrt(n_comments / n_votes)``) without ever forming
the dense matrix: mean imputation puts every unseen cell exactly on its column mean,
so after centring those cells are zero and the centred matrix has the votes' pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SparseVotes", "project_sparse"]


@dataclass
class SparseVotes:
    """Votes as a sparse participants x comments matrix (agree +1, disagree -1, pass 0).

    ``seen`` marks every vote (passes included); ``values`` holds the vote at the same
    positions. ``pids`` and ``tids`` name the rows and columns.
    """

    values: object  # scipy.sparse.csr_matrix, float64
    seen: object  # scipy.sparse.csr_matrix, float64 ones where a vote exists
    pids: np.ndarray
    tids: np.ndarray

    @classmethod
    def from_votes(cls, votes: pd.DataFrame) -> "SparseVotes":
        """From long votes (``participant``, ``comment-id``, ``vote``; one row per pair)."""
        import scipy.sparse as sp

        pids, r = np.unique(votes["participant"].to_numpy(), return_inverse=True)
        tids, c = np.unique(votes["comment-id"].to_numpy(), return_inverse=True)
        shape = (len(pids), len(tids))
        vals = votes["vote"].to_numpy(dtype=float)
        if not np.isin(vals, (-1.0, 0.0, 1.0)).all():
            raise ValueError("SparseVotes.from_votes: every vote must be -1, 0 or 1 (drop unseen cells, NaN, before building).")
        seen = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=shape)
        # Same pattern as ``seen``: store vote + 2 (never 0) so passes survive, then shift back.
        values = sp.csr_matrix((vals + 2.0, (r, c)), shape=shape)
        values.data -= 2.0
        return cls(values, seen, pids, tids)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def n_votes(self) -> np.ndarray:
        return np.asarray(self.seen.sum(axis=1)).ravel()

    def _indicator(self, labels: pd.Series, groups) -> object:
        import scipy.sparse as sp

        rows = np.searchsorted(self.pids, labels.index.to_numpy())
        g = np.searchsorted(np.asarray(groups), labels.to_numpy())
        return sp.csr_matrix((np.ones(len(rows)), (g, rows)), shape=(len(groups), len(self.pids)))

    def group_counts(self, labels: pd.Series, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Agrees, disagrees and votes per group (rows, in ``groups`` order) and comment."""
        G = self._indicator(labels, groups)
        agree = self.values.copy()
        agree.data = (agree.data == 1).astype(float)
        disagree = self.values.copy()
        disagree.data = (disagree.data == -1).astype(float)
        return (np.asarray((G @ agree).todense()), np.asarray((G @ disagree).todense()), np.asarray((G @ self.seen).todense()))

    def column_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Agrees, disagrees and votes per comment over everyone."""
        d = self.values.data
        cols = self.values.indices
        m = self.shape[1]
        return (np.bincount(cols, weights=(d == 1), minlength=m), np.bincount(cols, weights=(d == -1), minlength=m),
                np.bincount(cols, minlength=m).astype(float))


def project_sparse(votes: SparseVotes, moderated_out=(), *, iters: int = 100, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Polis map of a :class:`SparseVotes`: ``(participants, comments)`` as :func:`~casestudies.polis.pipeline.project` returns.

    Moderated-out columns are zeroed for everyone, as Polis zeroes them: they add
    nothing to the components, but count as seen in each participant's scaling.
    """
    n, m = votes.shape
    mod = np.isin(votes.tids, np.asarray(list(moderated_out), dtype=votes.tids.dtype))
    X = votes.values.copy()
    cols = X.indices
    cnt = np.bincount(cols, minlength=m).astype(float)
    center = np.bincount(cols, weights=X.data, minlength=m) / np.maximum(cnt, 1)
    center[mod] = 0.0
    X.data = X.data - center[cols]
    X.data[mod[cols]] = 0.0
    Xt = X.T.tocsr()
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((m, 2)))[0]
    for _ in range(iters):
        Q_new = np.linalg.qr(Xt @ (X @ Q))[0]
        done = np.all(np.abs(np.abs(np.einsum("ij,ij->j", Q_new, Q)) - 1.0) <= 1e-10 + 1e-5)
        Q = Q_new
        if done:
            break
    T = Q.T @ (Xt @ (X @ Q))
    _, V = np.linalg.eigh(T)
    comps = (Q @ V[:, ::-1]).T
    # Zeroed columns count as seen for everyone; a participant's own votes on them are not counted twice.
    n_votes = np.asarray(votes.seen @ (~mod).astype(float)).ravel() + mod.sum()
    proj = np.asarray(X @ comps.T) * np.sqrt(m / np.maximum(n_votes, 1))[:, None]
    participants = pd.DataFrame(proj, index=pd.Index(votes.pids, name="participant"), columns=["x", "y"])
    participants["n_votes"] = votes.n_votes()
    comments = pd.DataFrame({"center": center, "pc1": comps[0], "pc2": comps[1]}, index=pd.Index(votes.tids, name="comment-id"))
    return participants, comments
