"""Use cases on foundation models: register weights with a model card, browse, and run inference.

Registration decides `register` on the model as it will be marked and `train` on every platform dataset its
card says it learned from, loads the weights once to prove they are what the card says (so junk is refused
before anything is stored), stores them content-addressed, and records the version with provenance to its
training data. Inference decides `infer` on the model, reads the weights verified against their SHA-256,
runs the model outside any database transaction, and records the input hash, the output hash and the
activity that joined them (W3C PROV: used, wasGeneratedBy, wasAssociatedWith).
"""

from __future__ import annotations

import builtins
import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from genesis_platform.catalog.foundation.chgnet import bundled_chgnet
from genesis_platform.catalog.foundation.model import ModelCard, ModelVersion, Prediction, model_version_id
from genesis_platform.catalog.foundation.runtime import ModelRuntime
from genesis_platform.catalog.foundation.store import ModelStore
from genesis_platform.catalog.model import DatasetFile, VersionState
from genesis_platform.catalog.service import source_files
from genesis_platform.catalog.store import DatasetStore
from genesis_platform.kernel.assets.markings import Markings, UseStatus
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.assets.service import AssetService
from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.blobs import BlobStore
from genesis_platform.kernel.canonical import canonical_json
from genesis_platform.kernel.errors import Conflict, CorruptedData, InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Agreement, Principal
from genesis_platform.kernel.policy.model import Action
from genesis_platform.kernel.provenance.model import Relation
from genesis_platform.kernel.provenance.recorder import ProvenanceRecorder, asset_node_id
from genesis_platform.kernel.unit_of_work import UnitOfWork
from genesis_platform.kernel.validation import build

__all__ = ["MAX_INPUT_BYTES", "MAX_WEIGHTS_BYTES", "ModelService"]

MAX_WEIGHTS_BYTES = 4 << 30
"""Weights are loaded into memory to be checked at registration and to run; larger models need a runtime that
streams them, which none of the shipped runtimes does."""
MAX_INPUT_BYTES = 16 << 20
"""Largest input file one prediction accepts."""
_CACHE = 4  # loaded models kept per process, newest used last


