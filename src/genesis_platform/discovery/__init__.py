"""Autonomous discovery: design spaces, planners, instruments, campaigns (EO 14363 §3(a)(ii), (iii), (vi))."""

from genesis_platform.discovery.instrument import Instrument, InstrumentInfo, Measurement, RunStatus
from genesis_platform.discovery.model import Campaign, CampaignSpec, CampaignStatus, Stopping, Trial, TrialStatus
from genesis_platform.discovery.planner import Observation, Planner, make_planner, planner_names, restore
from genesis_platform.discovery.service import (
    CampaignService,
    CampaignStatusReport,
    DatasetRows,
    InstrumentService,
    RegisteredBest,
)
from genesis_platform.discovery.space import DesignSpace, Direction, Objective, Point, Pool, load_space

__all__ = [
    "Campaign",
    "CampaignService",
    "CampaignSpec",
    "CampaignStatus",
    "CampaignStatusReport",
    "DatasetRows",
    "DesignSpace",
    "Direction",
    "Instrument",
    "InstrumentInfo",
    "InstrumentService",
    "Measurement",
    "Objective",
    "Observation",
    "Planner",
    "Point",
    "Pool",
    "RegisteredBest",
    "RunStatus",
    "Stopping",
    "Trial",
    "TrialStatus",
    "load_space",
    "make_planner",
    "planner_names",
    "restore",
]
