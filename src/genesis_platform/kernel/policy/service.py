"""The `policy explain` use case: why would this user be allowed or denied this action on this asset?"""

from __future__ import annotations

from collections.abc import Callable

from genesis_platform.kernel.assets.store import AssetStore
from genesis_platform.kernel.audit.chain import AuditEvent
from genesis_platform.kernel.errors import InvalidInput, NotFound
from genesis_platform.kernel.guard import Guard
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.identity.store import IdentityStore
from genesis_platform.kernel.policy.explain import Explanation, explain
from genesis_platform.kernel.policy.model import PLATFORM, Action
from genesis_platform.kernel.unit_of_work import UnitOfWork

__all__ = ["PolicyService"]


class PolicyService:
    """Explains decisions.

    Args:
        uow: makes units of work.
        guard: authorises and audits.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], guard: Guard) -> None:
        self._uow = uow
        self._guard = guard

    def explain(self, principal: Principal, username: str | None, action: str, asset_id: str) -> Explanation:
        """Decide `action` on an asset as `username` would ask it, and say why.

        Explaining another user's decision needs `read_audit` (security officers, administrators). Explaining
        one's own needs only that one may discover the asset. The hypothetical decision is recorded, marked as
        such, with who asked.
        """
        try:
            act = Action(action)
        except ValueError:
            choices = ", ".join(a.value for a in Action if a.on_assets)
            raise InvalidInput(f"unknown action {action!r}; choose from {choices}") from None
        if not act.on_assets:
            raise InvalidInput(f"{act.value} is not an action on assets; `policy explain` explains asset actions")
        with self._uow() as uow:
            identity = IdentityStore(uow.connection)
            own = username is None or username in (principal.user.username, principal.user.id)
            if not own:
                self._guard.require(
                    uow,
                    principal,
                    Action.READ_AUDIT,
                    PLATFORM,
                    {"explain": {"user": username, "action": act.value, "asset": asset_id}},
                )
            target_user = (
                principal.user if own else identity.user_named(username or "") or identity.user(username or "")
            )
            if target_user is None:
                raise NotFound(f"no user {username!r}")
            target_org = identity.organisation(target_user.organisation_id)
            assert target_org is not None  # foreign key
            target = Principal(user=target_user, organisation=target_org, channel=principal.channel)
            asset = AssetStore(uow.connection).get(asset_id)
            if asset is None or (own and not self._guard.check(uow, principal, Action.DISCOVER, asset).allowed):
                raise NotFound(f"no asset {asset_id!r}")
            decision = self._guard.policy.decide(target, act, asset, self._guard.clock.now())
            uow.record(
                AuditEvent(
                    kind="decision",
                    actor=target_user.id,
                    action=act.value,
                    resource=str(decision.resource),
                    outcome=decision.outcome,
                    details={
                        "policies": list(decision.policies),
                        "hypothetical": True,
                        "asked_by": principal.user.id,
                    },
                    channel=principal.channel,
                )
            )
            owner = identity.user(asset.owner_id)
            holder = identity.organisation(asset.organisation_id)
            return explain(
                self._guard.policy,
                decision,
                target,
                asset,
                owner.username if owner else asset.owner_id,
                holder.name if holder else asset.organisation_id,
            )
