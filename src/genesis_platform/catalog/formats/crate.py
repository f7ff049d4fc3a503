"""RO-Crate 1.x zip that is also a BagIt bag: `data/` holds the files, `manifest-sha256.txt` their digests.

Layout of the zip:

    ro-crate-metadata.json      RO-Crate 1.x metadata (made with the `rocrate` package)
    bagit.txt                   BagIt declaration (RFC 8493)
    manifest-sha256.txt         <sha256>  data/<path>, one line per file
    genesis-datacard.md         the Genesis data card
    datacite.json               DataCite 4.5 metadata
    data/<path>                 the files, verified against their SHA-256 as they are copied out of the store

`read_crate` checks every payload file against the manifest before anything is registered from it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from genesis_platform.catalog.datacard.io import dump_card, load_card
from genesis_platform.catalog.datacard.model import DataCard
from genesis_platform.catalog.formats.common import ExportSubject, agent_name, media_type
from genesis_platform.catalog.formats.datacite import to_datacite
from genesis_platform.catalog.model import bagit_manifest
from genesis_platform.kernel.blobs import BlobStore
from genesis_platform.kernel.errors import CorruptedData, InvalidInput

__all__ = ["ReadCrate", "read_crate", "write_crate"]

BAGIT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def write_crate(subject: ExportSubject, blobs: BlobStore, out: Path, body: str = "") -> None:
    """Write the version as an RO-Crate zip at `out` (atomically: a temporary name, then a rename)."""
    from rocrate.model.person import Person
    from rocrate.rocrate import ROCrate

    version, card = subject.version, subject.card
    with tempfile.TemporaryDirectory(prefix="genesis-crate-") as tmp:
        staging = Path(tmp)
        for f in version.files:
            target = staging / "data" / PurePosixPath(f.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                for chunk in blobs.read(f.sha256):
                    handle.write(chunk)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            crate = ROCrate()
            crate.name = subject.name
            crate.description = subject.summary
            crate.root_dataset["identifier"] = version.id
            crate.root_dataset["datePublished"] = version.created_at.date().isoformat()
            if subject.keywords:
                crate.root_dataset["keywords"] = subject.keywords
            lic = card.reusability.license if card.reusability else None
            if lic and (lic.url or lic.spdx_id):
                crate.license = (
                    lic.url if lic.url and lic.url.startswith("http") else f"https://spdx.org/licenses/{lic.spdx_id}"
                )
            d = card.discoverability
            authors = [agent_name(a) for a in (d.authors if d else None) or []]
            if authors:
                crate.root_dataset["author"] = [
                    crate.add(Person(crate, f"#author-{i}", properties={"name": name}))
                    for i, name in enumerate(authors, 1)
                ]
            for f in version.files:
                crate.add_file(
                    staging / "data" / PurePosixPath(f.path),
                    dest_path=f"data/{f.path}",
                    properties={
                        "name": f.path,
                        "encodingFormat": media_type(f.path),
                        "contentSize": str(f.size),
                        "sha256": f.sha256,
                    },
                )
            partial = out.with_name(out.name + ".partial")
            crate.write_zip(str(partial))
        with zipfile.ZipFile(partial, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bagit.txt", BAGIT)
            archive.writestr("manifest-sha256.txt", bagit_manifest(version.files))
            archive.writestr("genesis-datacard.md", dump_card(card, body))
            archive.writestr("datacite.json", json.dumps(to_datacite(subject), indent=2))
        partial.replace(out)


@dataclass(frozen=True)
class ReadCrate:
    """A crate unpacked and verified.

    Attributes:
        root: the folder it was unpacked into (delete it when done).
        payload: the `data/` folder, every file verified against the manifest.
        card: the Genesis card it carried, if any, and its body.
        name: the crate's name.
        description: its description.
    """

    root: Path
    payload: Path
    card: tuple[DataCard, str] | None
    name: str
    description: str


def read_crate(path: Path, into: Path) -> ReadCrate:
    """Unpack an RO-Crate zip into `into` and verify its payload against its BagIt manifest.

    Raises:
        InvalidInput: not a zip, no RO-Crate metadata, no manifest, unsafe paths, or files not in the manifest.
        CorruptedData: a payload file does not match its digest.
    """
    from rocrate.rocrate import ROCrate

    if not zipfile.is_zipfile(path):
        raise InvalidInput(f"{path} is not a zip file")
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            parts = PurePosixPath(member).parts
            if PurePosixPath(member).is_absolute() or ".." in parts:
                raise InvalidInput(f"{path} holds an unsafe path {member!r}")
        names = set(archive.namelist())
        for required in ("ro-crate-metadata.json", "manifest-sha256.txt"):
            if required not in names:
                raise InvalidInput(
                    f"{path} has no {required}; export crates with `genesis dataset export --format ro-crate`"
                )
        archive.extractall(into)
    manifest: dict[str, str] = {}
    for line in (into / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines():
        digest, _, rel = line.partition("  ")
        if not rel.startswith("data/"):
            raise InvalidInput(f"manifest line {line!r} is not '<sha256>  data/<path>'")
        manifest[rel] = digest
    payload = into / "data"
    present = {p.relative_to(into).as_posix() for p in payload.rglob("*") if p.is_file()} if payload.exists() else set()
    if present != set(manifest):
        extra, missing = sorted(present - set(manifest)), sorted(set(manifest) - present)
        raise InvalidInput(f"payload and manifest differ: not in manifest {extra[:3]}, missing {missing[:3]}")
    for rel, digest in manifest.items():
        hasher = hashlib.sha256()
        with (into / rel).open("rb") as handle:
            while chunk := handle.read(1 << 20):
                hasher.update(chunk)
        if hasher.hexdigest() != digest:
            raise CorruptedData(f"{rel} in {path.name} does not match its manifest digest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        crate = ROCrate(str(into))
    card_file = into / "genesis-datacard.md"
    card = load_card(card_file.read_text(encoding="utf-8")) if card_file.exists() else None
    return ReadCrate(into, payload, card, str(crate.name or path.stem), str(crate.description or ""))
