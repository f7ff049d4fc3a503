"""Foundation models: register (bundled or uploaded weights with a card), browse, and run inference."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from pydantic import BaseModel, Field, ValidationError

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.api.routes.assets import AssetPublic, MarkingsIn
from genesis_platform.api.uploads import spool
from genesis_platform.catalog import ModelCard, ModelVersion, Prediction
from genesis_platform.catalog.foundation.service import MAX_INPUT_BYTES
from genesis_platform.kernel import InvalidInput
from genesis_platform.kernel.validation import validation_message

__all__ = ["router"]

router = APIRouter(prefix="/models", tags=["models"])


class ModelCreate(BaseModel):
    """What goes with uploaded weights (the `metadata` form field, as JSON)."""

    card: ModelCard
    description: str = ""
    project: str | None = None
    markings: MarkingsIn = Field(default_factory=MarkingsIn)


class BundledCreate(BaseModel):
    """Register a model whose weights ship inside an installed package."""

    name: str = Field(default="chgnet", description="The bundled model: chgnet (CHGNet 0.3.0).")
    project: str | None = None
    markings: MarkingsIn | None = Field(default=None, description="Default: PUBLIC, usable for inference.")


class ModelVersionPublic(BaseModel):
    """A version of a model's weights, with its card."""

    id: str
    model_id: str
    number: int
    previous_id: str | None
    card: dict[str, Any]
    files: list[dict[str, Any]]
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, v: ModelVersion) -> ModelVersionPublic:
        """From the domain type."""
        return cls(**v.model_dump(mode="json"))


class ModelPublic(BaseModel):
    """A model with its versions."""

    asset: AssetPublic
    versions: list[ModelVersionPublic]


class ModelSummary(BaseModel):
    """A model in a list."""

    asset: AssetPublic
    latest: ModelVersionPublic | None


class PredictionPublic(BaseModel):
    """A model's outputs for one input, with the hashes recorded in provenance."""

    model_id: str
    version_id: str
    framework: str
    input_sha256: str
    input_name: str
    formula: str
    sites: int
    outputs: dict[str, Any]
    units: dict[str, str]
    output_sha256: str
    activity: str
    warnings: list[str]

    @classmethod
    def of(cls, p: Prediction) -> PredictionPublic:
        """From the domain type."""
        return cls(**p.model_dump(mode="json"))


@router.get("", response_model=list[ModelSummary])
def list_models(platform: PlatformDep, me: CurrentPrincipal) -> list[ModelSummary]:
    """The models you may discover, each with its latest version."""
    return [
        ModelSummary(asset=AssetPublic.of(a), latest=ModelVersionPublic.of(v) if v else None)
        for a, v in platform.models.list(me)
    ]


@router.post("/bundled", response_model=ModelVersionPublic, status_code=status.HTTP_201_CREATED)
def register_bundled(platform: PlatformDep, me: CurrentPrincipal, body: BundledCreate) -> ModelVersionPublic:
    """Register a bundled model (CHGNet) with the card the platform ships for it."""
    markings = body.markings.markings() if body.markings else None
    return ModelVersionPublic.of(
        platform.models.register_bundled(me, body.name, project=body.project, markings=markings)
    )


@router.post("", response_model=ModelVersionPublic, status_code=status.HTTP_201_CREATED)
def register_model(
    platform: PlatformDep,
    me: CurrentPrincipal,
    metadata: Annotated[str, Form(description="ModelCreate as JSON: the card, project and markings")],
    files: Annotated[list[UploadFile], File(description="The weight files; each filename is its path")],
) -> ModelVersionPublic:
    """Register uploaded weights with their card as version 1 of a new model."""
    try:
        meta = ModelCreate.model_validate_json(metadata)
    except ValidationError as e:
        raise InvalidInput(f"metadata: {validation_message(e)}") from None
    with tempfile.TemporaryDirectory(prefix="genesis-model-") as tmp:
        spool(files, Path(tmp))
        version = platform.models.register(
            me,
            Path(tmp),
            meta.card,
            description=meta.description,
            project=meta.project,
            markings=meta.markings.markings(),
        )
    return ModelVersionPublic.of(version)


@router.get("/{model}", response_model=ModelPublic)
def show_model(platform: PlatformDep, me: CurrentPrincipal, model: str) -> ModelPublic:
    """A model (by id or name) with every version and card."""
    asset, versions = platform.models.get(me, model)
    return ModelPublic(asset=AssetPublic.of(asset), versions=[ModelVersionPublic.of(v) for v in versions])


@router.post("/{model}/predict", response_model=PredictionPublic)
def predict(
    platform: PlatformDep,
    me: CurrentPrincipal,
    model: str,
    structure: Annotated[UploadFile, File(description="Input structure: .cif, .vasp, POSCAR, CONTCAR or .json")],
    version: int | None = Query(default=None, ge=1, description="Model version (default: the latest)"),
) -> PredictionPublic:
    """Run a model on an uploaded structure (action infer); the inference is audited and recorded in provenance."""
    data = structure.file.read(MAX_INPUT_BYTES + 1)
    return PredictionPublic.of(platform.models.predict(me, model, data, structure.filename or "input", number=version))
