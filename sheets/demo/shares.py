"""Sharing a total out by weights, and picking by weight."""
from __future__ import annotations

import random
from typing import Any, Sequence


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split total into integers proportional to weights (largest remainder), each >= minimum."""
    n = len(weights)
    base = [minimum] * n
    rest = total - minimum * n
    if rest <= 0 or n == 0:
        return base
    wsum = float(sum(weights)) or 1.0
    shares = [rest * w / wsum for w in weights]
    floors = [int(s) for s in shares]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors)]


def cumulative(weights: Sequence[float]) -> list[float]:
    """Running totals, for bisecting a uniform draw into a weighted choice."""
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]
