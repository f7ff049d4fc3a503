"""What the policy decision point decides about: actions, resources and decisions.

Actions on assets distinguish finding (`discover`, `read_metadata`) from obtaining and using content
(`download`, `train`, `infer`, `evaluate`), running (`run`) and governing (`administer`, `mark`, `register`).
Platform-wide actions cover people, the directory and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["PLATFORM", "Action", "Decision", "PlatformResource", "ResourceRef"]


class Action(StrEnum):
    """Every action the policy engine decides; names match `policies/genesis.cedarschema`."""

    DISCOVER = "discover"
    READ_METADATA = "read_metadata"
    DOWNLOAD = "download"
    TRAIN = "train"
    INFER = "infer"
    EVALUATE = "evaluate"
    RUN = "run"
    ADMINISTER = "administer"
    MARK = "mark"
    REGISTER = "register"
    APPROVE_ACCESS = "approve_access"
    MANAGE_IDENTITY = "manage_identity"
    VET = "vet"
    READ_PROFILE = "read_profile"
    MANAGE_TOKENS = "manage_tokens"
    READ_DIRECTORY = "read_directory"
    LIST_ORGANISATIONS = "list_organisations"
    READ_AUDIT = "read_audit"
    WRITE_AUDIT = "write_audit"

    @property
    def groups(self) -> frozenset[str]:
        """The Cedar action groups this action belongs to (`metadata`, `content`)."""
        return _GROUPS.get(self, frozenset())

    @property
    def on_assets(self) -> bool:
        """Whether the action's resource is a governed asset."""
        return self in _ASSET_ACTIONS


_GROUPS: dict[Action, frozenset[str]] = {
    Action.DISCOVER: frozenset({"metadata"}),
    Action.READ_METADATA: frozenset({"metadata"}),
    Action.DOWNLOAD: frozenset({"content"}),
    Action.TRAIN: frozenset({"content"}),
    Action.INFER: frozenset({"content"}),
    Action.EVALUATE: frozenset({"content"}),
}
_ASSET_ACTIONS = frozenset(
    {
        Action.DISCOVER,
        Action.READ_METADATA,
        Action.DOWNLOAD,
        Action.TRAIN,
        Action.INFER,
        Action.EVALUATE,
        Action.RUN,
        Action.ADMINISTER,
        Action.MARK,
        Action.REGISTER,
        Action.APPROVE_ACCESS,
    }
)


@dataclass(frozen=True)
class ResourceRef:
    """A Cedar entity reference, e.g. `Asset::"a-1"`.

    Attributes:
        type: entity type (`Asset`, `User`, `Platform`).
        id: entity id.
    """

    type: str
    id: str

    def __str__(self) -> str:
        return f'{self.type}::"{self.id}"'


@dataclass(frozen=True)
class PlatformResource:
    """The platform itself, resource of platform-wide actions (the directory, the audit log)."""

    id: str = "genesis"


PLATFORM = PlatformResource()
"""The one platform resource."""


@dataclass(frozen=True)
class Decision:
    """The outcome of one authorisation request.

    Attributes:
        allowed: whether the request is allowed.
        principal_id: the user who asked.
        action: what they asked to do.
        resource: what they asked to do it to.
        policies: `@id`s of the policies that decided: the permits that matched when allowed, the forbids that
            matched when denied by a forbid, empty when denied by default.
        errors: policy evaluation errors; any error denies (fail closed).
    """

    allowed: bool
    principal_id: str
    action: Action
    resource: ResourceRef
    policies: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        """`allow` or `deny`, as the audit log records it."""
        return "allow" if self.allowed else "deny"

    @property
    def by_default(self) -> bool:
        """Denied because no policy permits it (Cedar's default deny)."""
        return not self.allowed and not self.policies
