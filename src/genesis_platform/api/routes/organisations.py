"""Organisations."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.kernel import Organisation

__all__ = ["router"]

router = APIRouter(prefix="/organisations", tags=["organisations"])


class OrganisationCreate(BaseModel):
    """A new organisation."""

    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(description="federal_agency, national_laboratory, university, company or foreign_partner")
    country: str = Field(default="USA", description="ISO 3166-1 alpha-3")


class OrganisationPublic(BaseModel):
    """An organisation."""

    id: str
    name: str
    kind: str
    country: str
    created_at: datetime

    @classmethod
    def of(cls, org: Organisation) -> OrganisationPublic:
        """From the domain type."""
        return cls(id=org.id, name=org.name, kind=org.kind.value, country=org.country, created_at=org.created_at)


@router.get("", response_model=list[OrganisationPublic])
def list_organisations(platform: PlatformDep, me: CurrentPrincipal) -> list[OrganisationPublic]:
    """Every participating organisation."""
    return [OrganisationPublic.of(o) for o in platform.identity.list_organisations(me)]


@router.post("", response_model=OrganisationPublic, status_code=status.HTTP_201_CREATED)
def add_organisation(body: OrganisationCreate, platform: PlatformDep, me: CurrentPrincipal) -> OrganisationPublic:
    """Add an organisation (platform administrators)."""
    return OrganisationPublic.of(platform.identity.add_organisation(me, body.name, body.kind, body.country))
