"""Discovery: instruments, and campaigns that an AI planner runs on them in a closed loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from genesis_platform.api.deps import CurrentPrincipal, PlatformDep
from genesis_platform.api.routes.assets import AssetPublic, MarkingsIn
from genesis_platform.discovery import CampaignSpec, CampaignStatusReport, InstrumentInfo, Trial

__all__ = ["instruments", "router"]

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
instruments = APIRouter(prefix="/instruments", tags=["campaigns"])


class InstrumentCreate(BaseModel):
    """An instrument to register: a simulator or a registered dataset replayed as a pool."""

    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any] = Field(
        description='{"type": "simulator", "simulator": "hartmann6", "noise": 0.0} or '
        '{"type": "dataset", "dataset": ID, "file": "data.csv", "outcomes": ["y"]}'
    )
    description: str = ""
    project: str | None = None
    markings: MarkingsIn | None = None


class InstrumentPublic(BaseModel):
    """A registered instrument."""

    asset: AssetPublic
    kind: str
    config: dict[str, Any]
    version: str


class CampaignCreate(BaseModel):
    """A campaign to create (nothing runs until `POST /campaigns/{id}/run`)."""

    spec: CampaignSpec
    markings: MarkingsIn | None = None


class CampaignPublic(BaseModel):
    """Where a campaign stands."""

    asset: AssetPublic
    spec: dict[str, Any]
    status: str
    stop_reason: str
    counts: dict[str, int]
    best: float | None
    best_point: dict[str, Any] | None
    results_visible: bool
    updated_at: datetime

    @classmethod
    def of(cls, r: CampaignStatusReport) -> CampaignPublic:
        """From the service's report."""
        return cls(
            asset=AssetPublic.of(r.asset),
            spec=r.campaign.spec.model_dump(mode="json"),
            status=r.campaign.status.value,
            stop_reason=r.campaign.stop_reason,
            counts={s.value: n for s, n in r.counts.items()},
            best=r.best,
            best_point=r.best_point,
            results_visible=r.results_visible,
            updated_at=r.campaign.updated_at,
        )


class RunRequest(BaseModel):
    """How far to run."""

    max_new_trials: int | None = Field(default=None, ge=1, description="Return after this many new trials.")


class StopRequest(BaseModel):
    """Why a campaign is stopped."""

    reason: str = ""


@instruments.post("", status_code=status.HTTP_201_CREATED)
def register_instrument(body: InstrumentCreate, platform: PlatformDep, me: CurrentPrincipal) -> InstrumentPublic:
    """Register an instrument."""
    asset, record = platform.instruments.register(
        me,
        body.name,
        body.config,
        description=body.description,
        project=body.project,
        markings=body.markings.markings() if body.markings else None,
    )
    return InstrumentPublic(
        asset=AssetPublic.of(asset), kind=record["kind"], config=record["config"], version=record["version"]
    )


@instruments.get("")
def list_instruments(platform: PlatformDep, me: CurrentPrincipal) -> list[InstrumentPublic]:
    """The instruments the caller may discover."""
    return [
        InstrumentPublic(asset=AssetPublic.of(a), kind=r["kind"], config=r["config"], version=r["version"])
        for a, r in platform.instruments.list(me)
    ]


