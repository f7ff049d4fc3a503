from datetime import date

import pytest
from pydantic import ValidationError

from genesis_platform.kernel.assets.markings import (
    ClassificationCategory,
    ClassificationLevel,
    ControlMarkings,
    ForeignNationalAccess,
    Markings,
    Sensitivity,
    parse_markings,
)
from genesis_platform.kernel.errors import InvalidInput


@pytest.mark.parametrize(
    "banner",
    [
        "CUI//SP-EXPT//NOFORN",
        "SECRET//RD//NOFORN",
        "TOP SECRET//FRD/RD",
        "PUBLIC",
        "UNCLASSIFIED",
        "CUI//PRVCY/SP-EXPT",
    ],
)
def test_banner_round_trips(banner):
    assert Markings.from_banner(banner).banner == Markings.from_banner(Markings.from_banner(banner).banner).banner


def test_cui_banner_parses_categories_and_controls():
    m = Markings.from_banner("CUI//SP-EXPT/SP-PRVCY//NOFORN/FEDCON")
    assert m.sensitivity is Sensitivity.CUI
    assert m.cui_categories == {"SP-EXPT", "SP-PRVCY"}
    assert m.controls.noforn and m.controls.fedcon
    assert m.export_controlled
    assert m.effective_foreign_national_access is ForeignNationalAccess.PROHIBITED


def test_classified_banner_sets_level_and_categories():
    m = Markings.from_banner("SECRET//RD//NOFORN")
    assert m.classification is ClassificationLevel.SECRET and m.classification.rank == 2
    assert m.classification_categories == {ClassificationCategory.NSI, ClassificationCategory.RD}


def test_rel_to_lists_countries_and_renders_usa_first():
    c = ControlMarkings.parse(["REL TO GBR, CAN"])
    assert c.rel_to == {"GBR", "CAN"}
    assert c.strings() == ["REL TO USA, CAN, GBR"]


@pytest.mark.parametrize(
    ("banner", "message"),
    [
        ("CUI", "CUI category"),
        ("CUI//UCNI", "needs at least one CUI category"),
        ("CUI//SP-EXPT//SECRETISH", "not one the platform enforces"),
        ("SECRETISH", "must start with"),
        ("CUI//SP-EXPT//ORCON", "not one the platform enforces"),
        ("CUI//SP-EXPT//REL TO GB", "alpha-3"),
        ("CUI//SP-EXPT//NOFORN/REL TO GBR", "contradict"),
        ("CUI//SP-EXPT//DL ONLY", "dissemination list"),
        ("PUBLIC//NOFORN", "Public asset cannot carry controls"),
    ],
)
def test_bad_markings_are_refused_with_a_reason(banner, message):
    with pytest.raises(InvalidInput, match=message):
        parse_markings(banner)


def test_classification_needs_classified_sensitivity():
    with pytest.raises(ValidationError, match="E14"):
        Markings(sensitivity=Sensitivity.CLASSIFIED)


def test_parse_markings_takes_card_vocabulary():
    m = parse_markings(
        "UNCLASSIFIED",
        pii=True,
        ip_restriction="Proprietary",
        required_agreements=["CRADA:X-1"],
        export_control="EAR",
        foreign_national_access="Allowed",
        embargo_until="2027-01-01",
        training_use="Conditional",
    )
    assert m.pii and m.export_controlled and m.embargo_until == date(2027, 1, 1)
    assert m.effective_foreign_national_access is ForeignNationalAccess.ALLOWED
    assert "requires CRADA:X-1" in m.summary and "training Conditional" in m.summary
    with pytest.raises(InvalidInput, match=r"IPRestriction|Proprietery"):
        parse_markings("UNCLASSIFIED", ip_restriction="Proprietery")
    with pytest.raises(InvalidInput, match="unknown agreement kind"):
        parse_markings("UNCLASSIFIED", required_agreements=["HANDSHAKE"])


def test_policy_view_ignores_wording_but_not_meaning():
    implied = parse_markings("CUI//SP-EXPT//NOFORN")
    spelled = parse_markings("CUI//SP-EXPT//NOFORN", export_control="Other", foreign_national_access="Prohibited")
    assert implied != spelled and implied.same_policy_as(spelled)
    assert not implied.same_policy_as(parse_markings("CUI//SP-EXPT//NOFORN", pii=True))
    assert parse_markings("UNCLASSIFIED", ip_restriction="None").same_policy_as(parse_markings("UNCLASSIFIED"))
