"""Composition root: reads settings, opens the stores and engines, and wires every service.

`Platform.initialise` creates a platform home (`genesis init`); `Platform.open` opens an existing one. Front
doors hold a `Platform` and call its services; nothing else constructs services.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from genesis_platform import __version__
from genesis_platform.catalog import ChgnetRuntime, DatasetService, ModelService, SearchService, ensure_index
from genesis_platform.catalog.semantic import default_embedder
from genesis_platform.discovery import CampaignService, DatasetRows, InstrumentService
from genesis_platform.kernel.access.service import AccessService
from genesis_platform.kernel.assets.markings import Markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.audit.log import AuditLog
from genesis_platform.kernel.audit.service import AuditService
from genesis_platform.kernel.audit.signing import Keyring, Signer, create_signing_key
from genesis_platform.kernel.blobs import BlobStore, FsspecBlobStore
from genesis_platform.kernel.clock import Clock, SystemClock
from genesis_platform.kernel.compute import ComputeService, Executor, LocalPoolExecutor, RayExecutor
from genesis_platform.kernel.db import make_engine, migrate, refresh_statistics, users
from genesis_platform.kernel.errors import Conflict, InvalidInput, NotFound, NotInitialised
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import (
    Clearance,
    Organisation,
    OrganisationKind,
    Principal,
    Role,
    Training,
    User,
    VettingStatus,
)
from genesis_platform.kernel.identity.service import IdentityService, IssuedToken
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.identity.tokens import TokenHasher
from genesis_platform.kernel.policy.engine import PolicyEngine
from genesis_platform.kernel.policy.model import PLATFORM
from genesis_platform.kernel.policy.service import PolicyService
from genesis_platform.kernel.provenance.recorder import ProvenanceRecorder
from genesis_platform.kernel.provenance.service import ProvenanceService
from genesis_platform.kernel.settings import Settings
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWorkFactory

__all__ = ["Platform"]

log = logging.getLogger(__name__)

OPERATIONS_ORGANISATION = "Genesis Platform Operations"


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _executor(settings: Settings) -> Executor:
    if settings.compute.backend == "ray":
        return RayExecutor(settings.compute.ray_address, settings.compute.workers)
    return LocalPoolExecutor(settings.compute.workers)


class Platform:
    """One running platform: its database, keys, policy engine, stores and services.

    Args:
        settings: the settings it was opened with.
        engine: the database.
        signer: signs audit heads and checkpoints.
        keyring: verifies them.
        blobs: the blob store.
        clock: the time.
        executor: where compute jobs run.
        policy: the policy decision point.
        hasher: hashes token secrets.
        keys: the key folder (rotation), if any.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine,
        signer: Signer,
        keyring: Keyring,
        blobs: BlobStore,
        clock: Clock,
        executor: Executor,
        policy: PolicyEngine,
        hasher: TokenHasher,
        keys: Path | None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.blobs = blobs
        self.audit_log = AuditLog(signer, keyring, clock, settings.audit.checkpoint_every)
        self.uow = UnitOfWorkFactory(engine, self.audit_log)
        self.guard = Guard(policy, clock)
        self.recorder = ProvenanceRecorder(clock)
        self.identity = IdentityService(
            self.uow,
            self.guard,
            hasher,
            default_ttl=timedelta(days=settings.tokens.default_ttl_days),
            max_ttl=timedelta(days=settings.tokens.max_ttl_days),
        )
        self.assets = AssetService(self.uow, self.guard, self.recorder)
        self.access = AccessService(self.uow, self.guard, self.assets)
        self.provenance = ProvenanceService(self.uow, self.guard, self.assets)
        self.audit = AuditService(self.uow, self.guard, self.audit_log, keys)
        self.policy = PolicyService(self.uow, self.guard)
        self.compute = ComputeService(self.uow, self.guard, self.assets, self.recorder, executor)
        self.search = SearchService(self.uow, self.guard, default_embedder() if settings.search.semantic else None)
        self.datasets = DatasetService(self.uow, self.guard, self.assets, self.recorder, blobs, self.provenance)
        self.models = ModelService(
            self.uow, self.guard, self.assets, self.recorder, blobs, {ChgnetRuntime.framework: ChgnetRuntime()}
        )
        rows = DatasetRows(self._dataset_bytes, self._dataset_latest)
        self.instruments = InstrumentService(self.uow, self.guard, self.assets, self.recorder, rows, self._predict)
        self.campaigns = CampaignService(
            self.uow, self.guard, self.assets, self.compute, self.instruments, self._register_dataset
        )

    def _register_dataset(
        self,
        principal: Principal,
        path: Path,
        name: str,
        description: str,
        project: str | None,
        markings: Markings,
        sources: tuple[str, ...],
        into: str | None,
        check: Callable[[GovernedAsset], None] | None,
    ) -> tuple[str, int]:
        if into is not None:
            with path.open(encoding="utf-8") as handle:
                header = next(csv.reader(handle), [])
            _, versions = self.datasets.get(principal, into)
            held = [[c.name for c in s.columns] for v in versions[-1:] for s in v.structures if s.columns]

            def fits(asset: GovernedAsset) -> None:  # after `administer` is decided: the caller's check, the shape
                if check is not None:
                    check(asset)
                if held and header not in held:
                    raise InvalidInput(
                        f"dataset {asset.id}'s latest version holds columns {', '.join(held[0])}, not "
                        f"{', '.join(header)}; add these to a dataset of the same shape, or register a new one"
                    )

            version = self.datasets.add_version(principal, into, path, sources=sources, check=fits)
        else:
            version = self.datasets.register(
                principal, path, name=name, description=description, project=project, markings=markings, sources=sources
            )
        return version.dataset_id, version.number

    def _predict(self, principal: Principal, model: str, data: bytes, filename: str) -> dict[str, Any]:
        return dict(self.models.predict(principal, model, data, filename).outputs)

    def _dataset_bytes(self, principal: Principal, dataset_id: str, number: int | None, path: str) -> bytes:
        _, chunks = self.datasets.open_file(principal, dataset_id, number, path)
        return b"".join(chunks)

    def _dataset_latest(self, principal: Principal, dataset_id: str) -> int:
        _, versions = self.datasets.get(principal, dataset_id)
        if not versions:
            raise NotFound(f"dataset {dataset_id} has no version yet")
        return versions[-1].number

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        executor: Executor | None = None,
        hasher: TokenHasher | None = None,
    ) -> Platform:
        """Open the platform whose home `settings.home` names, migrating its database to head.

        Raises:
            NotInitialised: `genesis init` has not run there.
        """
        settings = settings or Settings()
        layout = settings.layout
        if not layout.is_initialised():
            raise NotInitialised(f"no platform at {layout.root}; create one with `genesis init --home {layout.root}`")
        engine = make_engine(settings.database_url(), echo=settings.database.echo)
        migrate(engine)
        signer = Signer.load(layout.keys)
        platform = cls(
            settings,
            engine=engine,
            signer=signer,
            keyring=Keyring.load(layout.keys),
            blobs=FsspecBlobStore(settings.resolved_blobs_url()),
            clock=clock or SystemClock(),
            executor=executor or _executor(settings),
            policy=PolicyEngine.default(),
            hasher=hasher or TokenHasher(),
            keys=layout.keys,
        )
        with engine.begin() as conn:
            platform.audit_log.ensure_head(conn)
        with platform.uow() as uow:
            rebuilt = ensure_index(uow.connection, platform.clock.now())
            if rebuilt:  # a fresh platform's empty index is not worth a record
                platform.guard.changed(uow, None, "search.reindex", PLATFORM, {"documents": rebuilt})
        return platform

    @classmethod
    def initialise(
        cls,
        settings: Settings | None = None,
        *,
        database_url: str | None = None,
        blobs_url: str | None = None,
        admin_username: str = "admin",
        admin_email: str = "admin@genesis.local",
        clock: Clock | None = None,
        executor: Executor | None = None,
        hasher: TokenHasher | None = None,
    ) -> tuple[Platform, IssuedToken]:
        """Create a platform home: signing key, database, the operations organisation and its administrator.

        The administrator (platform admin and security officer, vetted) gets a token saved in the home's
        `credentials` file with mode 0600; the CLI uses it when no other token is given.

        Raises:
            Conflict: the home, or the database it points at, already holds a platform.
        """
        settings = settings or Settings()
        layout = settings.layout
        if layout.is_initialised():
            raise Conflict(f"{layout.root} already holds a platform; use it, or choose another --home")
        layout.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(layout.root, 0o700)
        if not (layout.keys / "audit-ed25519.pem").exists():
            create_signing_key(layout.keys)
        config = {"database_url": database_url, "blobs_url": blobs_url, "created_by_version": __version__}
        _write_private(layout.config, json.dumps({k: v for k, v in config.items() if v}, indent=2) + "\n")
        platform = cls.open(settings, clock=clock, executor=executor, hasher=hasher)
        try:
            token = platform._bootstrap(admin_username, admin_email)
        except BaseException:
            platform.close()
            layout.config.unlink(missing_ok=True)
            raise
        _write_private(layout.credentials, token.secret + "\n")
        return platform, token

    def _bootstrap(self, admin_username: str, admin_email: str) -> IssuedToken:
        with self.uow() as uow:
            if uow.connection.execute(select(func.count()).select_from(users)).scalar_one():
                raise Conflict("the database already holds a platform; point this home at an empty database")
            now = self.clock.now()
            store = IdentityStore(uow.connection)
            org = Organisation(
                id="org-operations",
                name=OPERATIONS_ORGANISATION,
                kind=OrganisationKind.FEDERAL_AGENCY,
                country="USA",
                created_at=now,
            )
            store.add_organisation(org)
            admin = User(
                id="user-admin",
                username=admin_username,
                display_name="Platform administrator",
                email=admin_email,
                organisation_id=org.id,
                vetting=VettingStatus.VETTED,
                us_person=True,
                citizenships=frozenset({"USA"}),
                clearance=Clearance.NONE,
                trainings=frozenset(Training),
                roles=frozenset({Role.PLATFORM_ADMIN, Role.SECURITY_OFFICER}),
                created_at=now,
            )
            store.add_user(admin, to_text(now))
            self.guard.changed(uow, None, "platform.init", PLATFORM, {"version": __version__, "admin": admin.username})
            self.guard.changed(uow, None, "organisation.add", PLATFORM, org.model_dump(mode="json"))
            self.guard.changed(uow, None, "user.add", admin, {"username": admin.username, "roles": sorted(admin.roles)})
            return self.identity.bootstrap_token(uow, admin, "administrator (genesis init)", timedelta(days=365))

    def saved_token(self) -> str | None:
        """The administrator token `genesis init` saved in the home, if any."""
        path = self.settings.layout.credentials
        return path.read_text(encoding="utf-8").strip() if path.is_file() else None

    def authenticate(self, token: str | None, channel: str) -> Principal:
        """The principal a bearer token belongs to (see `IdentityService.authenticate`)."""
        return self.identity.authenticate(token, channel)

    def close(self) -> None:
        """Stop the executor, refresh SQLite's planner statistics where stale, release database connections."""
        self.compute.executor.shutdown(wait=True)
        try:
            refresh_statistics(self.engine)
        except SQLAlchemyError:  # statistics are an optimisation; closing must not fail for want of them
            log.warning("could not refresh planner statistics", exc_info=True)
        self.engine.dispose()

    def __enter__(self) -> Platform:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