@instruments.post("/{instrument_id}/ping")
def ping_instrument(instrument_id: str, platform: PlatformDep, me: CurrentPrincipal) -> InstrumentInfo:
    """Ask an instrument to describe itself (action `run`)."""
    return platform.instruments.ping(me, instrument_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_campaign(body: CampaignCreate, platform: PlatformDep, me: CurrentPrincipal) -> CampaignPublic:
    """Create a campaign after checking that it can run."""
    campaign = platform.campaigns.create(me, body.spec, markings=body.markings.markings() if body.markings else None)
    return CampaignPublic.of(platform.campaigns.status(me, campaign.id))


@router.get("")
def list_campaigns(platform: PlatformDep, me: CurrentPrincipal) -> list[CampaignPublic]:
    """The campaigns the caller may discover."""
    return [CampaignPublic.of(r) for r in platform.campaigns.list(me)]


@router.get("/{campaign_id}")
def campaign_status(campaign_id: str, platform: PlatformDep, me: CurrentPrincipal) -> CampaignPublic:
    """A campaign's status, trial counts and best so far."""
    return CampaignPublic.of(platform.campaigns.status(me, campaign_id))


@router.get("/{campaign_id}/trials")
def campaign_trials(campaign_id: str, platform: PlatformDep, me: CurrentPrincipal) -> list[Trial]:
    """Every trial in order."""
    return platform.campaigns.trials(me, campaign_id)


@router.post("/{campaign_id}/run", status_code=status.HTTP_202_ACCEPTED)
def run_campaign(
    campaign_id: str, body: RunRequest, background: BackgroundTasks, platform: PlatformDep, me: CurrentPrincipal
) -> CampaignPublic:
    """Start (or resume) a campaign in the background; poll `GET /campaigns/{id}` for progress.

    Whether the caller may run it is decided now, so a denial is a 403/404 answer, not a silent failure.
    """
    report = platform.campaigns.status(me, campaign_id)
    platform.campaigns.check_runnable(me, campaign_id)
    background.add_task(platform.campaigns.run, me, campaign_id, max_new_trials=body.max_new_trials)
    return CampaignPublic.of(report)


@router.post("/{campaign_id}/stop")
def stop_campaign(campaign_id: str, body: StopRequest, platform: PlatformDep, me: CurrentPrincipal) -> CampaignPublic:
    """Ask a campaign to stop once its running trials end; queued trials are withdrawn (resume re-issues them)."""
    platform.campaigns.stop(me, campaign_id, body.reason)
    return CampaignPublic.of(platform.campaigns.status(me, campaign_id))


@router.get("/{campaign_id}/report")
def campaign_report(campaign_id: str, platform: PlatformDep, me: CurrentPrincipal) -> dict[str, Any]:
    """The campaign's JSON summary (best so far, random baseline, Pareto set)."""
    data, _ = platform.campaigns.report(me, campaign_id)
    return data


@router.get("/{campaign_id}/report.html", response_class=HTMLResponse)
def campaign_report_html(campaign_id: str, platform: PlatformDep, me: CurrentPrincipal) -> HTMLResponse:
    """The campaign's HTML report with plots."""
    _, page = platform.campaigns.report(me, campaign_id)
    return HTMLResponse(page)


class BestCreate(BaseModel):
    """Which trials become a dataset."""

    count: int = Field(default=10, ge=1, le=100_000)
    name: str | None = None
    into: str | None = Field(
        default=None, description="Add them as the next version of this dataset (marked like the campaign)."
    )


@router.post("/{campaign_id}/datasets", status_code=status.HTTP_201_CREATED)
def register_best(
    campaign_id: str, body: BestCreate, platform: PlatformDep, me: CurrentPrincipal
) -> dict[str, str | int]:
    """Register the best trials as a new dataset, or as the next version of `into`, derived from the campaign."""
    done = platform.campaigns.register_best(me, campaign_id, body.count, body.name, body.into)
    return {"dataset_id": done.dataset_id, "version": done.version}


class BenchmarkRequest(BaseModel):
    """Seeded runs of the pool benchmark protocol to add (`genesis campaign benchmark`)."""

    runs: dict[str, int] = Field(
        default_factory=lambda: {"campaign": 10},
        description='Method → runs, e.g. {"campaign": 20, "ax": 20}; methods: campaign (its own planner), '
        "genesis, ax, baybe, forest, random, sobol.",
    )


@router.post("/{campaign_id}/benchmark", status_code=status.HTTP_202_ACCEPTED)
def benchmark_campaign(
    campaign_id: str, body: BenchmarkRequest, background: BackgroundTasks, platform: PlatformDep, me: CurrentPrincipal
) -> dict[str, Any]:
    """Replay the campaign's dataset pool with the Liang et al. protocol in the background.

    The runs asked for are checked now (methods, the campaign's pool, the caller's rights), so a bad request is
    a 4xx answer; each run is kept as it finishes: poll `GET /campaigns/{id}/benchmark` for the summary.
    """
    counts = platform.campaigns.check_benchmark(me, campaign_id, body.runs, reserve=True)
    background.add_task(platform.campaigns.benchmark, me, campaign_id, counts, reserved=True)
    return {"campaign": campaign_id, "runs": counts, "status": "accepted"}


@router.get("/{campaign_id}/benchmark")
def campaign_benchmark(campaign_id: str, platform: PlatformDep, me: CurrentPrincipal) -> dict[str, Any]:
    """The benchmark runs kept so far: AF and EF with 5-95 % bands per method, and the campaign against each."""
    return platform.campaigns.benchmark_results(me, campaign_id)
