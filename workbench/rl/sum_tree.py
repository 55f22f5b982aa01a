"""A sum tree: priorities in the leaves of a binary tree whose inner nodes hold the sums of their
children, so proportional sampling and priority updates cost O(log n) (Schaul et al. 2016, App. B).

Everything is vectorised over a batch of indices, which keeps prioritised replay cheap in numpy.
"""

from __future__ import annotations

import numpy as np


class SumTree:
    """Non-negative priorities for ``capacity`` slots; ``find`` maps a mass in [0, total) to a slot.

    Example:
        >>> tree = SumTree(4)
        >>> tree.update(np.array([0, 1, 2, 3]), np.array([1.0, 2.0, 3.0, 4.0]))
        >>> tree.total, tree.find(np.array([0.5, 1.5, 9.9])).tolist()
        (10.0, [0, 1, 3])
    """

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"a sum tree needs capacity > 0, got {capacity}")
        self.capacity = capacity
        self.size = 1 << max(capacity - 1, 1).bit_length()  # leaves: a power of two >= capacity
        self.nodes = np.zeros(2 * self.size, dtype=np.float64)  # node 1 is the root; leaves from `size`

    @property
    def total(self) -> float:
        return float(self.nodes[1])

    @property
    def nbytes(self) -> int:
        return self.nodes.nbytes

    def get(self, index: np.ndarray) -> np.ndarray:
        return self.nodes[self.size + np.asarray(index)]

    def update(self, index: np.ndarray, priority: np.ndarray) -> None:
        """Set the priorities of slots ``index`` (duplicates: the last one wins) and refresh the sums."""
        index = np.asarray(index, dtype=np.int64)
        priority = np.broadcast_to(np.asarray(priority, dtype=np.float64), index.shape)
        if np.any(priority < 0) or not np.all(np.isfinite(priority)):
            raise ValueError("priorities must be finite and >= 0")
        node = self.size + index
        self.nodes[node] = priority
        node = np.unique(node // 2)
        while node[0] >= 1:
            self.nodes[node] = self.nodes[2 * node] + self.nodes[2 * node + 1]
            if node[0] == 1:
                break
            node = np.unique(node // 2)

    def find(self, mass: np.ndarray) -> np.ndarray:
        """For each mass in [0, total), the slot whose cumulative-priority interval holds it."""
        mass = np.array(mass, dtype=np.float64)
        node = np.ones(mass.shape, dtype=np.int64)
        for _ in range(self.size.bit_length() - 1):  # one level per step, root to leaves
            left = self.nodes[2 * node]
            right = mass >= left
            mass = np.where(right, mass - left, mass)
            node = 2 * node + right
        return np.minimum(node - self.size, self.capacity - 1)
