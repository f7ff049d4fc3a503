"""A foundation model as an instrument: structures generated from a prototype, measured by CHGNet.

Each design point describes a structure derived from a prototype crystal: `scale` stretches the lattice
(a linear factor, so the volume changes by its cube) and, where the config names a `substitute` species,
`element` replaces it. The structure goes to the platform's model service, so every trial's inference is
decided (`infer`), audited and recorded in provenance like any other prediction; the instrument reports the
predicted energy per atom (and the largest force and the pressure, for outcome constraints).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from genesis_platform.discovery.instrument import Action, Instrument, InstrumentInfo
from genesis_platform.discovery.space import Point

__all__ = ["PROTOTYPES", "ModelInstrument"]

PROTOTYPES = Path(__file__).resolve().parents[2] / "catalog" / "data" / "structures"
"""Prototype crystals that ship with the package (the catalogue's sample structures)."""

Predict = Callable[[bytes, str], Mapping[str, Any]]


class ModelInstrument(Instrument):
    """Measures generated structures with a registered model (see the module docstring).

    It calls back into the platform, so it runs in the campaign's process (`in_process`), on threads.

    Args:
        predict: the model service's prediction for one input file, bound to the caller and the model.
        prototype: the file name of a prototype among `PROTOTYPES`.
        substitute: the species that `element` replaces (None: no substitution).
        name: the instrument's name.
        model: the model id, for the description.
    """

    in_process = True

    def __init__(
        self, predict: Predict, prototype: str, substitute: str | None = None, name: str = "model", model: str = ""
    ) -> None:
        from pymatgen.core.structure import Structure

        shipped = {p.name: p for p in PROTOTYPES.glob("*.cif")}
        path = shipped.get(prototype)  # names only: a path would let a caller read the server's files
        if path is None:
            raise ValueError(
                f"no prototype structure {prototype!r}; shipped: {', '.join(p.name for p in PROTOTYPES.glob('*.cif'))}"
            )
        self.prototype = Structure.from_str(path.read_text(), fmt="cif")
        self.prototype_name = path.name
        self.substitute = substitute
        if substitute is not None and substitute not in {str(s) for s in self.prototype.species}:
            raise ValueError(f"{path.name} has no {substitute} to substitute")
        self.predict = predict
        self.name = name
        self.model = model

    def info(self) -> InstrumentInfo:
        """Describe the instrument."""
        params = {"scale": "number"} | ({"element": "string"} if self.substitute else {})
        formula = self.prototype.composition.reduced_formula
        text = f"{self.model or 'model'} energy of {formula} variants ({self.prototype_name})"
        return InstrumentInfo(
            name=self.name,
            kind="model",
            actions=(
                Action(
                    name="run",
                    parameters=params,
                    outcomes=("energy_per_atom", "max_force", "pressure"),
                    description=text,
                ),
            ),
            description=text,
        )

    def structure(self, point: Point) -> Any:
        """The structure a point describes."""
        structure = self.prototype.copy()
        if self.substitute is not None and "element" in point:
            structure.replace_species({self.substitute: str(point["element"])})
        scale = float(point.get("scale", 1.0))
        structure.scale_lattice(structure.volume * scale**3)
        return structure

    def _run(self, point: Point, timeout: float | None) -> Mapping[str, float]:
        structure = self.structure(point)
        outputs = self.predict(json.dumps(structure.as_dict()).encode(), "generated.json")
        forces = np.asarray(outputs["forces"], dtype=float)
        stress = np.asarray(outputs["stress"], dtype=float)
        return {
            "energy_per_atom": float(outputs["energy_per_atom"]),
            "max_force": float(np.linalg.norm(forces, axis=1).max()) if len(forces) else 0.0,
            "pressure": float(np.trace(stress) / 3.0),
        }
