"""Our PyTorch re-implementation of the Community Notes matrix-factorisation fit, used only as the benchmark's reference.

Why a re-implementation: the reference scorer (github.com/twitter/communitynotes,
Apache-2.0) is not on PyPI and this project works offline, so it cannot be installed.
This module is our own code, written from reading the reference's source; it is
benchmark-only and never imported by the book or the package. The files and commits
we followed:

* ``sourcecode/scoring/matrix_factorization/matrix_factorization.py`` at commit
  20c9ff3e8fcb82a20f01a057ebf13ae52b429f94 (``MatrixFactorization``: defaults, loss,
  optimiser, stopping rule, factor flip);
* ``sourcecode/scoring/matrix_factorization/model.py`` at commit
  9ae9bdeeb2b021b6393cdd518e133c3f16f28cb7 (``BiasedMatrixFactorization``: model form,
  initialisation);
* ``sourcecode/scoring/mf_base_scorer.py`` at commit
  45ceb955ca162ffa146322a2cf0ce517c6b5569b (rater/note minimums 10 and 5, train-error
  limits 0.16 and 0.09, learning rates passed to the ranker);
* ``sourcecode/scoring/process_data.py`` at commit
  2e938330862740b9faeeb456673e7faf32d9d319 (``filter_ratings``: notes, then raters,
  then notes again, once each).

What we reproduce, with the reference's default settings for a fit with no warm start
(``run_mf`` without ``noteInit``/``userInit``):

* prediction ``mu + i_u + i_n + f_u f_n`` with one factor and a global intercept;
* loss: mean squared error over ratings plus ``0.03 * mean(f_u^2) + 0.03 * mean(f_n^2)
  + 0.15 * (mean(i_u^2) + mean(i_n^2) + mu^2)`` (every penalty is a *mean* over its
  parameters, and 0.15 = 0.03 x 5);
* factors initialised Xavier-uniform on ``(count, 1)`` tables, intercepts and ``mu`` at 0;
* full-batch Adam, learning rate 1.0 (the reference's rate without a warm start; 0.2
  with one), float32;
* stop when the loss changes by at most 1e-7, or after epoch 100 as soon as the loss
  rises;
* the scorer's data filter (notes with at least 5 raters, raters with at least 10
  ratings, notes again);
* the factor flip: if fewer than half of the non-zero rater factors are negative, both
  sides' factors change sign (Community Notes puts the larger group on the negative
  side; :func:`casestudies.bridging.fit_community_notes` puts it on the positive side,
  so callers comparing the two flip one of them);
* the scorer's train-error check: the reference *raises* an error (it does not refit)
  when the final mean squared error is above 0.16 after the first fit or 0.09 after the
  final fit, on data with at least 200 notes. We report the check instead of raising,
  because binary ratings drawn from probabilities carry noise no model can fit.

What we leave out: the scorer's pipeline around the fit (the stable initialisation on
one modelling group, the helpfulness-filtered second fit, pseudo-raters, tag filters),
which needs data the synthetic benchmark does not have. The benchmark compares one
fit from scratch with one fit from scratch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

#: The reference's defaults (see the module docstring for where each comes from).
FACTOR_LAMBDA = 0.03
INTERCEPT_LAMBDA = 0.03 * 5
LEARNING_RATE = 1.0
CONVERGENCE = 1e-7
MIN_RATINGS_PER_RATER = 10
MIN_RATERS_PER_NOTE = 5
MAX_FIRST_TRAIN_ERROR = 0.16
MAX_FINAL_TRAIN_ERROR = 0.09
THREADS = 2


def reference_filter(raters, items, *, min_ratings_per_rater: int = MIN_RATINGS_PER_RATER,
                     min_raters_per_note: int = MIN_RATERS_PER_NOTE) -> np.ndarray:
    """Boolean mask of the ratings the reference scorer keeps: notes, then raters, then notes, one pass each."""
    raters = np.asarray(raters, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    keep = np.ones(len(raters), dtype=bool)

    def enough(codes, minimum):
        counts = np.bincount(codes[keep], minlength=int(codes.max()) + 1 if len(codes) else 0)
        return counts[codes] >= minimum

    keep &= enough(items, min_raters_per_note)
    keep &= enough(raters, min_ratings_per_rater)
    keep &= enough(items, min_raters_per_note)
    return keep


@dataclass
class ReferenceFit:
    """Parameters of one reference-style fit, indexed like the input codes (NaN where filtered out)."""

    mu: float
    rater_intercept: np.ndarray
    item_intercept: np.ndarray
    rater_factor: np.ndarray
    item_factor: np.ndarray
    loss: float
    train_mse: float
    epochs: int
    seconds: float
    kept_ratings: int
    history: list = field(default_factory=list)

    @property
    def train_error_check(self) -> dict:
        """The reference scorer's train-error limits and whether this fit passes them."""
        return {
            "train_mse": round(self.train_mse, 4),
            "first_fit_limit": MAX_FIRST_TRAIN_ERROR,
            "final_fit_limit": MAX_FINAL_TRAIN_ERROR,
            "passes_first_fit_limit": bool(self.train_mse <= MAX_FIRST_TRAIN_ERROR),
        }


