"""Use cases on datasets: register a file or folder as a new version, read, download, verify, withdraw.

Hashing and storing gigabytes happens outside any database transaction: registration first decides whether
the caller may register (recorded), then streams every file into the blob store, then records the version in
one unit of work, deciding again. Downloads verify every byte against its SHA-256 as they stream.
"""

from __future__ import annotations

import builtins
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from genesis_platform.catalog.datacard import (
    DataCard,
    Issue,
    check,
    completeness,
    draft_card,
    dump_card,
    markings_from_card,
)
from genesis_platform.catalog.formats.common import FORMATS, ExportSubject
from genesis_platform.catalog.formats.crate import read_crate, write_crate
from genesis_platform.catalog.formats.croissant import to_croissant
from genesis_platform.catalog.formats.datacite import to_datacite
from genesis_platform.catalog.formats.dcat import to_dcat
from genesis_platform.catalog.model import (
    DatasetFile,
    DatasetVersion,
    Structure,
    VersionState,
    bagit_manifest,
    version_id,
)
from genesis_platform.catalog.search import index_dataset
from genesis_platform.catalog.store import DatasetStore
from genesis_platform.catalog.structure import data_objects, read_structure
from genesis_platform.kernel.assets.markings import Markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.blobs import CHUNK, BlobStore
from genesis_platform.kernel.errors import Conflict, CorruptedData, InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.model import Relation
from genesis_platform.kernel.provenance.recorder import ProvenanceRecorder, asset_node_id
from genesis_platform.kernel.provenance.service import ProvenanceService
from genesis_platform.kernel.timestamps import to_text
from genesis_platform.kernel.unit_of_work import UnitOfWork
from genesis_platform.kernel.validation import build

__all__ = ["AttachedCard", "DatasetService", "FileCheck", "Progress", "VerifyReport", "source_files"]

Progress = Callable[[int, int], None]
"""Called as `progress(bytes_done, bytes_total)` while files stream."""


@dataclass(frozen=True)
class FileCheck:
    """The integrity of one stored file.

    Attributes:
        path: the file.
        sha256: the digest it must have.
        status: `ok`, `corrupted` or `missing`.
    """

    path: str
    sha256: str
    status: str


