"""Assessment counts: jurisdictions x data categories, chosen channels, languages, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from herald.assess import assess_population, choose_channel, contact_point
from herald.models import Channel, JurisdictionCount, Person
from herald.population import open_population

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDER = [Channel.EMAIL, Channel.SMS, Channel.LETTER]


def person(**contacts: str) -> Person:
    return Person(row=1, id="p", jurisdiction="FR", **contacts)


@pytest.mark.parametrize(
    ("contacts", "order", "expected"),
    [
        ({"email": "a@example.com", "phone": "+33639980000"}, ORDER, Channel.EMAIL),
        ({"phone": "+33639980000"}, ORDER, Channel.SMS),
        ({"phone": "+33639980000"}, [Channel.VOICE, Channel.EMAIL], Channel.VOICE),
        ({"postal_address": "1 rue X"}, ORDER, Channel.LETTER),
        ({"push_token": "tok"}, ORDER, None),
        ({"push_token": "tok"}, [Channel.PUSH], Channel.PUSH),
        ({}, ORDER, None),
        ({"email": "a@example.com"}, [], None),
    ],
)
def test_choose_channel(contacts: dict[str, str], order: list[Channel], expected: Channel) -> None:
    assert choose_channel(person(**contacts), order) is expected


def test_contact_point_per_channel() -> None:
    p = person(email="a@example.com", phone="+33639980000", push_token="t", postal_address="A")
    assert [contact_point(p, c) for c in Channel] == [
        "a@example.com",  # email
        "+33639980000",  # sms
        "+33639980000",  # voice
        "t",  # push
        "A",  # letter
        None,  # web
        None,  # report
    ]


def test_assess_population_counts(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "id,email,phone,postal_address,jurisdiction,language,data_categories\n"
        "1,a@example.com,+14155550100,,US-CA,en,name;email\n"
        "2,,+14155550101,,US-CA,EN,name;account_credentials\n"
        "3,,,1 Main St,US-CA,,name\n"
        "4,,,,US-CA,en,\n"  # no contact point
        "5,bad-email,+33639980000,,FR,fr,name;email\n"  # email dropped, kept
        "6,x@example.org,,,CN-31,zh-cn,name;email\n"
        "7,y@example.org,,,CN-SH,zh-CN,email\n"
        "8,z@example.org,,,ZZ,en,name\n"  # rejected
        ",w@example.org,,,FR,fr,name\n"  # rejected
    )
    assessment = assess_population(open_population(path), ORDER)
    assert assessment.total == 7
    assert assessment.rejected == 2
    assert assessment.jurisdictions == [
        JurisdictionCount(
            jurisdiction="CN-SH",
            count=2,
            data_categories={"email": 2, "name": 1},
            languages={"zh-CN": 2},
        ),
        JurisdictionCount(
            jurisdiction="FR", count=1, data_categories={"email": 1, "name": 1}, languages={"fr": 1}
        ),
        JurisdictionCount(
            jurisdiction="US-CA",
            count=4,
            data_categories={"account_credentials": 1, "email": 1, "name": 3},
            languages={"en": 3},
        ),
    ]
    # Each person counted once, under the channel actually chosen for them.
    assert assessment.contactable == {"email": 3, "sms": 2, "letter": 1}
    assert assessment.unreachable == 1
    assert assessment.languages == {"en": 3, "fr": 1, "zh-CN": 2}
    assert [(e.row, e.field) for e in assessment.row_errors] == [
        (5, "email"),
        (8, "jurisdiction"),
        (9, "id"),
    ]
    # Risk is judged elsewhere; the defaults stay.
    assert assessment.risk_reasons == []


def test_row_errors_are_capped_but_counts_are_not(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        "".join("not json\n" for _ in range(30)) + '{"id": "1", "jurisdiction": "FR"}\n'
    )
    assessment = assess_population(open_population(path), ORDER, max_row_errors=5)
    assert assessment.rejected == 30
    assert [e.row for e in assessment.row_errors] == [1, 2, 3, 4, 5]
    assert assessment.total == 1 and assessment.unreachable == 1
    assert assess_population(open_population(path), ORDER, max_row_errors=0).row_errors == []
    with pytest.raises(ValueError):
        assess_population(open_population(path), ORDER, max_row_errors=-1)


def test_example_population() -> None:
    assessment = assess_population(open_population(EXAMPLES / "population.csv"), ORDER)
    by_code = {j.jurisdiction: j.count for j in assessment.jurisdictions}
    assert set(by_code) == {"US-CA", "FR", "DE", "CN-SH"}  # CN-31 counted as CN-SH
    assert by_code["US-CA"] > by_code["FR"]
    assert assessment.rejected == 2
    assert assessment.unreachable == 1
    assert set(assessment.languages) == {"en", "fr", "de", "zh-CN"}
    assert sum(assessment.contactable.values()) + assessment.unreachable == assessment.total
    assert assessment.contactable["sms"] > 0 and assessment.contactable["letter"] > 0