def fit_reference(raters, items, ratings, *, n_raters: int | None = None, n_items: int | None = None,
                  seed: int = 0, threads: int = THREADS, apply_filter: bool = True,
                  max_epochs: int | None = None, callback=None, lookup: str = "embedding") -> ReferenceFit:
    """Fit the Community Notes model as the reference code does (PyTorch, full-batch Adam).

    ``callback(epoch, loss)`` is called after every epoch (for a progress bar).
    ``max_epochs`` is only a safety cap for tests; the reference has none.
    ``lookup="embedding"`` reads the parameter tables with torch's embedding op, the op
    behind the reference's ``torch.nn.Embedding``; ``lookup="index_select"`` gives the
    same numbers and gradients through a different kernel, which on torch 2.13's CPU
    build is several times faster for tables this tall (the benchmark reports both, so
    our speed-up is also stated against the faster one).
    Returns parameters in the *reference's* sign convention (larger rater group negative).
    """
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    raters = np.asarray(raters, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    y_all = np.asarray(ratings, dtype=np.float32)
    U_all = int(n_raters if n_raters is not None else raters.max() + 1)
    V_all = int(n_items if n_items is not None else items.max() + 1)
    keep = reference_filter(raters, items) if apply_filter else np.ones(len(raters), dtype=bool)
    # The reference gives kept raters and notes consecutive indexes; so do we.
    rater_ids, r_code = np.unique(raters[keep], return_inverse=True)
    item_ids, n_code = np.unique(items[keep], return_inverse=True)
    U, V = len(rater_ids), len(item_ids)
    r_t = torch.from_numpy(r_code.astype(np.int64))
    n_t = torch.from_numpy(n_code.astype(np.int64))
    y_t = torch.from_numpy(y_all[keep])

    def xavier_column(rows):
        w = torch.empty(rows, 1)
        torch.nn.init.xavier_uniform_(w)  # bound sqrt(6 / (rows + 1)) for a (rows, 1) table
        return torch.nn.Parameter(w)

    f_u, f_n = xavier_column(U), xavier_column(V)
    i_u = torch.nn.Parameter(torch.zeros(U, 1))
    i_n = torch.nn.Parameter(torch.zeros(V, 1))
    mu = torch.nn.Parameter(torch.zeros(1, 1))
    opt = torch.optim.Adam([f_u, f_n, i_u, i_n, mu], lr=LEARNING_RATE)

    if lookup == "embedding":
        look = torch.nn.functional.embedding
    elif lookup == "index_select":
        def look(index, table):
            return table.index_select(0, index)
    else:
        raise ValueError(f"lookup must be 'embedding' or 'index_select', not {lookup!r}")

    def objective():
        pred = (look(r_t, i_u) + look(n_t, i_n) + look(r_t, f_u) * look(n_t, f_n) + mu).squeeze(1)
        fit = torch.mean((pred - y_t) ** 2)
        penalty = (FACTOR_LAMBDA * (f_u.pow(2).mean() + f_n.pow(2).mean())
                   + INTERCEPT_LAMBDA * (i_u.pow(2).mean() + i_n.pow(2).mean() + mu.pow(2).mean()))
        return fit + penalty, fit

    t0 = time.perf_counter()
    history: list = []
    previous = 1e10
    loss, _ = objective()
    epoch = 0
    while abs(loss.item() - previous) > CONVERGENCE and not (epoch > 100 and loss.item() > previous):
        if max_epochs is not None and epoch >= max_epochs:
            break
        previous = loss.item()
        loss.backward()
        opt.step()
        opt.zero_grad()
        loss, _ = objective()
        epoch += 1
        history.append(loss.item())
        if callback is not None:
            callback(epoch, history[-1])
    with torch.no_grad():
        final_loss, train_mse = objective()
    seconds = time.perf_counter() - t0

    def spread(values, ids, size):
        out = np.full(size, np.nan)
        out[ids] = values.detach().numpy().ravel().astype(float)
        return out

    fu = spread(f_u, rater_ids, U_all)
    fn = spread(f_n, item_ids, V_all)
    nonzero = fu[np.isfinite(fu) & (fu != 0)]
    if (nonzero < 0).mean() < 0.5:
        fu, fn = -fu, -fn
    return ReferenceFit(
        mu=float(mu.item()),
        rater_intercept=spread(i_u, rater_ids, U_all),
        item_intercept=spread(i_n, item_ids, V_all),
        rater_factor=fu,
        item_factor=fn,
        loss=float(final_loss.item()),
        train_mse=float(train_mse.item()),
        epochs=epoch,
        seconds=seconds,
        kept_ratings=int(keep.sum()),
        history=history,
    )