@dataclass
class VerifyReport:
    """The integrity of a dataset's available versions.

    Attributes:
        dataset_id: the dataset.
        checked: every file checked, by version id.
    """

    dataset_id: str
    checked: dict[str, list[FileCheck]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every file is intact."""
        return all(c.status == "ok" for checks in self.checked.values() for c in checks)

    @property
    def bad(self) -> list[tuple[str, FileCheck]]:
        """(version id, file) for every file that is not intact."""
        return [(v, c) for v, checks in self.checked.items() for c in checks if c.status != "ok"]


@dataclass(frozen=True)
class AttachedCard:
    """A dataset's data card as the catalogue holds it.

    Attributes:
        dataset_id: the dataset.
        card: the card.
        body: the Markdown body that followed the front matter.
        completeness: completeness per capability (`Completeness.as_dict()`).
        issues: warnings and incomplete fields (errors are refused before attaching).
    """

    dataset_id: str
    card: DataCard
    body: str
    completeness: dict[str, Any]
    issues: list[Issue]


def source_files(source: Path) -> list[tuple[str, Path]]:
    """Every regular file to store, with its `/`-separated path relative to the source; symlinks refused."""
    if source.is_symlink():
        raise InvalidInput(f"{source} is a symbolic link; register the file or folder it points to")
    if source.is_file():
        return [(source.name, source)]
    if not source.is_dir():
        raise InvalidInput(f"{source} does not exist or is not a file or folder")
    found: list[tuple[str, Path]] = []
    for path in sorted(source.rglob("*")):
        if path.is_symlink():
            raise InvalidInput(f"{path} is a symbolic link; copy what it points to into the folder instead")
        if path.is_file():
            found.append((path.relative_to(source).as_posix(), path))
    if not found:
        raise InvalidInput(f"{source} holds no files")
    return found


class DatasetService:
    """Datasets and their versions.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: the kernel's governed assets.
        provenance: records lineage.
        blobs: where file bytes live.
        lineage: exports lineage as W3C PROV.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        assets: AssetService,
        provenance: ProvenanceRecorder,
        blobs: BlobStore,
        lineage: ProvenanceService,
    ) -> None:
        self._uow = uow
        self._lineage = lineage
        self._guard = guard
        self._assets = assets
        self._prov = provenance
        self._blobs = blobs

    # ── registering ──

    def register(
        self,
        principal: Principal,
        source: Path,
        *,
        name: str,
        description: str = "",
        project: str | None = None,
        markings: Markings | None = None,
        progress: Progress | None = None,
        sources: tuple[str, ...] = (),
    ) -> DatasetVersion:
        """Register a file or folder as version 1 of a new dataset owned by the caller.

        `sources` are provenance ids the data was derived from (for synthetic data: the model version and the
        inference activities that generated it), recorded as `wasDerivedFrom`.
        """
        files = source_files(source)
        asset_id = f"dat-{uuid.uuid4().hex[:12]}"
        with self._uow() as uow:
            self._assets.preflight(
                uow,
                principal,
                kind="dataset",
                name=name,
                asset_id=asset_id,
                description=description,
                project=project,
                markings=markings,
            )
        stored, structures, manifest = self._store(source, files, progress)
        with self._uow() as uow:
            asset = self._assets.register_in(
                uow,
                principal,
                kind="dataset",
                name=name,
                description=description,
                project=project,
                markings=markings,
                asset_id=asset_id,
            )
            return self._record(uow, principal, asset, 1, None, stored, structures, manifest, sources)

    def add_version(
        self,
        principal: Principal,
        dataset_id: str,
        source: Path,
        *,
        progress: Progress | None = None,
        sources: tuple[str, ...] = (),
        check: Callable[[GovernedAsset], None] | None = None,
    ) -> DatasetVersion:
        """Register a file or folder as the next version of an existing dataset (owner, stewards, officers).

        `sources` are provenance ids the new version was derived from, besides the previous version. `check`
        sees the dataset before the bytes are stored and again in the transaction that adds the version, and
        raises to refuse (e.g. when its markings no longer suit what is added).
        """
        files = source_files(source)
        with self._uow() as uow:
            asset = self._assets.require(
                uow, principal, Action.ADMINISTER, dataset_id, {"preflight": "dataset.version"}
            )
            if check is not None:
                check(asset)
        stored, structures, manifest = self._store(source, files, progress)
        with self._uow() as uow:
            asset = self._assets.require(uow, principal, Action.ADMINISTER, dataset_id, {"change": "dataset.version"})
            if check is not None:
                check(asset)
            store = DatasetStore(uow.connection)
            number = store.latest_number(dataset_id) + 1
            previous = version_id(dataset_id, number - 1) if number > 1 else None
            return self._record(uow, principal, asset, number, previous, stored, structures, manifest, sources)

    def _store(
        self, source: Path, files: list[tuple[str, Path]], progress: Progress | None
    ) -> tuple[list[DatasetFile], list[Structure], str]:
        total = sum(p.stat().st_size for _, p in files)
        done = 0

        def chunks(path: Path) -> Iterator[bytes]:
            nonlocal done
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK * 8):
                    done += len(chunk)
                    if progress:
                        progress(done, total)
                    yield chunk

        stored = []
        for rel, path in files:
            ref = self._blobs.put(chunks(path))
            stored.append(DatasetFile(path=rel, sha256=ref.digest, size=ref.size))
        if progress:
            progress(total, total)
        structures = [read_structure(rel, path) for rel, path in data_objects(source)]
        manifest = self._blobs.put([bagit_manifest(stored).encode("utf-8")]).digest
        return stored, structures, manifest

    def _record(
        self,
        uow: UnitOfWork,
        principal: Principal,
        asset: GovernedAsset,
        number: int,
        previous: str | None,
        files: list[DatasetFile],
        structures: list[Structure],
        manifest: str,
        sources: tuple[str, ...] = (),
    ) -> DatasetVersion:
        version = build(
            DatasetVersion,
            id=version_id(asset.id, number),
            dataset_id=asset.id,
            number=number,
            previous_id=previous,
            files=tuple(files),
            structures=tuple(structures),
            manifest_sha256=manifest,
            total_size=sum(f.size for f in files),
            created_by=principal.user.id,
            created_at=self._guard.clock.now(),
        )
        store = DatasetStore(uow.connection)
        store.add(version)
        attached = store.card(asset.id)
        index_dataset(uow.connection, asset, version, attached[0] if attached else None)
        node = self._prov.entity(
            uow,
            f"genesis:dataset-version/{version.id}",
            f"{asset.name} v{number}",
            "genesis:DatasetVersion",
            {"asset_id": asset.id, "version": number, "manifest_sha256": manifest, "bytes": version.total_size},
        )
        self._prov.relate(uow, Relation.WAS_DERIVED_FROM, node, asset_node_id(asset.id))
        if previous:
            self._prov.relate(uow, Relation.WAS_DERIVED_FROM, node, f"genesis:dataset-version/{previous}")
        for source in sources:
            self._prov.relate(uow, Relation.WAS_DERIVED_FROM, node, source)
        self._prov.attribute(uow, node, self._prov.person(uow, principal))
        self._guard.changed(
            uow,
            principal,
            "dataset.version",
            asset,
            {"version": version.id, "files": len(files), "bytes": version.total_size, "manifest_sha256": manifest},
        )
        return version

    # ── data cards ──

    def draft_card(self, principal: Principal, dataset_id: str) -> DataCard:
        """A first draft of the dataset's card from its latest version (action read_metadata)."""
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.READ_METADATA, dataset_id)
            version = self._version(uow, dataset_id, None)
            identity = IdentityStore(uow.connection)
            owner = identity.user(asset.owner_id)
            org = identity.organisation(asset.organisation_id)
            assert owner is not None and org is not None  # foreign keys
        return draft_card(asset, version, owner, org)

    def attach_card(self, principal: Principal, dataset_id: str, card: DataCard, body: str = "") -> AttachedCard:
        """Attach a data card; its markings become the dataset's (action administer, and mark when they change).

        Raises:
            InvalidInput: the card breaks a rule (every error is listed) or names a control the platform cannot
                enforce.
        """
        issues = check(card)
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise InvalidInput("the card has errors: " + "; ".join(str(e) for e in errors[:20]))
        markings = markings_from_card(card)
        score = completeness(card).as_dict()
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.ADMINISTER, dataset_id, {"change": "dataset.card"})
            if markings != asset.markings:
                asset = self._assets.mark_in(
                    uow, principal, dataset_id, markings, "markings from the attached data card"
                )
            store = DatasetStore(uow.connection)
            store.add_card(dataset_id, card, body, score, principal.user.id, to_text(self._guard.clock.now()))
            versions = store.versions(dataset_id)
            index_dataset(uow.connection, asset, versions[-1] if versions else None, card)
            self._guard.changed(
                uow,
                principal,
                "dataset.card",
                asset,
                {"completeness": score["score"], "release_status": _release(card), "markings": markings.banner},
            )
        return AttachedCard(dataset_id, card, body, score, [i for i in issues if i.severity != "error"])

    def card(self, principal: Principal, dataset_id: str) -> AttachedCard:
        """The dataset's newest card (action read_metadata)."""
        with self._uow() as uow:
            self._require_dataset(uow, principal, Action.READ_METADATA, dataset_id)
            found = DatasetStore(uow.connection).card(dataset_id)
        if found is None:
            raise NotFound(
                f"{dataset_id} has no data card yet; draft one with `genesis dataset card draft {dataset_id}`"
            )
        card, body, score, _ = found
        return AttachedCard(dataset_id, card, body, score, [i for i in check(card) if i.severity != "error"])

    # ── interchange formats ──

    def _subject(self, uow: UnitOfWork, asset: GovernedAsset, number: int | None) -> tuple[ExportSubject, str]:
        version = self._version(uow, asset.id, number)
        attached = DatasetStore(uow.connection).card(asset.id)
        if attached is not None:
            return ExportSubject(asset, version, attached[0]), attached[1]
        identity = IdentityStore(uow.connection)
        owner, org = identity.user(asset.owner_id), identity.organisation(asset.organisation_id)
        assert owner is not None and org is not None  # foreign keys
        return ExportSubject(asset, version, draft_card(asset, version, owner, org)), ""

    def export(self, principal: Principal, dataset_id: str, fmt: str, *, number: int | None = None) -> str:
        """A version's metadata as text: `genesis`, `datacite`, `dcat`, `croissant` or `prov` (read_metadata).

        Uses the attached card, or a draft when none is attached.
        """
        if fmt not in {"genesis", "datacite", "dcat", "croissant", "prov"}:
            raise InvalidInput(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)} (ro-crate writes a zip)")
        if fmt == "prov":
            return self._lineage.export(principal, dataset_id)
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.READ_METADATA, dataset_id, {"export": fmt})
            subject, body = self._subject(uow, asset, number)
            self._guard.changed(uow, principal, "dataset.export", asset, {"format": fmt, "version": subject.version.id})
        if fmt == "genesis":
            return dump_card(subject.card, body)
        writer = {"datacite": to_datacite, "dcat": to_dcat, "croissant": to_croissant}[fmt]
        return json.dumps(writer(subject), indent=2, ensure_ascii=False)

    def export_crate(
        self, principal: Principal, dataset_id: str, out: Path, *, number: int | None = None
    ) -> DatasetVersion:
        """Write a version with its data as an RO-Crate zip that is also a BagIt bag (action download)."""
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.DOWNLOAD, dataset_id, {"export": "ro-crate"})
            subject, body = self._subject(uow, asset, number)
            if subject.version.state is VersionState.WITHDRAWN:
                raise Conflict(f"{subject.version.id} was withdrawn: {subject.version.withdrawn_reason}")
            self._guard.changed(
                uow, principal, "dataset.export", asset, {"format": "ro-crate", "version": subject.version.id}
            )
        write_crate(subject, self._blobs, out, body)
        return subject.version

    def import_crate(
        self,
        principal: Principal,
        crate: Path,
        *,
        project: str | None = None,
        markings: Markings | None = None,
        progress: Progress | None = None,
    ) -> DatasetVersion:
        """Register an RO-Crate zip as a new dataset after verifying its BagIt manifest; attach its card if any.

        The card's markings govern the new dataset; without a card, `markings` (or unclassified) do.
        """
        with tempfile.TemporaryDirectory(prefix="genesis-import-") as tmp:
            found = read_crate(crate, Path(tmp))
            if found.card is not None:
                markings = markings_from_card(found.card[0])
            version = self.register(
                principal,
                found.payload,
                name=found.name,
                description=found.description,
                project=project,
                markings=markings,
                progress=progress,
            )
            if found.card is not None:
                self.attach_card(principal, version.dataset_id, *found.card)
        return version

    # ── reading ──

    def get(self, principal: Principal, dataset_id: str) -> tuple[GovernedAsset, list[DatasetVersion]]:
        """A dataset's description and every version (action read_metadata)."""
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.READ_METADATA, dataset_id)
            return asset, DatasetStore(uow.connection).versions(dataset_id)

    def list(self, principal: Principal) -> builtins.list[tuple[GovernedAsset, DatasetVersion | None]]:
        """The datasets the caller may discover, each with its latest version."""
        with self._uow() as uow:
            found = self._assets.visible(uow, principal, kind="dataset")
            store = DatasetStore(uow.connection)
            latest: builtins.list[tuple[GovernedAsset, DatasetVersion | None]] = []
            for a in found:
                versions = store.versions(a.id)
                latest.append((a, versions[-1] if versions else None))
            return latest

    def _require_dataset(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: Action,
        dataset_id: str,
        details: dict[str, Any] | None = None,
    ) -> GovernedAsset:
        asset = self._assets.require(uow, principal, action, dataset_id, details)
        if asset.kind != "dataset":
            raise NotFound(f"{dataset_id} is a {asset.kind}, not a dataset")
        return asset

    def _version(self, uow: UnitOfWork, dataset_id: str, number: int | None) -> DatasetVersion:
        store = DatasetStore(uow.connection)
        wanted = number or store.latest_number(dataset_id)
        version = store.get(version_id(dataset_id, wanted)) if wanted else None
        if version is None:
            raise NotFound(f"dataset {dataset_id} has no version {number}; `genesis dataset versions {dataset_id}`")
        return version

    # ── downloading ──

    def download(
        self,
        principal: Principal,
        dataset_id: str,
        target: Path,
        *,
        number: int | None = None,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> DatasetVersion:
        """Write a version's files under `target`, verifying each against its SHA-256 (action download).

        Each file is written to a temporary name and renamed only once its hash matched, so a corrupted or
        interrupted download leaves no file that looks whole.
        """
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.DOWNLOAD, dataset_id)
            version = self._version(uow, dataset_id, number)
            if version.state is VersionState.WITHDRAWN:
                raise Conflict(
                    f"{version.id} was withdrawn on {version.withdrawn_at:%Y-%m-%d}: {version.withdrawn_reason}"
                )
            self._guard.changed(uow, principal, "dataset.download", asset, {"version": version.id})
        clashes = [f.path for f in version.files if (target / f.path).exists()]
        if clashes and not overwrite:
            raise Conflict(f"{target / clashes[0]} already exists; choose an empty folder or pass --overwrite")
        total, done = version.total_size, 0
        for entry in version.files:
            dest = target / PurePosixPath(entry.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            partial = dest.with_name(dest.name + ".partial")
            try:
                with partial.open("wb") as out:
                    for chunk in self._blobs.read(entry.sha256):
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
                os.replace(partial, dest)
            except (CorruptedData, NotFound) as e:
                partial.unlink(missing_ok=True)
                raise CorruptedData(
                    f"{version.id}/{entry.path} failed its integrity check ({e.message}); nothing was written for it; "
                    "ask a data steward to run `genesis dataset verify`"
                ) from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        return version

    def open_file(
        self, principal: Principal, dataset_id: str, number: int | None, path: str
    ) -> tuple[DatasetFile, Iterator[bytes]]:
        """One file's bytes, verified as they stream (action download)."""
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.DOWNLOAD, dataset_id)
            version = self._version(uow, dataset_id, number)
            if version.state is VersionState.WITHDRAWN:
                raise Conflict(f"{version.id} was withdrawn: {version.withdrawn_reason}")
            entry = next((f for f in version.files if f.path == path), None)
            if entry is None:
                raise NotFound(f"{version.id} has no file {path!r}")
            self._guard.changed(uow, principal, "dataset.download", asset, {"version": version.id, "file": path})
        return entry, self._blobs.read(entry.sha256)

    # ── integrity and withdrawal ──

    def verify(self, principal: Principal, dataset_id: str, number: int | None = None) -> VerifyReport:
        """Re-hash every stored file of the available versions (or one version) and report what is wrong."""
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.READ_METADATA, dataset_id)
            store = DatasetStore(uow.connection)
            versions = [self._version(uow, dataset_id, number)] if number else store.versions(dataset_id)
        report = VerifyReport(dataset_id)
        for version in versions:
            if version.state is VersionState.WITHDRAWN:
                continue
            checks = []
            for entry in version.files:
                if not self._blobs.exists(entry.sha256):
                    status = "missing"
                else:
                    try:
                        for _ in self._blobs.read(entry.sha256):
                            pass
                        status = "ok"
                    except CorruptedData:
                        status = "corrupted"
                checks.append(FileCheck(entry.path, entry.sha256, status))
            report.checked[version.id] = checks
        with self._uow() as uow:
            self._guard.changed(
                uow,
                principal,
                "dataset.verify",
                asset,
                {"ok": report.ok, "bad": [f"{v}/{c.path}: {c.status}" for v, c in report.bad][:50]},
            )
        return report

    def withdraw(self, principal: Principal, dataset_id: str, number: int, reason: str) -> DatasetVersion:
        """Withdraw a version: its bytes are deleted; the record, hashes and audit trail remain (action administer)."""
        if not reason.strip():
            raise InvalidInput("say why the version is withdrawn (--reason); it is kept with the tombstone")
        with self._uow() as uow:
            asset = self._require_dataset(uow, principal, Action.ADMINISTER, dataset_id)
            store = DatasetStore(uow.connection)
            version = self._version(uow, dataset_id, number)
            if version.state is VersionState.WITHDRAWN:
                raise Conflict(f"{version.id} is already withdrawn")
            now = to_text(self._guard.clock.now())
            store.withdraw(version.id, principal.user.id, now, reason.strip())
            orphans = [f.sha256 for f in version.files if not store.digest_in_use(f.sha256, version.id)]
            self._guard.changed(
                uow, principal, "dataset.withdraw", asset, {"version": version.id, "reason": reason.strip()}
            )
        # Bytes go only after the tombstone is committed: a crash in between leaves orphans, never a dangling record.
        for digest in orphans:
            self._blobs.delete(digest)
        with self._uow() as uow:
            withdrawn = DatasetStore(uow.connection).get(version.id)
        assert withdrawn is not None
        return withdrawn


def _release(card: DataCard) -> str | None:
    d = card.discoverability
    return d.release_status.value if d and d.release_status else None
