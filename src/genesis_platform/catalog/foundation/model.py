"""Domain foundation models as the catalogue holds them: a model card, immutable weight versions, predictions.

A model is a governed asset (kind `model`, EO 14363 §3(a)(iv)); its markings live on the asset and its card
says what it is for, what it was trained on and how well it does. Each registration of weights makes a new
version that links to the one before; inference uses the newest version unless asked for another.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from genesis_platform.catalog.model import DatasetFile

__all__ = [
    "Evaluation",
    "ModelCard",
    "ModelVersion",
    "Prediction",
    "model_version_id",
]

_DATASET_VERSION = re.compile(r"^dat-[0-9a-z]+@v[1-9][0-9]*$")
_FRAMEWORK = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")


def _dataset_version(value: str) -> str:
    if not _DATASET_VERSION.match(value):
        raise ValueError(f"{value!r} is not a dataset version id such as dat-1a2b3c4d5e6f@v1")
    return value


DatasetVersionId = Annotated[str, AfterValidator(_dataset_version)]


class Evaluation(BaseModel):
    """One reported evaluation result.

    Attributes:
        metric: what was measured (`energy MAE`).
        value: the figure.
        unit: its unit (`meV/atom`).
        dataset: on what (`MPtrj test split`, or a platform dataset version id).
        source: where the figure comes from (a paper, a log, a platform evaluation id).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str = Field(min_length=1)
    value: float
    unit: str = ""
    dataset: str = ""
    source: str = ""


class ModelCard(BaseModel):
    """What a model is, what it is for and what it is not, what it learned from, and how well it does.

    Attributes:
        name: the model's name (`CHGNet`); also how `genesis model predict NAME` finds it.
        version: the model's own version (`0.3.0`).
        framework: the runtime that loads its weights and runs it (`chgnet`).
        summary: one paragraph, for discovery.
        architecture: what kind of network or method.
        intended_use: what it is for.
        out_of_scope_use: what it must not be relied on for.
        limitations: known weaknesses.
        training_data: platform dataset versions it was trained on (each decided for `train` at registration).
        external_training_data: training data held elsewhere, cited.
        evaluations: reported results.
        licence: SPDX identifier of the weights' licence.
        citation: how to cite it.
        sharing_agreement: the model-sharing agreement users must have signed (EO 14363 §5(c)(i)), e.g.
            `LICENSE:CHGNET-BSD` or `OTHER:MSA-ORNL-2026`; it becomes a required agreement on the asset.
        inputs: what it takes (`crystal structure: CIF, POSCAR or pymatgen JSON`).
        outputs: what it returns, with units.
        runtime_options: settings the runtime needs to rebuild the model exactly (e.g. the CHGNet version).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    version: str = Field(default="", max_length=64)
    framework: str
    summary: str = ""
    architecture: str = ""
    intended_use: str = ""
    out_of_scope_use: str = ""
    limitations: str = ""
    training_data: tuple[DatasetVersionId, ...] = ()
    external_training_data: tuple[str, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    licence: str = ""
    citation: str = ""
    sharing_agreement: str | None = None
    inputs: str = ""
    outputs: str = ""
    runtime_options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("framework")
    @classmethod
    def _framework(cls, value: str) -> str:
        if not _FRAMEWORK.match(value):
            raise ValueError(f"framework {value!r} must be a short lower-case name such as 'chgnet'")
        return value

    def missing(self) -> list[str]:
        """The fields a reviewer expects and this card leaves empty (a card can be registered without them)."""
        wanted = ("summary", "intended_use", "out_of_scope_use", "limitations", "licence", "citation")
        gaps = [f for f in wanted if not getattr(self, f)]
        if not self.training_data and not self.external_training_data:
            gaps.append("training_data")
        if not self.evaluations:
            gaps.append("evaluations")
        return gaps


class ModelVersion(BaseModel):
    """An immutable version of a model's weights.

    Attributes:
        id: `<model id>@v<number>`.
        model_id: the governed asset.
        number: 1, 2, ...
        previous_id: the version it follows.
        card: the card registered with these weights.
        files: the weight files, each named by its SHA-256 in the blob store.
        created_by: the registering user.
        created_at: when.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    model_id: str
    number: int = Field(ge=1)
    previous_id: str | None = None
    card: ModelCard
    files: tuple[DatasetFile, ...]
    created_by: str
    created_at: datetime

    @property
    def total_size(self) -> int:
        """Bytes in all weight files."""
        return sum(f.size for f in self.files)


class Prediction(BaseModel):
    """What a model said about one input, with the hashes that tie it to its provenance record.

    For an interatomic potential such as CHGNet: energy per atom in eV/atom, forces in eV/Å per site, the
    stress tensor in GPa and magnetic moments in Bohr magnetons per site.

    Attributes:
        model_id: the model asset.
        version_id: the weights used.
        framework: the runtime.
        input_sha256: SHA-256 of the input bytes as given.
        input_name: the input's file name.
        formula: the reduced formula of the structure.
        sites: number of sites.
        outputs: the figures, by name (`energy_per_atom`, `forces`, `stress`, `magmoms`).
        units: the unit of each output.
        output_sha256: SHA-256 of the canonical JSON of `outputs` (what provenance records as generated).
        activity: the provenance activity of this inference.
        warnings: what the parser or the model warned about.
    """

    model_config = ConfigDict(frozen=True)

    model_id: str
    version_id: str
    framework: str
    input_sha256: str
    input_name: str
    formula: str
    sites: int
    outputs: dict[str, Any]
    units: dict[str, str]
    output_sha256: str = ""
    activity: str = ""
    warnings: tuple[str, ...] = ()


def model_version_id(model_id: str, number: int) -> str:
    """The id of version `number` of a model."""
    return f"{model_id}@v{number}"
