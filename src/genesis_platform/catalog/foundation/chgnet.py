"""CHGNet, the charge-informed universal interatomic potential (Deng et al., Nat. Mach. Intell. 5, 1031, 2023).

The `chgnet` wheel carries its pretrained weights, so the platform ships a real domain foundation model that
runs offline (EO 14363 §3(a)(iv)). Weights are read with `torch.load(weights_only=True)`: a checkpoint that
tries to run code when unpickled is refused rather than executed. Structures are read with pymatgen from CIF,
POSCAR or pymatgen JSON. torch, chgnet and pymatgen are imported on first use: they take seconds to import.
"""

from __future__ import annotations

import contextlib
import io
import threading
import warnings
from collections.abc import Mapping
from importlib import resources
from importlib.metadata import version as package_version
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from genesis_platform.catalog.foundation.model import ModelCard
from genesis_platform.catalog.foundation.runtime import ModelRuntime, RawPrediction
from genesis_platform.kernel.errors import InvalidInput
from genesis_platform.kernel.validation import build

__all__ = ["MAX_SITES", "ChgnetRuntime", "bundled_chgnet"]

MAX_SITES = 2000
"""Largest structure accepted: graph construction grows with the number of neighbours, and memory with it."""

_CHECKPOINTS = {
    "0.3.0": "pretrained/0.3.0/chgnet_0.3.0_e29f68s314m37.pth.tar",
    "0.2.0": "pretrained/0.2.0/chgnet_0.2.0_e30f77s348m32.pth.tar",
}
_FORMATS = {".cif": "cif", ".json": "json", ".vasp": "poscar", ".poscar": "poscar"}
_UNITS = {"energy_per_atom": "eV/atom", "forces": "eV/Å", "stress": "GPa", "magmoms": "μB"}


def bundled_chgnet(version: str = "0.3.0") -> tuple[Path, ModelCard]:
    """The pretrained checkpoint inside the installed `chgnet` wheel and the card the platform ships for it.

    Raises:
        InvalidInput: no such bundled version.
    """
    if version not in _CHECKPOINTS:
        raise InvalidInput(f"no bundled CHGNet {version!r}; choose from {', '.join(_CHECKPOINTS)}")
    import chgnet  # the package is light; torch loads only with the model

    checkpoint = Path(chgnet.__file__).parent / _CHECKPOINTS[version]
    text = resources.files("genesis_platform.catalog").joinpath(f"data/models/chgnet-{version}.yaml").read_text("utf-8")
    return checkpoint, build(ModelCard, **yaml.safe_load(text))


class ChgnetRuntime(ModelRuntime):
    """Runs CHGNet checkpoints on pymatgen structures (energy, forces, stress, magnetic moments)."""

    framework = "chgnet"

    def __init__(self) -> None:
        # One load, parse or prediction at a time per process: torch already uses every core, and the stdout
        # redirect and warning filters used below are process-wide, so overlapping calls would cross wires.
        self._lock = threading.Lock()

    def engine_version(self) -> str:
        """`chgnet <version>, torch <version>`."""
        return f"chgnet {package_version('chgnet')}, torch {package_version('torch')}"

    def load(self, files: Mapping[str, bytes], options: Mapping[str, Any]) -> Any:
        """Rebuild CHGNet from a `.pth.tar` checkpoint exactly as `CHGNet.load` does for the same file."""
        checkpoints = [p for p in files if p.endswith((".pth.tar", ".pth", ".pt"))]
        if len(checkpoints) != 1:
            raise InvalidInput(f"a CHGNet model is one checkpoint file (.pth.tar); got {sorted(files) or 'none'}")
        import torch
        from chgnet.model.model import CHGNet

        try:
            state = torch.load(io.BytesIO(files[checkpoints[0]]), map_location="cpu", weights_only=True)
            model_state = state.get("model", state)
            # CHGNet's constructor prints its size to stdout, which would corrupt `--json` output.
            with self._lock, warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                # CHGNet.load sets mlp_out_bias only for 0.2.0 (CHGNet issue #79) and records the version.
                return CHGNet.from_dict(
                    model_state,
                    mlp_out_bias=bool(options.get("mlp_out_bias", False)),
                    version=options.get("chgnet_version"),
                )
        except Exception as e:  # torch and chgnet raise many kinds; all mean "not a CHGNet checkpoint"
            raise InvalidInput(
                f"{checkpoints[0]} is not a loadable CHGNet checkpoint ({type(e).__name__}: {str(e)[:200]})"
            ) from None

    def parse(self, data: bytes, filename: str) -> Any:
        """A pymatgen `Structure` from CIF, POSCAR/CONTCAR (`.vasp`) or pymatgen JSON."""
        from pymatgen.core.structure import Structure

        name = PurePosixPath(filename).name
        fmt = _FORMATS.get(PurePosixPath(name.lower()).suffix)
        if fmt is None and name.upper().startswith(("POSCAR", "CONTCAR")):
            fmt = "poscar"
        if fmt is None:
            raise InvalidInput(f"{name}: give a structure as .cif, .vasp (POSCAR), POSCAR, CONTCAR or .json")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{name} is not text; a {fmt.upper()} structure file is") from None
        with self._lock, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                structure = Structure.from_str(text, fmt=fmt)  # type: ignore[arg-type]
            except Exception as e:  # pymatgen's parsers raise anything from ValueError to IndexError
                raise InvalidInput(f"{name} is not a readable {fmt.upper()} structure: {str(e)[:200]}") from None
        if len(structure) == 0:
            raise InvalidInput(f"{name} holds no atoms")
        if len(structure) > MAX_SITES:
            raise InvalidInput(f"{name} has {len(structure)} sites; the limit is {MAX_SITES}")
        if structure.volume <= 0:
            raise InvalidInput(f"{name} has a degenerate lattice (volume {structure.volume:g} Å³)")
        notes = tuple(dict.fromkeys(str(w.message).strip() for w in caught))
        return structure, notes

    def predict(self, loaded: Any, parsed: Any) -> RawPrediction:
        """Energy per atom, forces, stress and magnetic moments of one structure."""
        structure, notes = parsed
        with self._lock, warnings.catch_warnings():
            # CHGNet's own code converts a tensor that requires grad to a float; torch warns, the value is right.
            warnings.simplefilter("ignore")
            raw = loaded.predict_structure(structure, task="efsm")
        outputs = {
            "energy_per_atom": float(raw["e"]),
            "forces": raw["f"].astype(float).tolist(),
            "stress": raw["s"].astype(float).tolist(),
            "magmoms": raw["m"].astype(float).tolist(),
        }
        return RawPrediction(
            formula=structure.composition.reduced_formula,
            sites=len(structure),
            outputs=outputs,
            units=dict(_UNITS),
            warnings=notes,
        )
