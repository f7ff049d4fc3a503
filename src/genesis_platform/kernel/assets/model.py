"""Governed assets: anything the platform holds under markings.

Datasets, models, campaigns, frontier-model submissions and vulnerability findings are all governed assets:
each has an owner, an organisation, an optional project (need to know) and markings that the policy engine
reads. Capabilities keep their own detail in their own tables and point at the asset by id.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from genesis_platform.kernel.assets.markings import Markings

__all__ = ["AssetKind", "GovernedAsset"]

_KIND = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def _kind(value: str) -> str:
    if not _KIND.match(value):
        raise ValueError(f"asset kind {value!r} must be a lower-case word such as 'dataset' or 'model'")
    return value


AssetKind = Annotated[str, AfterValidator(_kind)]
"""The kind of a governed asset: `dataset`, `model`, `campaign`, `submission`, `finding`, `workflow`, ..."""


class GovernedAsset(BaseModel):
    """One asset under governance.

    Attributes:
        id: stable identifier.
        kind: what sort of asset it is.
        name: short title.
        description: what it is, for discovery.
        owner_id: the user accountable for it.
        organisation_id: the organisation that holds it.
        project: the project whose members need to know, if any.
        markings: the controls the policy reads.
        version: bumped on every change; cached policy entities key on it.
        created_at: when it was registered.
        updated_at: when it last changed.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kind: AssetKind
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    owner_id: str
    organisation_id: str
    project: str | None = Field(default=None, min_length=1, max_length=100)
    markings: Markings = Markings()
    version: int = 1
    created_at: datetime
    updated_at: datetime
