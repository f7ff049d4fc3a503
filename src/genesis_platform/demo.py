"""`genesis demo`: a small platform with real people, organisations, data and a model, and what policy decides.

Seeds a national laboratory, a university, a company working under a CRADA and a foreign partner; a vetted US
researcher, a foreign-national collaborator, an industry partner, a security officer and a suspended user.
Registers the five experimental datasets of Liang et al. 2021 with their Genesis data cards, a
CUI//SP-EXPT//NOFORN dataset, a proprietary CRADA asset and CHGNet; generates a synthetic dataset on the
platform with CHGNet (an equation of state of rock salt) with provenance to the model; searches the catalogue
as a US researcher and as a foreign national; runs one CHGNet prediction; runs a Bayesian-optimisation
campaign on the crossed-barrel dataset replayed as an instrument and counts the experiments it needed to find
most of the top 5 % of designs, against random sampling; asks the policy engine a series of
questions through the same services the CLI and API use, and verifies the audit chain. Every step is
authorised and audited like any other request.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from genesis_platform.bootstrap import Platform
from genesis_platform.catalog import DatasetVersion, ModelVersion, Prediction, SearchQuery
from genesis_platform.catalog.datacard import DataCard, load_card, markings_from_card
from genesis_platform.catalog.samples import liang_2021
from genesis_platform.discovery import CampaignSpec, DesignSpace, Objective, Stopping
from genesis_platform.discovery.benchmark import load_pool
from genesis_platform.kernel.assets.markings import IPRestriction, Markings, UseStatus
from genesis_platform.kernel.audit.chain import VerificationReport
from genesis_platform.kernel.errors import NotFound
from genesis_platform.kernel.identity.model import Agreement, Principal
from genesis_platform.kernel.identity.service import Grants
from genesis_platform.kernel.policy.model import Action

__all__ = ["DemoCampaign", "DemoDataset", "DemoResult", "DemoRow", "DemoSearch", "run_demo"]

CRADA = "CRADA:ORNL-ACME-2026-017"


@dataclass(frozen=True)
class DemoRow:
    """One request the demo asks the policy engine about.

    Attributes:
        user: who asks.
        who: what sort of person they are.
        action: what they ask to do.
        asset: a short name of the asset.
        marking: the asset's banner.
        allowed: the decision.
        policy: the deciding policy's id (`default-deny` when nothing permits it).
        reason: the deciding policy's words.
    """

    user: str
    who: str
    action: str
    asset: str
    marking: str
    allowed: bool
    policy: str
    reason: str


@dataclass(frozen=True)
class DemoDataset:
    """A dataset the demo registered.

    Attributes:
        id: its id.
        name: its title.
        marking: its banner.
        rows: rows in its table.
        completeness: its data card's completeness score (0 to 1), if it has a card.
    """

    id: str
    name: str
    marking: str
    rows: int
    completeness: float | None


@dataclass(frozen=True)
class DemoSearch:
    """One catalogue search as one user.

    Attributes:
        user: who searched.
        query: the words.
        total: how many results they got.
        names: the result titles.
        semantic: ranked by meaning rather than by matching words.
    """

    user: str
    query: str
    total: int
    names: list[str]
    semantic: bool = False


@dataclass(frozen=True)
class DemoCampaign:
    """The demo's discovery campaign.

    Attributes:
        id: the campaign.
        pool: how many designs the dataset holds.
        top: how many of them are in the top 5 %.
        trials: how many experiments the campaign ran.
        found: how many of the top designs it found.
        needed: experiments it took to find 80 % of the top designs (None if it did not).
        random: experiments random sampling needs for that, on average (exact, draws without replacement).
        best: the best toughness found.
    """

    id: str
    pool: int
    top: int
    trials: int
    found: int
    needed: int | None
    random: float
    best: float


@dataclass(frozen=True)
class DemoResult:
    """What the demo built and found.

    Attributes:
        rows: the decisions, in order.
        verification: the audit chain verification at the end.
        datasets: the datasets registered.
        searches: the searches, as two users.
        prediction: the CHGNet prediction.
        model_id: the CHGNet model.
        campaign: the discovery campaign.
    """

    rows: list[DemoRow]
    verification: VerificationReport
    datasets: list[DemoDataset] = field(default_factory=list)
    searches: list[DemoSearch] = field(default_factory=list)
    prediction: Prediction | None = None
    model_id: str = ""
    campaign: DemoCampaign | None = None


def _person(platform: Platform, admin: Principal, username: str, **fields: object) -> Principal:
    grants = fields.pop("grants", None)
    platform.identity.add_user(admin, username=username, **fields)  # type: ignore[arg-type]
    if isinstance(grants, Grants):
        platform.identity.grant(admin, username, grants)
    platform.identity.vet(admin, username, "demo vetting")
    issued = platform.identity.issue_token(admin, username, label="demo", ttl=timedelta(days=1))
    return platform.authenticate(issued.secret, "internal")


def run_demo(platform: Platform, admin: Principal) -> DemoResult:
    """Seed the demo platform as `admin` and return the decisions and the audit verification."""
    ids = platform.identity
    ornl = ids.add_organisation(admin, "Oak Ridge National Laboratory", "national_laboratory", "USA")
    ids.add_organisation(admin, "University of Tennessee", "university", "USA")
    acme = ids.add_organisation(admin, "Acme Materials Inc.", "company", "USA")
    ids.add_organisation(admin, "UK Atomic Energy Authority", "foreign_partner", "GBR")

    rivera = _person(
        platform,
        admin,
        "rivera",
        display_name="Dr. Ana Rivera",
        email="rivera@ornl.gov",
        organisation=ornl.name,
        us_person=True,
        roles=["researcher"],
        grants=Grants(trainings=["cui", "export_control", "pii"], projects=["fusion-blanket", "alloy-fatigue"]),
    )
    patel = _person(
        platform,
        admin,
        "patel",
        display_name="Dr. Priya Patel",
        email="patel@ukaea.uk",
        organisation="UK Atomic Energy Authority",
        us_person=False,
        citizenships=["GBR"],
        roles=["external_collaborator"],
        grants=Grants(trainings=["cui", "export_control"], projects=["fusion-blanket"]),
    )
    chen = _person(
        platform,
        admin,
        "chen",
        display_name="Wei Chen",
        email="chen@acme.example",
        organisation=acme.name,
        us_person=True,
        roles=["researcher"],
        grants=Grants(agreements=[CRADA]),
    )
    morgan = _person(
        platform,
        admin,
        "morgan",
        display_name="Sam Morgan",
        email="morgan@ornl.gov",
        organisation=ornl.name,
        us_person=True,
        roles=["security_officer"],
        grants=Grants(trainings=["cui", "export_control"]),
    )
    lee = _person(
        platform,
        admin,
        "lee",
        display_name="Jordan Lee",
        email="lee@utk.edu",
        organisation="University of Tennessee",
        us_person=True,
        roles=["researcher"],
    )
    ids.suspend(admin, "lee", "demo: badge reported lost")

    registered: list[DatasetVersion] = []
    for sample in liang_2021():
        card, body = load_card(sample.card.read_text(encoding="utf-8"))
        ident = card.discoverability.identification if card.discoverability else None
        version = platform.datasets.register(
            rivera,
            sample.data,
            name=ident.name if ident and ident.name else sample.data.stem,
            markings=markings_from_card(card),
        )
        platform.datasets.attach_card(rivera, version.dataset_id, card, body)
        registered.append(version)
    with tempfile.TemporaryDirectory(prefix="genesis-demo-") as tmp:
        table = Path(tmp) / "blanket_tbr.csv"
        # Illustrative figures: the demo needs a controlled dataset, not real controlled data.
        table.write_text(
            "mockup,li6_enrichment_pct,multiplier,tbr_measured,tbr_uncertainty\n"
            "HCPB-1,60,Be,1.12,0.04\nHCPB-2,90,Be,1.18,0.05\nWCLL-1,90,PbLi,1.09,0.03\nWCLL-2,90,PbLi,1.11,0.04\n",
            encoding="utf-8",
        )
        blanket = platform.datasets.register(
            rivera,
            table,
            name="Breeding-blanket neutronics benchmarks",
            description="Tritium breeding ratios from mock-up irradiations (illustrative figures).",
            project="fusion-blanket",
            markings=Markings.from_banner("CUI//SP-EXPT//NOFORN", training_use=UseStatus.YES),
        )
    registered.append(blanket)
    neutronics = platform.assets.get(rivera, blanket.dataset_id)
    fatigue = platform.assets.register(
        rivera,
        kind="dataset",
        name="Alloy fatigue campaign (Acme CRADA)",
        description="Fatigue life of additively manufactured alloys, measured with Acme Materials.",
        project="alloy-fatigue",
        markings=Markings(
            ip_restriction=IPRestriction.PROPRIETARY,
            required_agreements=frozenset({Agreement.parse(CRADA)}),
            training_use=UseStatus.CONDITIONAL,
            inference_use=UseStatus.YES,
        ),
    )
    perovskite = platform.assets.register(
        rivera,
        kind="dataset",
        name="Perovskite film stability (published)",
        description="Degradation of perovskite films under humidity and light.",
        markings=Markings.from_banner("PUBLIC", training_use=UseStatus.YES),
    )

    people = {
        "rivera": (rivera, "US researcher, ORNL"),
        "patel": (patel, "foreign national (GBR)"),
        "chen": (chen, "industry partner, CRADA"),
        "morgan": (morgan, "security officer, ORNL"),
        "lee": (lee, "suspended user"),
    }
    questions = [
        ("rivera", Action.DOWNLOAD, neutronics),
        ("patel", Action.DISCOVER, neutronics),
        ("patel", Action.DOWNLOAD, perovskite),
        ("chen", Action.DOWNLOAD, fatigue),
        ("chen", Action.TRAIN, fatigue),
        ("patel", Action.DOWNLOAD, fatigue),
        ("chen", Action.READ_METADATA, neutronics),
        ("morgan", Action.ADMINISTER, neutronics),
        ("morgan", Action.DOWNLOAD, neutronics),
        ("lee", Action.DISCOVER, perovskite),
    ]
    short = {
        neutronics.id: "blanket neutronics",
        fatigue.id: "alloy fatigue (CRADA)",
        perovskite.id: "perovskite films",
    }
    rows: list[DemoRow] = []
    for username, action, asset in questions:
        principal, who = people[username]
        _, decision = platform.assets.decide(principal, action, asset.id)
        if decision.by_default:
            policy, reason = "default-deny", "No policy permits it: not the owner, not on the project, no agreement."
        else:
            info = platform.guard.policy.policies[decision.policies[0]]
            policy, reason = info.id, info.reason
        name = short[asset.id]
        rows.append(
            DemoRow(username, who, action.value, name, asset.markings.summary, decision.allowed, policy, reason)
        )
    chgnet = platform.models.register_bundled(morgan)
    registered.append(_synthetic_equation_of_state(platform, rivera, chgnet))
    prediction = platform.models.predict(rivera, "chgnet", *_sample_structure("NaCl_rocksalt.cif"))
    searches = []
    asks = [("", False), ("neutronics tritium", False)]
    if platform.search.semantic_available:
        asks.append(("degradation of solar absorber layers", True))
    for username in ("rivera", "patel"):
        for words, semantic in asks:
            found = platform.search.search(people[username][0], SearchQuery(words, limit=20, semantic=semantic))
            names = [h.asset.name for h in found.hits]
            searches.append(DemoSearch(username, words, found.total, names, semantic))
    datasets = []
    for version in registered:
        asset, _ = platform.datasets.get(rivera, version.dataset_id)
        try:
            score: float | None = platform.datasets.card(rivera, asset.id).completeness["score"]
        except NotFound:
            score = None
        rows_in = sum(s.rows or 0 for s in version.structures)
        datasets.append(DemoDataset(asset.id, asset.name, asset.markings.summary, rows_in, score))
    campaign = _barrel_campaign(platform, rivera, registered[0])
    platform.audit.checkpoint(admin)
    return DemoResult(rows, platform.audit.verify(admin), datasets, searches, prediction, chgnet.model_id, campaign)


def _barrel_campaign(platform: Platform, who: Principal, barrel: DatasetVersion) -> DemoCampaign:
    """Find the toughest crossed-barrel designs with the default planner, the dataset replayed as the lab."""
    sample = liang_2021()[0]
    problem = load_pool(sample.data, "maximize")
    instrument, _ = platform.instruments.register(
        who,
        "Crossed-barrel printer and compression tester (replayed from Gongora et al. 2020)",
        {"type": "dataset", "dataset": barrel.dataset_id, "file": sample.data.name, "outcomes": ["toughness"]},
    )
    space = DesignSpace(parameters=problem.space.parameters, objectives=(Objective(name="toughness"),))
    spec = CampaignSpec(
        name="Tough crossed barrels", space=space, instrument=instrument.id, seed=1, stopping=Stopping(max_trials=200)
    )
    campaign = platform.campaigns.create(who, spec)
    platform.campaigns.run(who, campaign.id)
    trials = platform.campaigns.trials(who, campaign.id)
    values = sorted(problem.values, reverse=True)
    threshold = values[problem.n_top - 1]
    found, needed = 0, None
    for i, trial in enumerate(trials, start=1):
        found += trial.values.get("toughness", float("-inf")) >= threshold
        if needed is None and found >= math.ceil(0.8 * problem.n_top):
            needed = i
    best = max(t.values.get("toughness", float("-inf")) for t in trials)
    random = random_draws(math.ceil(0.8 * problem.n_top), problem.n_top, problem.size)
    return DemoCampaign(campaign.id, problem.size, problem.n_top, len(trials), found, needed, random, best)


def random_draws(goal: int, top: int, size: int) -> float:
    """Mean number of draws without replacement from `size` designs until `goal` of the `top` best are found.

    The `top` designs split the other `size - top` into `top + 1` gaps of equal mean length, so the goal-th
    comes on average at draw goal (size + 1) / (top + 1) (negative hypergeometric mean).
    """
    return goal * (size + 1) / (top + 1)


def _sample_structure(name: str) -> tuple[bytes, str]:
    from importlib import resources

    path = resources.files("genesis_platform.catalog").joinpath(f"data/structures/{name}")
    return path.read_bytes(), name


def _synthetic_equation_of_state(platform: Platform, who: Principal, model: ModelVersion) -> DatasetVersion:
    """Generate a synthetic dataset on the platform: CHGNet's energy of rock salt at nine lattice constants.

    Every point is a governed, recorded inference; the dataset is derived from the model version and from each
    inference activity, so its lineage leads back to the generator.
    """
    from pymatgen.core.structure import Structure

    data, _ = _sample_structure("NaCl_rocksalt.cif")
    base = Structure.from_str(data.decode("utf-8"), fmt="cif")
    lines = ["lattice_a_angstrom,volume_angstrom3_per_atom,energy_ev_per_atom,pressure_gpa"]
    activities = []
    for i in range(9):
        a = 5.24 + 0.1 * i
        strained = base.copy()
        strained.scale_lattice(a**3)
        result = platform.models.predict(
            who, model.model_id, strained.to(fmt="cif").encode("utf-8"), f"NaCl_a{a:.2f}.cif"
        )
        stress = result.outputs["stress"]
        pressure = -(stress[0][0] + stress[1][1] + stress[2][2]) / 3  # CHGNet's stress is positive in tension
        lines.append(
            f"{a:.2f},{strained.volume / len(strained):.4f},{result.outputs['energy_per_atom']:.6f},{pressure:.4f}"
        )
        activities.append(result.activity)
    with tempfile.TemporaryDirectory(prefix="genesis-synthetic-") as tmp:
        out = Path(tmp) / "nacl_equation_of_state.csv"
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        version = platform.datasets.register(
            who,
            out,
            name="Synthetic: rock-salt NaCl equation of state (CHGNet 0.3.0)",
            description=(
                "SYNTHETIC data generated on the platform: CHGNet 0.3.0 energy per atom and pressure of rock-salt "
                "NaCl at nine lattice constants from 5.24 to 6.04 Å; not a measurement."
            ),
            markings=Markings.from_banner("PUBLIC", training_use=UseStatus.YES),
            sources=(f"genesis:model-version/{model.id}", *activities),
        )
    # The card says it is synthetic, and what generated it (Genesis card: interoperability.provenance).
    card = platform.datasets.draft_card(who, version.dataset_id).model_dump(mode="json", exclude_none=True)
    description = card.setdefault("discoverability", {}).setdefault("dataset_description", {})
    description.update(
        science_domain="Materials",
        dataset_summary="Synthetic equation of state of rock-salt NaCl computed on the platform with CHGNet 0.3.0.",
        collection_methodology="Synthetic: no measurement. Generated by governed, audited CHGNet inferences.",
        keywords=["synthetic", "CHGNet", "equation of state", "NaCl", "machine-learning interatomic potential"],
    )
    card.setdefault("interoperability", {})["provenance"] = {
        "was_generated_by": f"CHGNet 0.3.0 ({model.id}) run on the Genesis platform, nine inferences",
        "processing_steps": "Scale the rock-salt cell to each lattice constant; predict energy and stress; "
        "pressure = -trace(stress)/3.",
        "simulation_details": "CHGNet 0.3.0 pretrained on MPtrj; no relaxation; 8-atom conventional cell.",
    }
    platform.datasets.attach_card(who, version.dataset_id, DataCard.model_validate(card))
    return version
