import pytest

from genesis_platform.kernel.errors import Conflict, InvalidInput
from genesis_platform.kernel.identity.model import Agreement, AgreementKind, VettingStatus, next_vetting_status
from genesis_platform.kernel.identity.service import Grants
from genesis_platform.kernel.identity.tokens import TokenHasher, new_token, parse_token


def test_vetting_lifecycle():
    assert next_vetting_status(VettingStatus.PENDING, "vet") is VettingStatus.VETTED
    assert next_vetting_status(VettingStatus.VETTED, "suspend") is VettingStatus.SUSPENDED
    assert next_vetting_status(VettingStatus.SUSPENDED, "vet") is VettingStatus.VETTED
    assert next_vetting_status(VettingStatus.SUSPENDED, "revoke") is VettingStatus.REVOKED
    with pytest.raises(Conflict, match="revoked"):
        next_vetting_status(VettingStatus.REVOKED, "vet")
    with pytest.raises(Conflict):
        next_vetting_status(VettingStatus.PENDING, "suspend")


def test_agreement_parses_kind_and_reference():
    a = Agreement.parse("crada:ORNL-ACME-1")
    assert a.kind is AgreementKind.CRADA and a.reference == "ORNL-ACME-1" and str(a) == "CRADA:ORNL-ACME-1"
    assert str(Agreement.parse("DUA")) == "DUA"
    with pytest.raises(ValueError, match="unknown agreement kind"):
        Agreement.parse("HANDSHAKE:1")


def test_grants_refuse_unknown_vocabulary():
    with pytest.raises(InvalidInput, match="choose from"):
        Grants(roles=["wizard"])
    with pytest.raises(InvalidInput, match="compartment"):
        Grants(compartments=["SCI-X"])
    assert Grants().empty and not Grants(projects=["p"]).empty


def test_tokens_are_random_and_parse_back():
    a, b = new_token(), new_token()
    assert a[2] != b[2]
    assert parse_token(a[2]) == (a[0], a[1])
    assert parse_token("gns_nothex_secret") is None
    assert parse_token("") is None


def test_token_hasher_verifies_only_the_right_secret():
    hasher = TokenHasher(time_cost=1, memory_cost=8)
    _, secret, _ = new_token()
    stored = hasher.hash(secret)
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, secret)
    assert not hasher.verify(stored, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert not hasher.verify(None, secret)
    assert not hasher.verify("not-a-hash", secret)
