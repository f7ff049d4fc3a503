"""The platform kernel: identity, markings, policy, audit, provenance, blobs and compute.

Every capability runs through it: a use case opens a `UnitOfWork`, asks the `Guard` (Cedar policies, default
deny, forbid wins), acts, and leaves its decisions and changes in the tamper-evident audit log.
"""

from genesis_platform.kernel.assets.markings import Markings
from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.audit.chain import AuditEvent, VerificationReport
from genesis_platform.kernel.errors import (
    AccessDenied,
    AuditVerificationFailed,
    AuthenticationFailed,
    Conflict,
    CorruptedData,
    GenesisError,
    InvalidInput,
    NotFound,
    NotInitialised,
)
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Organisation, Principal, User
from genesis_platform.kernel.policy.model import Action, Decision
from genesis_platform.kernel.settings import Settings
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = [
    "AccessDenied",
    "Action",
    "AuditEvent",
    "AuditVerificationFailed",
    "AuthenticationFailed",
    "Conflict",
    "CorruptedData",
    "Decision",
    "GenesisError",
    "GovernedAsset",
    "Guard",
    "InvalidInput",
    "Markings",
    "NotFound",
    "NotInitialised",
    "Organisation",
    "Principal",
    "Settings",
    "UnitOfWork",
    "User",
    "VerificationReport",
]
