"""Datasets: register by multipart upload, browse, stream verified files, verify integrity, withdraw."""

from __future__ import annotations

import base64
import shutil
import tempfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.background import BackgroundTask

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.api.routes.assets import AssetPublic, MarkingsIn
from genesis_platform.api.uploads import spool
from genesis_platform.catalog import AttachedCard, DatasetVersion, SearchQuery, bagit_manifest
from genesis_platform.catalog.datacard import DataCard, dump_card, load_card
from genesis_platform.kernel import InvalidInput, NotFound
from genesis_platform.kernel.validation import validation_message

__all__ = ["router"]

router = APIRouter(prefix="/datasets", tags=["datasets"])


class DatasetCreate(BaseModel):
    """Metadata sent with the files of a new dataset (the `metadata` form field, as JSON)."""

    name: str
    description: str = ""
    project: str | None = None
    markings: MarkingsIn = Field(default_factory=MarkingsIn)


class VersionPublic(BaseModel):
    """A dataset version."""

    id: str
    dataset_id: str
    number: int
    previous_id: str | None
    state: str
    files: list[dict[str, Any]]
    structures: list[dict[str, Any]]
    manifest_sha256: str
    total_size: int
    created_by: str
    created_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str | None

    @classmethod
    def of(cls, v: DatasetVersion) -> VersionPublic:
        """From the domain type."""
        data = v.model_dump(mode="json", exclude={"withdrawn_by"})
        return cls(**data)


class DatasetPublic(BaseModel):
    """A dataset with its versions."""

    asset: AssetPublic
    versions: list[VersionPublic]


class DatasetSummary(BaseModel):
    """A dataset in a list."""

    asset: AssetPublic
    latest: VersionPublic | None


class Withdrawal(BaseModel):
    """Why a version is withdrawn."""

    reason: str = Field(min_length=1, max_length=2000)


class FileCheckPublic(BaseModel):
    """One file's integrity."""

    version: str
    path: str
    sha256: str
    status: str


class VerifyPublic(BaseModel):
    """A dataset's integrity."""

    ok: bool
    files: int
    bad: list[FileCheckPublic]


def _metadata(text: str) -> DatasetCreate:
    try:
        return DatasetCreate.model_validate_json(text)
    except ValidationError as e:
        raise InvalidInput(f"metadata: {validation_message(e)}") from None


@router.get("", response_model=list[DatasetSummary])
def list_datasets(platform: PlatformDep, me: CurrentPrincipal) -> list[DatasetSummary]:
    """The datasets you may discover, each with its latest version."""
    return [
        DatasetSummary(asset=AssetPublic.of(a), latest=VersionPublic.of(v) if v else None)
        for a, v in platform.datasets.list(me)
    ]


class HitPublic(BaseModel):
    """One search result."""

    asset: AssetPublic
    score: float
    organisation: str
    facets: dict[str, list[str]]


class SearchPublic(BaseModel):
    """A page of results, the total and facet counts, over what you may discover."""

    total: int
    hits: list[HitPublic]
    facets: dict[str, dict[str, int]]


