"""Governed assets: register, list what you may discover, show, re-mark, provenance."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.kernel import GovernedAsset, Markings
from genesis_platform.kernel.assets.markings import parse_markings

__all__ = ["router"]

router = APIRouter(prefix="/assets", tags=["assets"])


class MarkingsIn(BaseModel):
    """Markings as a banner plus the fields a banner cannot carry (Genesis data card vocabulary)."""

    banner: str = Field(
        default="UNCLASSIFIED", description="PUBLIC, UNCLASSIFIED, CUI//SP-EXPT//NOFORN, SECRET//RD, ..."
    )
    pii: bool = False
    phi: bool = False
    ip_restriction: str | None = None
    required_agreements: list[str] = Field(default_factory=list)
    export_control: str | None = None
    foreign_national_access: str | None = None
    embargo_until: date | None = None
    dissemination_list: list[str] = Field(default_factory=list)
    training_use: str | None = None
    inference_use: str | None = None
    evaluation_use: str | None = None

    def markings(self) -> Markings:
        """As domain markings (422 problem when they break a rule)."""
        return parse_markings(self.banner, **self.model_dump(exclude={"banner"}))


class AssetCreate(BaseModel):
    """A new governed asset, owned by the caller in the caller's organisation."""

    kind: str = "dataset"
    name: str
    description: str = ""
    project: str | None = None
    markings: MarkingsIn = Field(default_factory=MarkingsIn)


class MarkingsUpdate(BaseModel):
    """New markings and why."""

    markings: MarkingsIn
    reason: str = Field(min_length=1, max_length=1000)


class AssetPublic(BaseModel):
    """A governed asset."""

    id: str
    kind: str
    name: str
    description: str
    owner_id: str
    organisation_id: str
    project: str | None
    banner: str
    markings: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, asset: GovernedAsset) -> AssetPublic:
        """From the domain type."""
        return cls(
            **asset.model_dump(exclude={"markings", "version"}),
            banner=asset.markings.banner,
            markings=asset.markings.model_dump(mode="json"),
        )


@router.get("", response_model=list[AssetPublic])
def list_assets(platform: PlatformDep, me: CurrentPrincipal, kind: str | None = None) -> list[AssetPublic]:
    """The assets you may discover."""
    return [AssetPublic.of(a) for a in platform.assets.list(me, kind)]


@router.post("", response_model=AssetPublic, status_code=status.HTTP_201_CREATED)
def register_asset(body: AssetCreate, platform: PlatformDep, me: CurrentPrincipal) -> AssetPublic:
    """Register an asset under markings you are cleared for."""
    asset = platform.assets.register(
        me,
        kind=body.kind,
        name=body.name,
        description=body.description,
        project=body.project,
        markings=body.markings.markings(),
    )
    return AssetPublic.of(asset)


@router.get("/{asset_id}", response_model=AssetPublic)
def show_asset(asset_id: str, platform: PlatformDep, me: CurrentPrincipal) -> AssetPublic:
    """An asset's description (404 when it does not exist or you may not learn of it)."""
    return AssetPublic.of(platform.assets.get(me, asset_id))


@router.post("/{asset_id}/markings", response_model=AssetPublic)
def mark_asset(asset_id: str, body: MarkingsUpdate, platform: PlatformDep, me: CurrentPrincipal) -> AssetPublic:
    """Change markings (security officers; data stewards of the holding organisation)."""
    return AssetPublic.of(platform.assets.mark(me, asset_id, body.markings.markings(), body.reason))


@router.get("/{asset_id}/provenance", response_class=JSONResponse)
def asset_provenance(asset_id: str, platform: PlatformDep, me: CurrentPrincipal, depth: int = 10) -> JSONResponse:
    """The asset's lineage as W3C PROV-JSON; assets you may not discover are left out."""
    return JSONResponse(json.loads(platform.provenance.export(me, asset_id, depth)))