class ModelService:
    """Foundation models and inference.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
        assets: the kernel's governed assets.
        provenance: records lineage.
        blobs: where weights live.
        runtimes: the runtime of each framework, by name.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        guard: Guard,
        assets: AssetService,
        provenance: ProvenanceRecorder,
        blobs: BlobStore,
        runtimes: Mapping[str, ModelRuntime],
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._assets = assets
        self._prov = provenance
        self._blobs = blobs
        self._runtimes = dict(runtimes)
        self._loaded: OrderedDict[str, Any] = OrderedDict()
        self._loading = threading.Lock()

    @property
    def frameworks(self) -> list[str]:
        """The frameworks this platform can run."""
        return sorted(self._runtimes)

    def _runtime(self, framework: str) -> ModelRuntime:
        runtime = self._runtimes.get(framework)
        if runtime is None:
            raise InvalidInput(
                f"no runtime for framework {framework!r}; this platform runs {', '.join(self.frameworks)}"
            )
        return runtime

    # ── registering ──

    def register(
        self,
        principal: Principal,
        source: Path,
        card: ModelCard,
        *,
        description: str = "",
        project: str | None = None,
        markings: Markings | None = None,
    ) -> ModelVersion:
        """Register weights (a file or folder) with their card as version 1 of a new model owned by the caller.

        Raises:
            InvalidInput: unknown framework, weights the runtime cannot load, an unknown training dataset.
            AccessDenied: the caller may not register the model so marked, or may not train on a dataset the
                card names.
        """
        markings = _with_sharing_agreement(markings or Markings(), card)
        files = self._check(source, card)
        model_id = f"mdl-{uuid.uuid4().hex[:12]}"
        with self._uow() as uow:
            self._assets.preflight(
                uow,
                principal,
                kind="model",
                name=card.name,
                asset_id=model_id,
                description=description or card.summary,
                project=project,
                markings=markings,
            )
            self._training_data(uow, principal, card)
        stored = self._store(files)
        with self._uow() as uow:
            asset = self._assets.register_in(
                uow,
                principal,
                kind="model",
                name=card.name,
                description=description or card.summary,
                project=project,
                markings=markings,
                asset_id=model_id,
            )
            self._training_data(uow, principal, card)  # again: a grant may have lapsed while the weights stored
            return self._record(uow, principal, asset, 1, None, card, stored)

    def register_bundled(
        self,
        principal: Principal,
        name: str = "chgnet",
        *,
        project: str | None = None,
        markings: Markings | None = None,
    ) -> ModelVersion:
        """Register a model whose weights ship inside an installed package; today `chgnet` (CHGNet 0.3.0).

        Public and usable for inference by any vetted user unless `markings` say otherwise.

        Raises:
            Conflict: the caller can already see a model with these very weights.
        """
        if name.lower() not in {"chgnet", "chgnet-0.3.0"}:
            raise InvalidInput(f"no bundled model {name!r}; the platform ships: chgnet")
        checkpoint, card = bundled_chgnet("0.3.0")
        digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
        with self._uow() as uow:
            for asset in self._assets.visible(uow, principal, kind="model"):
                for version in ModelStore(uow.connection).versions(asset.id):
                    if any(f.sha256 == digest for f in version.files):
                        raise Conflict(f"{card.name} {card.version} is already registered as {asset.id}")
        chosen = markings or Markings.from_banner(
            "PUBLIC", training_use=UseStatus.YES, inference_use=UseStatus.YES, evaluation_use=UseStatus.YES
        )
        return self.register(principal, checkpoint, card, project=project, markings=chosen)

    def add_version(
        self, principal: Principal, model_ref: str, source: Path, card: ModelCard | None = None
    ) -> ModelVersion:
        """Register new weights as the next version of a model (owner, stewards, officers); the card carries over."""
        with self._uow() as uow:
            asset = self._resolve(uow, principal, model_ref, Action.ADMINISTER, {"preflight": "model.version"})
            store = ModelStore(uow.connection)
            previous = store.get(model_version_id(asset.id, store.latest_number(asset.id)))
            card = card or (previous.card if previous else None)
            if card is None:
                raise InvalidInput(f"{asset.id} has no version yet; give a card")
            self._training_data(uow, principal, card)
        files = self._check(source, card)
        stored = self._store(files)
        with self._uow() as uow:
            asset = self._assets.require(uow, principal, Action.ADMINISTER, asset.id, {"change": "model.version"})
            self._training_data(uow, principal, card)
            store = ModelStore(uow.connection)
            number = store.latest_number(asset.id) + 1
            prior = model_version_id(asset.id, number - 1) if number > 1 else None
            return self._record(uow, principal, asset, number, prior, card, stored)

    def _check(self, source: Path, card: ModelCard) -> dict[str, bytes]:
        """The weight files' bytes, proven loadable by the card's runtime before anything is stored.

        The bytes checked are the bytes stored: the files are read once.
        """
        runtime = self._runtime(card.framework)
        paths = dict(source_files(source))  # the same rules as dataset files: no symbolic links, no empty folders
        total = sum(p.stat().st_size for p in paths.values())
        if total > MAX_WEIGHTS_BYTES:
            raise InvalidInput(f"the weights are {total:,} bytes; the limit is {MAX_WEIGHTS_BYTES:,}")
        files = {rel: p.read_bytes() for rel, p in paths.items()}
        runtime.load(files, card.runtime_options)
        return files

    def _training_data(self, uow: UnitOfWork, principal: Principal, card: ModelCard) -> None:
        """Each platform dataset the card names must exist and be one the caller may train on."""
        store = DatasetStore(uow.connection)
        for version_id in card.training_data:
            dataset_id = version_id.split("@", 1)[0]
            self._assets.require(uow, principal, Action.TRAIN, dataset_id, {"model_training_data": version_id})
            found = store.get(version_id)
            if found is None:
                raise InvalidInput(f"the card names training data {version_id}, which does not exist")
            if found.state is VersionState.WITHDRAWN:
                raise InvalidInput(f"the card names training data {version_id}, which was withdrawn")

    def _store(self, files: dict[str, bytes]) -> list[DatasetFile]:
        stored = []
        for rel, data in files.items():
            ref = self._blobs.put(data[i : i + (1 << 20)] for i in range(0, max(len(data), 1), 1 << 20))
            stored.append(DatasetFile(path=rel, sha256=ref.digest, size=ref.size))
        return stored

    def _record(
        self,
        uow: UnitOfWork,
        principal: Principal,
        asset: GovernedAsset,
        number: int,
        previous: str | None,
        card: ModelCard,
        files: list[DatasetFile],
    ) -> ModelVersion:
        version = build(
            ModelVersion,
            id=model_version_id(asset.id, number),
            model_id=asset.id,
            number=number,
            previous_id=previous,
            card=card,
            files=tuple(sorted(files, key=lambda f: f.path)),
            created_by=principal.user.id,
            created_at=self._guard.clock.now(),
        )
        ModelStore(uow.connection).add(version)
        node = self._prov.entity(
            uow,
            f"genesis:model-version/{version.id}",
            f"{card.name} {card.version or ''} v{number}".replace("  ", " "),
            "genesis:ModelVersion",
            {"asset_id": asset.id, "version": number, "framework": card.framework, "weights": _digests(version)},
        )
        self._prov.relate(uow, Relation.WAS_DERIVED_FROM, node, asset_node_id(asset.id))
        if previous:
            self._prov.relate(uow, Relation.WAS_DERIVED_FROM, node, f"genesis:model-version/{previous}")
        for trained_on in card.training_data:
            self._prov.relate(
                uow, Relation.WAS_DERIVED_FROM, node, f"genesis:dataset-version/{trained_on}", {"role": "training data"}
            )
        self._prov.attribute(uow, node, self._prov.person(uow, principal))
        self._guard.changed(
            uow,
            principal,
            "model.version",
            asset,
            {
                "version": version.id,
                "framework": card.framework,
                "weights": _digests(version),
                "training_data": list(card.training_data),
            },
        )
        return version

    # ── reading ──

    def list(self, principal: Principal) -> builtins.list[tuple[GovernedAsset, ModelVersion | None]]:
        """The models the caller may discover, each with its latest version."""
        with self._uow() as uow:
            store = ModelStore(uow.connection)
            out: builtins.list[tuple[GovernedAsset, ModelVersion | None]] = []
            for asset in self._assets.visible(uow, principal, kind="model"):
                versions = store.versions(asset.id)
                out.append((asset, versions[-1] if versions else None))
            return out

    def get(self, principal: Principal, model_ref: str) -> tuple[GovernedAsset, builtins.list[ModelVersion]]:
        """A model's description and every version with its card (action read_metadata)."""
        with self._uow() as uow:
            asset = self._resolve(uow, principal, model_ref, Action.READ_METADATA)
            return asset, ModelStore(uow.connection).versions(asset.id)

    def _resolve(
        self,
        uow: UnitOfWork,
        principal: Principal,
        ref: str,
        action: Action,
        details: dict[str, Any] | None = None,
    ) -> GovernedAsset:
        """The model an id or a name refers to, with `action` required on it.

        A name matches case-insensitively among the models the caller may discover, so a name never reveals a
        model the caller may not see.
        """
        ref = ref.strip()
        missing = NotFound(f"no model {ref!r}; `genesis model list` shows the models you may use")
        found = AssetStore(uow.connection).get(ref)
        if found is None:
            named = [a for a in self._assets.visible(uow, principal, kind="model") if a.name.lower() == ref.lower()]
            if not named:
                raise missing
            if len(named) > 1:
                ids = ", ".join(a.id for a in named)
                raise InvalidInput(f"several models are named {ref!r} ({ids}); give an id")
            found = named[0]
        if found.kind != "model":
            # Decided and recorded like any other request, but answered as if absent, so an id never tells
            # a dataset the caller may not see apart from nothing at all.
            self._guard.check(uow, principal, Action.DISCOVER, found, {"as_model": True})
            raise missing
        try:
            return self._assets.require(uow, principal, action, found.id, details)
        except NotFound:
            raise missing from None  # the same words whether the model is hidden or absent

    # ── inference ──

    def predict(
        self, principal: Principal, model_ref: str, data: bytes, filename: str, *, number: int | None = None
    ) -> Prediction:
        """Run a model on one input file (action infer) and record the inference.

        Raises:
            InvalidInput: the input cannot be read by the model's runtime.
            NotFound: no such model or version, or the caller may not learn of it.
            AccessDenied: the caller may see the model but not use it for inference.
            CorruptedData: the stored weights no longer match their SHA-256.
        """
        if number is not None and number < 1:
            raise InvalidInput("model versions are numbered from 1")
        if len(data) > MAX_INPUT_BYTES:
            raise InvalidInput(f"{filename} is {len(data):,} bytes; one input is at most {MAX_INPUT_BYTES:,}")
        input_sha256 = hashlib.sha256(data).hexdigest()
        with self._uow() as uow:
            asset = self._resolve(uow, principal, model_ref, Action.INFER, {"input_sha256": input_sha256})
            store = ModelStore(uow.connection)
            wanted = number or store.latest_number(asset.id)
            version = store.get(model_version_id(asset.id, wanted)) if wanted else None
            if version is None:
                raise NotFound(f"model {asset.id} has no version {number or ''}; `genesis model show {asset.id}`")
        runtime = self._runtime(version.card.framework)
        parsed = runtime.parse(data, filename)
        loaded = self._load(runtime, version)
        started = time.perf_counter()
        raw = runtime.predict(loaded, parsed)
        seconds = time.perf_counter() - started
        output_sha256 = hashlib.sha256(canonical_json(raw.outputs)).hexdigest()
        with self._uow() as uow:
            model_node = f"genesis:model-version/{version.id}"
            # Shared nodes carry hashes only: whoever may read the model's lineage must not learn another user's
            # file names or compositions from it (the caller gets those in the prediction and the audit log).
            input_node = self._prov.entity(
                uow,
                f"genesis:input/sha256:{input_sha256}",
                f"input sha256:{input_sha256[:12]}",
                "genesis:ModelInput",
                {"sha256": input_sha256, "bytes": len(data)},
            )
            agent = self._prov.software(uow, version.card.name, version.card.version or str(version.number), ai=True)
            activity = self._prov.start_activity(
                uow,
                f"{version.card.name} inference",
                "genesis:Inference",
                agents=[self._prov.person(uow, principal), agent],
                used=[model_node, input_node],
                attributes={"model_version": version.id, "engine": runtime.engine_version()},
            )
            output_node = self._prov.entity(
                uow,
                f"genesis:prediction/sha256:{output_sha256}",
                f"{version.card.name} prediction sha256:{output_sha256[:12]}",
                "genesis:Prediction",
                {"sha256": output_sha256, "input_sha256": input_sha256},
            )
            self._prov.end_activity(uow, activity, generated=[output_node], attributes={"seconds": round(seconds, 4)})
            self._guard.changed(
                uow,
                principal,
                "model.infer",
                asset,
                {
                    "version": version.id,
                    "input": filename,
                    "input_sha256": input_sha256,
                    "output_sha256": output_sha256,
                    "activity": activity,
                },
            )
        return Prediction(
            model_id=asset.id,
            version_id=version.id,
            framework=version.card.framework,
            input_sha256=input_sha256,
            input_name=filename,
            formula=raw.formula,
            sites=raw.sites,
            outputs=raw.outputs,
            units=raw.units,
            output_sha256=output_sha256,
            activity=activity,
            warnings=raw.warnings,
        )

    def _load(self, runtime: ModelRuntime, version: ModelVersion) -> Any:
        """The loaded model of a version, from cache or from its blobs, each verified against its SHA-256."""
        key = canonical_json({"v": version.id, "w": _digests(version), "o": version.card.runtime_options}).decode()
        with self._loading:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
            try:
                files = {f.path: b"".join(self._blobs.read(f.sha256)) for f in version.files}
            except (CorruptedData, NotFound) as e:
                raise CorruptedData(
                    f"the weights of {version.id} failed their integrity check ({e.message}); nothing was run; "
                    "ask a data steward to re-register them"
                ) from None
            loaded = runtime.load(files, version.card.runtime_options)
            self._loaded[key] = loaded
            while len(self._loaded) > _CACHE:
                self._loaded.popitem(last=False)
            return loaded


def _digests(version: ModelVersion) -> dict[str, str]:
    return {f.path: f.sha256 for f in version.files}


def _with_sharing_agreement(markings: Markings, card: ModelCard) -> Markings:
    """The markings with the card's model-sharing agreement added to the required agreements."""
    if not card.sharing_agreement:
        return markings
    try:
        agreement = Agreement.parse(card.sharing_agreement)
    except ValueError as e:
        raise InvalidInput(f"sharing_agreement: {e}") from None
    return build(Markings, **{**dict(markings), "required_agreements": markings.required_agreements | {agreement}})
