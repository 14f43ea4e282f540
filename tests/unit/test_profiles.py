"""Organisation profiles: validated with errors naming the field, applied under the facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.inputs import InputError, load_facts
from herald.intake import new_incident
from herald.models import Channel
from herald.models.facts import PolicyCommitment
from herald.profiles import load_profile
from tests.conftest import EXAMPLES


def test_sample_profile_loads_and_cites_its_sources() -> None:
    profile = load_profile(EXAMPLES / "profile.yaml")
    assert profile.slug == "example-gmbh"
    assert profile.channels == [Channel.EMAIL, Channel.SMS, Channel.LETTER]
    assert profile.contact is not None and profile.contact.is_complete()
    assert set(profile.sources) <= set(type(profile).model_fields)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("slug: Bad Slug\nlegal_name: X\n", "slug", "pattern"),
        ("slug: x\nlegal_name: X\nestablished_in: [XX]\n", "established_in", "unknown country"),
        ("slug: x\nlegal_name: X\nchannels: [email, web]\n", "channels", "does not reach"),
        ("slug: x\nlegal_name: X\ntimezone: Mars/Base\n", "timezone", "unknown IANA"),
        ("slug: x\nlegal_name: X\nsources: {colour: p.1}\n", "sources", "unknown fields"),
        ("slug: x\nlegal_name: X\nfax: 1\n", "fax", "Extra inputs"),
    ],
)
def test_bad_profiles_name_the_field(tmp_path: Path, body: str, field: str, message: str) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(body)
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert f"{path}: {field}" in str(err.value)
    assert message in str(err.value)


def test_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(InputError, match="expected a mapping"):
        load_profile(path)


def test_profile_fills_what_the_facts_leave_out() -> None:
    facts = load_facts(EXAMPLES / "facts.json")
    assert facts.entity.contact is None
    profile = load_profile(EXAMPLES / "profile.yaml")
    applied = profile.fill(facts)
    assert applied.entity.contact == profile.contact
    assert applied.entity.established_in == ["DE"]  # the facts said so; they win
    assert applied.entity.timezone == "Europe/Berlin"


def test_new_incident_takes_channels_and_team_from_the_profile() -> None:
    profile = load_profile(EXAMPLES / "profile.yaml").model_copy(
        update={"channels": [Channel.SMS, Channel.EMAIL]}
    )
    inp = new_incident(
        facts=load_facts(EXAMPLES / "facts.json"),
        commander="casey",
        profile=profile,
        team=["oncall@example.org", "incident-team@example-gmbh.example"],
        incident_id="INC-1",
    )
    assert inp.channel_order == [Channel.SMS, Channel.EMAIL]
    assert inp.team_contacts == ["incident-team@example-gmbh.example", "oncall@example.org"]
    assert inp.facts.entity.contact is not None
    assert inp.profile == profile


def test_a_promise_without_its_clause_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(
        "slug: acme\nlegal_name: Acme Ltd\nchannels: [email, voice]\nlaws: [GDPR]\n"
        "sources:\n  legal_name: '§1'\n"
    )
    with pytest.raises(InputError, match="cite the policy clause for: channels, laws"):
        load_profile(path)


def test_profile_commitments_reach_the_facts() -> None:
    profile = load_profile(EXAMPLES / "profile.yaml").model_copy(
        update={
            "commitments": [
                PolicyCommitment(
                    id="notify-users",
                    kind="notify_individuals",
                    summary="tell users by email",
                    source="§9",
                )
            ]
        }
    )
    facts = profile.fill(load_facts(EXAMPLES / "facts.json"))
    assert [c.id for c in facts.entity.commitments] == ["notify-users"]
    assert facts.entity.languages == ["en", "de", "fr", "zh-CN"]
    assert facts.entity.policy_name == "Example GmbH"


def test_profiles_check_explains_a_profile() -> None:
    result = CliRunner().invoke(app, ["profiles", "check", str(EXAMPLES / "profile.yaml")])
    assert result.exit_code == 0, result.output
    assert "valid profile of Example GmbH (example-gmbh)" in result.output
    assert "Privacy policy §9" in result.output
    bad = CliRunner().invoke(app, ["profiles", "check", "no-such-profile.yaml"])
    assert bad.exit_code == 2
