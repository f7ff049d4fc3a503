"""Multipart uploads written to a folder under their own relative paths (dataset files, model weights)."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from fastapi import UploadFile

from genesis_platform.kernel import InvalidInput

__all__ = ["spool"]


def spool(files: list[UploadFile], folder: Path) -> None:
    """Write uploads under `folder`, each at the relative path its filename gives."""
    for upload in files:
        name = (upload.filename or "").replace("\\", "/")
        rel = PurePosixPath(name)
        if (
            not name
            or rel.is_absolute()
            or ".." in rel.parts
            or any(p.startswith(".") and p != "." for p in rel.parts[:1])
        ):
            raise InvalidInput(f"file name {name!r} must be a relative path inside the upload")
        dest = folder / Path(*rel.parts)
        if dest.exists():
            raise InvalidInput(f"file {name!r} was sent twice")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 8 << 20)
