"""A dataset as an instrument: the pool emulator of benchmark campaigns and of labs that replay their records.

The rows of a table (a registered dataset's CSV) are the only points that can be "run". Replicates, rows
with equal inputs, are averaged; with `replicate_noise` a run instead returns one replicate chosen by a
generator seeded from the point and the attempt, so repeated runs scatter the way the lab's did.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from genesis_platform.discovery.instrument import Action, Instrument, InstrumentInfo
from genesis_platform.discovery.space import DesignSpace, Point

__all__ = ["PoolInstrument"]


class PoolInstrument(Instrument):
    """Looks measurements up in a table of measured points.

    Args:
        space: the design space whose pool the table covers (used to key points).
        rows: measured rows, each with every parameter and every outcome.
        name: the instrument's name.
        source: where the rows came from (e.g. `dataset:<id>@<version>`), recorded with each trial.
        replicate_noise: return one replicate at random instead of the mean.
        seed: the seed of that choice.
        dataset: the registered dataset the rows came from (a use of every trial).
    """

    def __init__(
        self,
        space: DesignSpace,
        rows: Sequence[Mapping[str, Any]],
        name: str = "dataset",
        source: str = "",
        replicate_noise: bool = False,
        seed: int = 0,
        dataset: str = "",
    ) -> None:
        self.dataset = dataset
        self.space = space
        self.name = name
        self.source = source
        self.replicate_noise = replicate_noise
        self.seed = seed
        self._outcomes = tuple(space.outcome_names)
        self._table: dict[tuple[Any, ...], list[dict[str, float]]] = {}
        for row in rows:
            point = space.validate_point({p: row[p] for p in space.parameter_names})
            self._table.setdefault(space.key(point), []).append({o: float(row[o]) for o in self._outcomes})
        self._attempts: dict[tuple[Any, ...], int] = {}

    def info(self) -> InstrumentInfo:
        """Describe the emulator."""
        params = {p.name: ("string" if p.kind == "categorical" else "number") for p in self.space.parameters}
        text = f"replays {len(self._table)} measured points" + (f" from {self.source}" if self.source else "")
        return InstrumentInfo(
            name=self.name,
            kind="dataset",
            actions=(Action(name="run", parameters=params, outcomes=self._outcomes, description=text),),
            description=text,
        )

    def _run(self, point: Point, timeout: float | None) -> Mapping[str, float]:
        key = self.space.key(self.space.validate_point(point))
        replicates = self._table.get(key)
        if replicates is None:
            raise RuntimeError(f"no measurement of {point} in the dataset; the pool holds only measured points")
        if self.replicate_noise and len(replicates) > 1:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
            digest = int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:8], "big")
            pick = np.random.default_rng([self.seed, digest, attempt]).integers(len(replicates))
            return dict(replicates[int(pick)])
        return {o: float(np.mean([r[o] for r in replicates])) for o in self._outcomes}
