"""Hadamard matrices for balanced repeated replication (Sylvester and Paley constructions)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def _is_prime(q: int) -> bool:
    if q < 2:
        return False
    return all(q % d for d in range(2, int(q**0.5) + 1))


def _paley(q: int) -> NDArray[np.int8]:
    """Paley construction I: a ±1 Hadamard matrix of order q + 1 for a prime q ≡ 3 (mod 4)."""
    residues = {(i * i) % q for i in range(1, q)}
    chi = np.array([0] + [1 if i in residues else -1 for i in range(1, q)], dtype=np.int8)
    jac = chi[(np.arange(q)[None, :] - np.arange(q)[:, None]) % q]
    h = np.ones((q + 1, q + 1), dtype=np.int8)
    h[1:, 1:] = jac + np.eye(q, dtype=np.int8)
    h[1:, 0] = -1
    return h


def _pm1(order: int) -> NDArray[np.int8] | None:
    base: NDArray[np.int8] | None = None
    k = order
    while k % 2 == 0 and k > 1:
        if k - 1 >= 3 and (k - 1) % 4 == 3 and _is_prime(k - 1):
            base = _paley(k - 1)
            break
        k //= 2
    if base is None:
        if k != 1:
            return None
        base = np.ones((1, 1), dtype=np.int8)
    while base.shape[0] < order:
        base = np.block([[base, base], [base, -base]]).astype(np.int8)
    return base


def hadamard(n_strata: int) -> NDArray[np.int8]:
    """A 0/1 Hadamard matrix with at least ``n_strata + 1`` rows, the smallest these constructions give.

    Rows after the first assign half-samples to strata and columns are replicates, as R's
    ``brrweights`` uses them. R's own ``hadamard()`` may pick a different matrix of the same order
    for some sizes; pass R's matrix to :func:`replicate_design` to reproduce R's replicates.
    """
    order = max(4, 4 * ((n_strata + 1 + 3) // 4))
    while True:
        h = _pm1(order)
        if h is not None:
            return (h < 0).astype(np.int8)
        order += 4