@router.get("/search", response_model=SearchPublic)
def search(
    platform: PlatformDep,
    me: CurrentPrincipal,
    q: str = "",
    domain: str | None = None,
    format: str | None = None,
    sensitivity: str | None = None,
    organisation: str | None = None,
    has_access: bool = False,
    limit: int = Query(default=20, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    semantic: bool = Query(default=False, description="Rank by meaning (sentence embeddings), not by words"),
) -> SearchPublic:
    """Full-text or semantic search with filters and facets, counted only over what you may discover."""
    found = platform.search.search(
        me, SearchQuery(q, domain, format, sensitivity, organisation, has_access, limit, offset, semantic)
    )
    return SearchPublic(
        total=found.total,
        hits=[
            HitPublic(asset=AssetPublic.of(h.asset), score=h.score, organisation=h.organisation, facets=h.facets)
            for h in found.hits
        ],
        facets=found.facets,
    )


@router.post("", response_model=VersionPublic, status_code=status.HTTP_201_CREATED)
def register_dataset(
    platform: PlatformDep,
    me: CurrentPrincipal,
    metadata: Annotated[str, Form(description="DatasetCreate as JSON")],
    files: Annotated[list[UploadFile], File(description="The files; each filename is its path in the dataset")],
) -> VersionPublic:
    """Register uploaded files as version 1 of a new dataset."""
    meta = _metadata(metadata)
    with tempfile.TemporaryDirectory(prefix="genesis-upload-") as tmp:
        spool(files, Path(tmp))
        version = platform.datasets.register(
            me,
            Path(tmp),
            name=meta.name,
            description=meta.description,
            project=meta.project,
            markings=meta.markings.markings(),
        )
    return VersionPublic.of(version)


@router.get("/{dataset_id}", response_model=DatasetPublic)
def show_dataset(dataset_id: str, platform: PlatformDep, me: CurrentPrincipal) -> DatasetPublic:
    """A dataset and every version."""
    asset, versions = platform.datasets.get(me, dataset_id)
    return DatasetPublic(asset=AssetPublic.of(asset), versions=[VersionPublic.of(v) for v in versions])


@router.post("/{dataset_id}/versions", response_model=VersionPublic, status_code=status.HTTP_201_CREATED)
def add_version(
    dataset_id: str,
    platform: PlatformDep,
    me: CurrentPrincipal,
    files: Annotated[list[UploadFile], File(description="The files of the new version")],
) -> VersionPublic:
    """Register uploaded files as the next version (owners, data stewards, security officers)."""
    with tempfile.TemporaryDirectory(prefix="genesis-upload-") as tmp:
        spool(files, Path(tmp))
        return VersionPublic.of(platform.datasets.add_version(me, dataset_id, Path(tmp)))


@router.get("/{dataset_id}/versions/{number}/manifest", response_class=PlainTextResponse)
def manifest(dataset_id: str, number: int, platform: PlatformDep, me: CurrentPrincipal) -> str:
    """The version's BagIt `manifest-sha256.txt`."""
    _, versions = platform.datasets.get(me, dataset_id)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise NotFound(f"dataset {dataset_id} has no version {number}")
    return bagit_manifest(version.files)


@router.get("/{dataset_id}/versions/{number}/files/{path:path}")
def download_file(
    dataset_id: str, number: int, path: str, platform: PlatformDep, me: CurrentPrincipal
) -> StreamingResponse:
    """Stream one file; its SHA-256 is in `Repr-Digest` (RFC 9530) and the stream aborts if the bytes differ."""
    entry, chunks = platform.datasets.open_file(me, dataset_id, number, path)
    digest = base64.b64encode(bytes.fromhex(entry.sha256)).decode("ascii")
    headers = {
        "Repr-Digest": f"sha-256=:{digest}:",
        "Content-Length": str(entry.size),
        "Content-Disposition": f'attachment; filename="{PurePosixPath(entry.path).name}"',
    }
    return StreamingResponse(chunks, media_type="application/octet-stream", headers=headers)


@router.post("/{dataset_id}/verify", response_model=VerifyPublic)
def verify(dataset_id: str, platform: PlatformDep, me: CurrentPrincipal) -> VerifyPublic:
    """Re-hash every stored file of the available versions."""
    report = platform.datasets.verify(me, dataset_id)
    bad = [FileCheckPublic(version=v, path=c.path, sha256=c.sha256, status=c.status) for v, c in report.bad]
    return VerifyPublic(ok=report.ok, files=sum(len(c) for c in report.checked.values()), bad=bad)


@router.post("/{dataset_id}/versions/{number}/withdraw", response_model=VersionPublic)
def withdraw(
    dataset_id: str, number: int, body: Withdrawal, platform: PlatformDep, me: CurrentPrincipal
) -> VersionPublic:
    """Withdraw a version: bytes deleted, tombstone and audit trail kept."""
    return VersionPublic.of(platform.datasets.withdraw(me, dataset_id, number, body.reason))


class CardPublic(BaseModel):
    """A dataset's data card with its completeness and open issues."""

    dataset_id: str
    card: dict[str, Any]
    body: str
    completeness: dict[str, Any]
    issues: list[dict[str, str]]


def _card(attached: AttachedCard) -> CardPublic:
    return CardPublic(
        dataset_id=attached.dataset_id,
        card=attached.card.model_dump(mode="json", exclude_none=True),
        body=attached.body,
        completeness=attached.completeness,
        issues=[
            {"code": i.code, "severity": i.severity, "path": i.path, "message": i.message} for i in attached.issues
        ],
    )


@router.get("/{dataset_id}/card", response_model=CardPublic)
def get_card(dataset_id: str, platform: PlatformDep, me: CurrentPrincipal) -> CardPublic:
    """The dataset's newest Genesis Mission Data Card."""
    return _card(platform.datasets.card(me, dataset_id))


@router.get("/{dataset_id}/card/draft", response_class=PlainTextResponse)
def draft(dataset_id: str, platform: PlatformDep, me: CurrentPrincipal) -> str:
    """A drafted card (Markdown with YAML front matter) from what the platform knows."""
    return dump_card(platform.datasets.draft_card(me, dataset_id))


@router.put("/{dataset_id}/card", response_model=CardPublic)
async def put_card(dataset_id: str, request: Request, platform: PlatformDep, me: CurrentPrincipal) -> CardPublic:
    """Attach a card: a JSON object, or Markdown with YAML front matter (`text/markdown`)."""
    raw = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            card, body = DataCard.model_validate_json(raw), ""
        except ValidationError as e:
            raise InvalidInput(f"the card does not follow Genesis Data Card v1.2: {validation_message(e)}") from None
    else:
        card, body = load_card(raw)
    attached = await run_in_threadpool(platform.datasets.attach_card, me, dataset_id, card, body)
    return _card(attached)


@router.get("/{dataset_id}/export/{fmt}")
def export(
    dataset_id: str, fmt: str, platform: PlatformDep, me: CurrentPrincipal, version: int | None = None
) -> Response:
    """Metadata as `genesis` (card), `datacite`, `dcat`, `croissant`, `prov`; or `ro-crate`, a zip with the data."""
    if fmt == "ro-crate":
        tmp = tempfile.NamedTemporaryFile(prefix="genesis-crate-", suffix=".zip", delete=False)  # noqa: SIM115
        tmp.close()
        out = Path(tmp.name)
        try:
            got = platform.datasets.export_crate(me, dataset_id, out, number=version)
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        return FileResponse(
            out,
            media_type="application/zip",
            filename=f"{got.id.replace('@', '-')}.zip",
            background=BackgroundTask(out.unlink, missing_ok=True),
        )
    text = platform.datasets.export(me, dataset_id, fmt, number=version)
    media = {"genesis": "text/markdown", "dcat": "application/ld+json", "croissant": "application/ld+json"}.get(
        fmt, "application/json"
    )
    return Response(text, media_type=media)


@router.post("/import", response_model=VersionPublic, status_code=status.HTTP_201_CREATED)
def import_crate(
    platform: PlatformDep,
    me: CurrentPrincipal,
    crate: Annotated[UploadFile, File(description="An RO-Crate zip with a BagIt manifest")],
    project: Annotated[str | None, Form()] = None,
) -> VersionPublic:
    """Register an RO-Crate as a new dataset after verifying its manifest; its data card's markings govern it."""
    with tempfile.TemporaryDirectory(prefix="genesis-upload-") as tmp:
        path = Path(tmp) / "crate.zip"
        with path.open("wb") as out:
            shutil.copyfileobj(crate.file, out, 8 << 20)
        return VersionPublic.of(platform.datasets.import_crate(me, path, project=project))
