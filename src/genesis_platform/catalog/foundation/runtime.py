"""The port a foundation model's runtime implements, so the catalogue can load and run any framework's weights.

A runtime turns verified weight bytes into a loaded model and an input file into a prediction. It never reads
the blob store, the database or the policy: the model service hands it bytes it has authorised and verified,
and records what comes back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ModelRuntime", "RawPrediction"]


@dataclass(frozen=True)
class RawPrediction:
    """What a runtime computed for one input.

    Attributes:
        formula: a short description of the input (the reduced formula of a structure).
        sites: its size (number of sites, tokens, ...).
        outputs: the figures by name, as JSON-ready values.
        units: the unit of each output.
        warnings: what reading the input warned about.
    """

    formula: str
    sites: int
    outputs: dict[str, Any]
    units: dict[str, str]
    warnings: tuple[str, ...] = field(default=())


class ModelRuntime(ABC):
    """Loads a framework's weights and runs them.

    Implementations keep this contract:
    - `load` accepts only weights of its framework and raises `InvalidInput` for anything else; it must not
      execute code found in the weights (no unrestricted unpickling).
    - `parse` raises `InvalidInput` with a one-line reason for an input it cannot read; it does no inference.
    - `predict` is deterministic for the same loaded model and input on the same machine and thread count.
    """

    framework: str = ""

    @abstractmethod
    def engine_version(self) -> str:
        """The version of the software that runs the model (recorded as a provenance agent)."""

    @abstractmethod
    def load(self, files: Mapping[str, bytes], options: Mapping[str, Any]) -> Any:
        """A loaded model from its weight files (by path) and the card's `runtime_options`."""

    @abstractmethod
    def parse(self, data: bytes, filename: str) -> Any:
        """The input, read from the bytes of a file called `filename`."""

    @abstractmethod
    def predict(self, loaded: Any, parsed: Any) -> RawPrediction:
        """Run the loaded model on a parsed input."""
