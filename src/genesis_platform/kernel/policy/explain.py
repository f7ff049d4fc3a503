"""Decisions in words a security officer understands: who, what, the verdict, the policies and the facts."""

from __future__ import annotations

from dataclasses import dataclass, field

from genesis_platform.kernel.assets.model import GovernedAsset
from genesis_platform.kernel.identity.model import Principal
from genesis_platform.kernel.policy.engine import PolicyEngine, PolicyInfo
from genesis_platform.kernel.policy.model import Decision

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True)
class Explanation:
    """A decision explained.

    Attributes:
        decision: the decision.
        verdict: `ALLOW` or `DENY`.
        summary: one sentence.
        deciding: the policies that decided, with their reasons.
        candidates: when denied by default, the permits that could have allowed it.
        user_facts: what the policy knows of the user.
        asset_facts: what the policy knows of the asset.
    """

    decision: Decision
    verdict: str
    summary: str
    deciding: list[PolicyInfo]
    candidates: list[PolicyInfo] = field(default_factory=list)
    user_facts: dict[str, str] = field(default_factory=dict)
    asset_facts: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The explanation as plain text lines."""
        out = [f"{self.verdict}: {self.summary}"]
        if self.deciding:
            out.append("Decided by:" if self.decision.allowed else "Forbidden by (forbid always wins over permit):")
            out += [f"  - {p.id}: {p.reason}" for p in self.deciding]
        if self.candidates:
            out.append("No policy permits this, so it is denied by default. Policies that could permit it:")
            out += [f"  - {p.id}: {p.reason}" for p in self.candidates]
        if self.decision.errors:
            out.append("Policy evaluation errors (any error denies):")
            out += [f"  - {e}" for e in self.decision.errors]
        out.append("What the policy knows about the user:")
        out += [f"  {k}: {v}" for k, v in self.user_facts.items()]
        if self.asset_facts:
            out.append("What the policy knows about the asset:")
            out += [f"  {k}: {v}" for k, v in self.asset_facts.items()]
        return out


def _list(values: object) -> str:
    items = sorted(str(v) for v in values) if isinstance(values, set | frozenset | list | tuple) else []
    return ", ".join(items) if items else "none"


def user_facts(principal: Principal) -> dict[str, str]:
    """The attributes of a user that policies read, in words."""
    u, org = principal.user, principal.organisation
    return {
        "user": f"{u.username} ({u.display_name})",
        "vetting": u.vetting.value,
        "organisation": f"{org.name} ({org.kind.value}, {org.country})",
        "US person": "yes" if u.us_person else "no",
        "citizenships": _list(u.citizenships),
        "clearance": u.clearance.value,
        "special access": _list(u.compartments),
        "trainings": _list({t.value for t in u.trainings}),
        "agreements": _list({str(a) for a in u.agreements}),
        "projects": _list(u.projects),
        "roles": _list({r.value for r in u.roles}),
    }


def asset_facts(asset: GovernedAsset, owner: str, organisation: str) -> dict[str, str]:
    """The attributes of an asset that policies read, in words."""
    m = asset.markings
    facts = {
        "asset": f"{asset.id} ({asset.kind}) {asset.name!r}",
        "marking": m.banner,
        "owner": owner,
        "organisation": organisation,
        "project": asset.project or "none",
        "sensitivity": m.sensitivity.value,
    }
    if m.export_controlled:
        basis = m.export_control.value if m.export_control else "CUI SP-EXPT"
        facts["export control"] = f"{basis}; foreign-national access {m.effective_foreign_national_access.value}"
    if m.pii or m.phi:
        facts["privacy"] = ", ".join(n for n, on in (("PII", m.pii), ("PHI", m.phi)) if on)
    if m.ip_restriction:
        facts["IP restriction"] = m.ip_restriction.value
    if m.required_agreements:
        facts["required agreements"] = _list({str(a) for a in m.required_agreements})
    if m.embargo_until:
        facts["embargo until"] = m.embargo_until.isoformat()
    if m.dissemination_list:
        facts["dissemination list"] = _list(m.dissemination_list)
    uses = {"training": m.training_use, "inference": m.inference_use, "evaluation": m.evaluation_use}
    facts["AI use"] = ", ".join(f"{k} {v.value if v else 'unknown'}" for k, v in uses.items())
    return facts


def explain(
    engine: PolicyEngine,
    decision: Decision,
    principal: Principal,
    asset: GovernedAsset | None = None,
    owner: str = "",
    organisation: str = "",
) -> Explanation:
    """Explain `decision` for `principal` (and the asset, when the resource is one)."""
    verdict = "ALLOW" if decision.allowed else "DENY"
    target = f"{asset.kind} {asset.id} ({asset.markings.banner})" if asset else str(decision.resource)
    summary = f"{principal.user.username} {'may' if decision.allowed else 'may not'} {decision.action.value} {target}"
    deciding = [engine.policies[p] for p in decision.policies if p in engine.policies]
    candidates = engine.permits_for(decision.action) if decision.by_default else []
    facts = asset_facts(asset, owner, organisation) if asset else {}
    return Explanation(decision, verdict, summary + ".", deciding, candidates, user_facts(principal), facts)
