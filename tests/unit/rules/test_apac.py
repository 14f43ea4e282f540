"""The Asia-Pacific regime files: schema checks and properties every regime shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, IncidentFacts
from herald.rules import ELEMENTS, evaluate
from herald.rules.apac import IndividualsNotice, RegimeFile, RegulatorNotice
from herald.rules.au_ndb import AuNdb
from herald.rules.cn_cac import CnCacIncident
from herald.rules.cn_pipl import CnPipl
from herald.rules.in_dpdp import InDpdp
from herald.rules.jp_appi import JpAppi
from herald.rules.kr_pipa import KrPipa
from herald.rules.regime_data import (
    DATA_DIR,
    INDIVIDUALS_ELEMENTS,
    REGULATOR_ELEMENTS,
    Threshold,
    load_regime_file,
)
from herald.rules.sg_pdpa import SgPdpa, SgRules

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
REGIMES = (CnPipl(), CnCacIncident(), SgPdpa(), AuNdb(), JpAppi(), KrPipa(), InDpdp())
KNOWN_IDS = {
    "cn-pipl-regulator", "cn-pipl-individuals", "cn-cac-incident-regulator",
    "sg-pdpa-regulator", "sg-pdpa-individuals", "au-ndb-regulator", "au-ndb-individuals",
    "jp-appi-regulator-preliminary", "jp-appi-regulator-final", "jp-appi-individuals",
    "kr-pipa-regulator", "kr-pipa-individuals", "in-dpdp-regulator",
    "in-dpdp-regulator-detailed", "in-dpdp-individuals",
}  # fmt: skip
LANGUAGES = {"cn": "zh-CN", "jp": "ja", "kr": "ko", "sg": "en", "au": "en", "in": "en"}


def notice(**overrides: Any) -> dict[str, Any]:
    return {
        "recipient": "Authority",
        "contact": "https://example.org",
        "deadline": "Promptly.",
        "citation": "Art. 1",
        "content": ["nature_of_breach"],
        "channels": ["report"],
    } | overrides


def sg_file_data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA_DIR / "sg-pdpa.yaml").read_text("utf-8"))
    return loaded


def test_every_shipped_file_loads_and_names_its_sources() -> None:
    for regime in REGIMES:
        file = regime.file
        assert file.id == regime.id
        assert file.sources
        assert file.notes
        assert (DATA_DIR / f"{regime.id}.yaml").is_file()


def test_content_outside_the_draft_markers_is_rejected() -> None:
    with pytest.raises(ValidationError, match="have no draft marker"):
        RegulatorNotice.model_validate(notice(content=["nature_of_breach", "ransom_amount"]))
    with pytest.raises(ValidationError, match="have no draft marker"):
        # categories_and_numbers is for authorities only.
        IndividualsNotice.model_validate(notice(content=["categories_and_numbers"]))
    assert REGULATOR_ELEMENTS <= set(ELEMENTS)
    assert INDIVIDUALS_ELEMENTS <= set(ELEMENTS)


def test_unknown_keys_and_disordered_versions_are_rejected(tmp_path: Path) -> None:
    data = sg_file_data()
    data["versions"][0]["rules"]["typo"] = 1
    (tmp_path / "sg-pdpa.yaml").write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(ValueError, match=r"(?s)sg-pdpa\.yaml: .*rules\.typo"):
        load_regime_file(RegimeFile[SgRules], "sg-pdpa", tmp_path)

    data = sg_file_data()
    first = data["versions"][0]
    data["versions"] = [first, first | {"effective_from": "2020-01-01"}]
    with pytest.raises(ValidationError, match="increasing order"):
        RegimeFile[SgRules].model_validate(data)


def test_a_version_has_rules_or_a_reason_it_is_not_in_force() -> None:
    data = sg_file_data()
    data["versions"][0]["not_in_force"] = "not yet"
    with pytest.raises(ValidationError, match="exactly one of rules or not_in_force"):
        RegimeFile[SgRules].model_validate(data)


def test_thresholds_state_their_boundary() -> None:
    at_least = Threshold(at_least=500)
    more_than = Threshold(more_than=1000)

    assert (at_least.met(499), at_least.met(500)) == (False, True)
    assert (more_than.met(1000), more_than.met(1001)) == (False, True)
    assert at_least.describe() == "500 or more (500 triggers)"
    assert more_than.describe() == "more than 1,000 (1,001 triggers)"
    with pytest.raises(ValidationError):
        Threshold(at_least=1, more_than=1)


@pytest.mark.parametrize("jurisdiction", ["CN-SH", "SG", "AU-VIC", "JP-27", "KR-26", "IN-KA"])
def test_obligations_have_known_ids_languages_and_complete_fields(
    make_facts: FactsFactory, jurisdiction: str
) -> None:
    facts = make_facts(
        aware_at="2027-06-01T10:00:00+00:00",
        entity={"name": "Example Ltd", "established_in": [jurisdiction], "timezone": "UTC"},
        data_categories=["name", "health"],
        affected=[{"jurisdiction": jurisdiction, "count": 2_000_000}],
    )

    evaluation = evaluate(facts, regimes=REGIMES)

    assert evaluation.obligations
    for obligation in evaluation.obligations:
        assert obligation.id in KNOWN_IDS
        assert obligation.language == LANGUAGES[obligation.regime[:2]]
        assert obligation.citation and obligation.deadline and obligation.contact
        assert obligation.jurisdictions == [jurisdiction]
        assert obligation.affected_count == 2_000_000
        assert obligation.reasons
        allowed = (
            REGULATOR_ELEMENTS if obligation.audience is Audience.REGULATOR
            else INDIVIDUALS_ELEMENTS
        )  # fmt: skip
        assert set(obligation.required_content) <= allowed
    country = jurisdiction[:2].lower()
    for decision in evaluation.decisions:
        assert decision.applies == decision.regime.startswith(country), decision.regime
