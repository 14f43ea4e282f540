"""Reports to authorities follow each authority's own form, field by field.

One incident reaches every regime Herald models (HIPAA, NIS2, the CAC, the PIPL, the GDPR,
the UK GDPR, SEC, FTC, NYDFS, Australia, Singapore, Japan, Korea, India, Canada, Québec,
Brazil, California): its reports must carry every required element, the authority's field
labels, and print unknown optional fields as "Not yet determined" instead of inventing them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from herald.impact import judge
from herald.models import Audience, IncidentFacts, Obligation, RenderedDraft
from herald.models.vocabulary import Channel
from herald.render import NoticeDetails, render_drafts
from herald.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
HOSTILE = "{{ 7*7 }} {% include 'x' %} <script>alert(1)</script>"

CONTACT = {
    "name": "Jane Roe, Privacy Officer",
    "email": "privacy@example.com",
    "phone": "+1 800 555 0100",
    "postal_address": "1 Main St, New York, NY 10001",
    "website": "https://example.com/incident",
}
DETAILS = {
    "cause": "A phished VPN credential without multi-factor authentication.",
    "systems": "Patient portal database server",
    "breach_period": "between 28 May and 1 June 2027",
    "ended_at": "2027-06-02T18:00:00+00:00",
    "records_count": 2_500_000,
    "malicious": True,
    "cross_border": True,
    "indicators": "C2 at 203.0.113.7; file hash 3f2a…",
    "safeguards": "Encryption at rest, annual staff training, quarterly access reviews.",
    "delay_reasons": "Forensic triage took longer than expected.",
    "identity_theft_services": "We offer 24 months of free identity monitoring.",
    "law_enforcement_delay": False,
}


def facts_data(**overrides: Any) -> dict[str, Any]:
    """An incident that reaches every modelled regime; override any top-level key."""
    data: dict[str, Any] = {
        "title": "Ransomware attack on the patient portal",
        "description": "An attacker used a stolen VPN credential and exfiltrated records.",
        "remediation": "The credential was revoked and the systems restored from backups.",
        "aware_at": "2027-06-02T09:15:00+00:00",
        "discovered_at": "2027-06-01T22:00:00+00:00",
        "determined_at": "2027-06-02T12:00:00+00:00",
        "ransom_paid_at": "2027-06-03T10:00:00+00:00",
        "risk": "high",
        "entity": {
            "name": "Example Health Inc.",
            "established_in": ["US-NY", "DE"],
            "sectors": [
                "hipaa_covered_entity",
                "sec_registrant",
                "glba_financial_institution",
                "nydfs_covered_entity",
                "cii_operator",
                "nis2_essential",
            ],
            "timezone": "America/New_York",
            "contact": CONTACT,
        },
        "data_categories": ["name", "email", "health", "government_id", "account_credentials"],
        "affected": [
            {"jurisdiction": "US-CA", "count": 700},
            {"jurisdiction": "US-NY", "count": 6000},
            {"jurisdiction": "DE", "count": 400},
            {"jurisdiction": "GB", "count": 300},
            {"jurisdiction": "CN", "count": 1_200_000},
            {"jurisdiction": "SG", "count": 600},
            {"jurisdiction": "AU", "count": 100},
            {"jurisdiction": "CA-ON", "count": 100},
            {"jurisdiction": "CA-QC", "count": 100},
            {"jurisdiction": "BR", "count": 100},
            {"jurisdiction": "JP", "count": 2000},
            {"jurisdiction": "KR", "count": 2000},
            {"jurisdiction": "IN", "count": 100},
        ],
        "details": DETAILS,
    }
    data.update(overrides)
    return data


def obligations_for(data: dict[str, Any]) -> tuple[IncidentFacts, list[Obligation]]:
    """The facts as judged and the obligations to anyone but individuals and the public."""
    facts, _, evaluation = judge(IncidentFacts.model_validate(data), None)
    wanted = [
        o
        for o in evaluation.obligations
        if o.audience not in (Audience.INDIVIDUALS, Audience.PUBLIC)
    ]
    return facts, wanted


def render(data: dict[str, Any], *, language: str | None = None) -> dict[str, RenderedDraft]:
    """Drafts by obligation id; `language` re-targets every obligation (e.g. "en")."""
    facts, obligations = obligations_for(data)
    if language is not None:
        obligations = [o.model_copy(update={"language": language}) for o in obligations]
    drafts = render_drafts(
        incident_id="INC-2027-0042",
        facts=facts,
        obligations=obligations,
        assessment=None,
        channel_order=[Channel.EMAIL],
        templates_dir=TEMPLATES,
    )
    return {draft.obligation_id: draft for draft in drafts}


@cache
def complete() -> dict[str, RenderedDraft]:
    return render(facts_data())


@cache
def complete_in_english() -> dict[str, RenderedDraft]:
    return render(facts_data(), language="en")


@cache
def sparse() -> dict[str, RenderedDraft]:
    return render(facts_data(details={}))


def cjk_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / len(letters)


# Obligation id -> (language of the draft, field labels of the authority's form).
FORMS: dict[str, tuple[str, list[str]]] = {
    "hipaa-regulator": (
        "en",
        [
            "Name of covered entity: Example Health Inc.",
            "Type of covered entity",
            "Breach occurred at or by a business associate:",
            "Breach start date: between 28 May and 1 June 2027",
            "Breach end date: ",
            "Date of discovery:",
            "Approximate number of individuals affected by the breach:",
            "Type of breach (Hacking/IT Incident, Unauthorized Access/Disclosure, Theft, Loss,",
            "Location of breached information",
            "Type of protected health information involved (Clinical, Demographic, Financial,"
            " Other): Demographic, Clinical, Other",
            "Safeguards in place prior to the breach",
            "Encryption at rest, annual staff training",
            "Dates individual notice was provided:",
            "Was substitute notice required:",
            "Was media notice required:",
            "Actions taken in response to the breach",
        ],
    ),
    "hipaa-media-us-ny": (
        "en",
        [
            "FOR IMMEDIATE RELEASE",
            "Prominent media outlets serving New York",
            "Date of discovery:",
            "What individuals can do",
            "review the statements they receive from their health insurer",
            "For more information",
        ],
    ),
    "eu-nis2-other-service-recipients": (
        "en",
        ["Services affected: Patient portal database server", "Measures you can take"],
    ),
    "cn-cac-incident-regulator": (
        "zh-CN",
        [
            "网络安全事件报告",
            "事发单位名称：Example Health Inc.",
            "事件发生时间：",
            "事件发生地点：",
            "事件类型",
            "事件级别",
            "三、受影响的系统或平台",
            "四、影响范围和程度",
            "五、勒索情况",
            "六、事件发展趋势及可能进一步造成的影响",
            "七、初步原因分析",
            "A phished VPN credential",
            "八、追踪溯源线索",
            "C2 at 203.0.113.7",
            "已采取的处置措施及效果：",
            "拟采取的措施：",
            "十、需要的支持",
            "十一、现场证据保全情况",
            "十二、报告人及联系方式",
            "报告人：Jane Roe, Privacy Officer",
        ],
    ),
    "cn-pipl-regulator": (
        "zh-CN",
        ["（一）信息种类", "（一）原因", "（一）可能造成的危害", "个人可以采取的减轻危害的措施"],
    ),
    "gdpr-regulator-de": (
        "en",
        [
            "(Article 33(3)(a))",
            "(Article 33(3)(b))",
            "(Article 33(3)(c))",
            "(Article 33(3)(d))",
            "Reasons for the delay (Article 33(1))",
            "Forensic triage took longer than expected.",
            "provided in phases",
        ],
    ),
    "uk-gdpr-regulator": (
        "en",
        [
            "Initial report or follow-up:",
            "About you",
            "How did you discover the breach:",
            "Personal data placed at risk",
            "Have you told the data subjects:",
            "Has the staff member received data protection training in the last two years:",
        ],
    ),
    "sec-8k-regulator": (
        "en",
        [
            "Item 1.05 Material Cybersecurity Incidents",
            "Nature, scope and timing of the incident",
            "Material impact or reasonably likely material impact on the Company, including"
            " its financial condition and results of operations:",
            "(Instruction 2 to Item 1.05)",
            "the material impact or reasonably likely material impact",
            "will file an amendment to this Current Report on Form 8-K",
            "Exact name of registrant as specified in its charter: Example Health Inc.",
        ],
    ),
    "ftc-safeguards-regulator": (
        "en",
        [
            "Name of the financial institution: Example Health Inc.",
            "(ii) Types of information involved",
            "(iii) Date or date range of the notification event",
            "(iv) Number of consumers affected or potentially affected",
            "(v) General description of the notification event",
            "written determination that notifying the public would impede a criminal"
            " investigation or damage national security: No",
        ],
    ),
    "nydfs-500-regulator": (
        "en",
        ["Notice of Cybersecurity Incident", "23 NYCRR 500.17(a)", "DFS Portal"],
    ),
    "nydfs-500-regulator-ransom-24h": (
        "en",
        ["Notice of Extortion Payment", "An extortion payment was made"],
    ),
    "nydfs-500-regulator-ransom-30d": (
        "en",
        [
            "Reasons the payment was necessary:",
            "Alternatives to payment considered:",
            "All diligence performed to find alternatives to payment:",
            "including those of the Office of Foreign Assets Control:",
        ],
    ),
    "au-ndb-regulator": (
        "en",
        [
            "(a) Identity and contact details of the entity",
            "(b) Description of the eligible data breach",
            "(c) Kinds of information concerned",
            "(d) Recommended steps for individuals",
            "Other entities involved (s 26WK(4))",
        ],
    ),
    "sg-pdpa-regulator": (
        "en",
        [
            "Date the organisation first became aware of the breach:",
            "(b) Steps taken since becoming aware",
            "(c) How the breach occurred: A phished VPN credential",
            "(h) Plan to notify affected individuals or the public",
            "(i) Authorised representative",
        ],
    ),
    "jp-appi-regulator-preliminary": (
        "ja",
        ["速報", "(4) 原因 / Cause", "(6) 本人への対応の実施状況", "(7) 公表の実施状況"],
    ),
    "jp-appi-regulator-final": (
        "ja",
        ["確報", "(8) 再発防止のための措置", "(9) その他参考となる事項"],
    ),
    "kr-pipa-regulator": (
        "ko",
        [
            "개인정보 유출등 신고서",
            "유출된 개인정보 항목:",
            "조치 결과 / Results of the measures:",
            "피해를 최소화하기 위하여 정보주체가 할 수 있는 방법",
        ],
    ),
    "in-dpdp-regulator": (
        "en",
        ["Intimation of a Personal Data Breach", "Location of occurrence", "Likely impact"],
    ),
    "in-dpdp-regulator-detailed": (
        "en",
        [
            "Detailed Report of a Personal Data Breach",
            "(ii) Events, circumstances and reasons leading to the breach",
            "(iv) Findings regarding the person who caused the breach",
            "(v) Remedial measures to prevent recurrence",
            "(vi) Report on the intimations given to affected Data Principals",
        ],
    ),
    "ca-pipeda-regulator": (
        "en",
        [
            "(a) Circumstances and cause",
            "(b) Day or period of the breach",
            "(f) Notification of affected individuals",
            "(g) Contact person",
        ],
    ),
    "ca-qc-law25-regulator": (
        "fr",
        [
            "Numéro d'entreprise du Québec (NEQ)",
            "Date de la prise de connaissance",
            "Dont résidant au Québec / Of whom residing in Québec : 100",
            "11° Organisme hors Québec avisé",
        ],
    ),
    "br-lgpd-regulator": (
        "pt-BR",
        [
            "Agente de tratamento de pequeno porte",
            "III – Medidas técnicas e de segurança utilizadas",
            "Data do conhecimento pelo controlador",
            "Motivos da demora:",
        ],
    ),
    "br-lgpd-regulator-supplement": ("pt-BR", ["Complementar"]),
    "us-ca-regulator": (
        "en",
        ["Sample copy of the consumer notice", "Date(s) notice was provided to consumers:"],
    ),
}


def test_every_authority_report_is_complete() -> None:
    drafts = complete()
    assert set(FORMS) <= set(drafts)
    for obligation_id, draft in drafts.items():
        assert draft.missing_elements == [], obligation_id
        assert "None" not in draft.body, obligation_id
        assert "[[recipient_name]]" not in draft.body, obligation_id


@pytest.mark.parametrize("obligation_id", sorted(FORMS))
def test_report_carries_the_authority_fields(obligation_id: str) -> None:
    language, labels = FORMS[obligation_id]
    draft = complete()[obligation_id]
    assert draft.channel == Channel.REPORT
    assert draft.language == language
    for label in labels:
        assert label in draft.body, label


def test_english_versions_are_complete_too() -> None:
    drafts = complete_in_english()
    for obligation_id, draft in drafts.items():
        assert draft.language == "en", obligation_id
        assert draft.missing_elements == [], obligation_id
    assert "12. Reporter and contact details" in drafts["cn-cac-incident-regulator"].body
    assert "3. Contact information of the processor" in drafts["cn-pipl-regulator"].body
    assert "(8) Measures to prevent recurrence:" in drafts["jp-appi-regulator-final"].body
    assert "Results of the measures:" in drafts["kr-pipa-regulator"].body
    assert "(11) Body outside Québec notified" in drafts["ca-qc-law25-regulator"].body
    assert "III - Technical and security measures used" in drafts["br-lgpd-regulator"].body


def test_nis2_stages_say_what_article_23_4_asks_of_each() -> None:
    drafts = complete()
    early = drafts["eu-nis2-regulator-early-warning"].body
    notification = drafts["eu-nis2-regulator-notification"].body
    final = drafts["eu-nis2-regulator-final"].body

    # (a) early warning: suspected unlawful or malicious act; possible cross-border impact.
    assert "Early warning" in early
    assert "Suspected unlawful or malicious act: Yes" in early
    assert "Possible cross-border impact: Yes" in early
    assert "Indicators of compromise" not in early
    assert "Type of threat or root cause" not in early
    # (b) notification: update, initial assessment (severity, impact), indicators.
    assert "Update of the early warning" in notification
    assert "Initial assessment: severity and impact" in notification
    assert "Indicators of compromise" in notification
    assert "C2 at 203.0.113.7" in notification
    assert "Type of threat or root cause" not in notification
    # (d) final: detailed description, severity and impact, root cause, mitigation, cross-border.
    for heading in (
        "Detailed description",
        "Severity and impact",
        "Type of threat or root cause",
        "Mitigation measures applied and ongoing",
        "Cross-border impact: Yes",
    ):
        assert heading in final
    assert "Update of the early warning" not in final
    assert len({early, notification, final}) == 3


def test_nis2_final_report_becomes_a_progress_report_while_ongoing() -> None:
    final = sparse()["eu-nis2-regulator-final"].body
    assert "progress report (Art. 23(4)(e))" in final
    assert "handled; this is the final report" in complete()["eu-nis2-regulator-final"].body


def test_cac_report_is_in_chinese() -> None:
    draft = complete()["cn-cac-incident-regulator"]
    assert draft.language == "zh-CN"
    assert draft.subject is not None and draft.subject.startswith("网络安全事件报告")
    # Every label and heading the template prints is Chinese (values may be in any language:
    # the rules' recipient and deadline texts and the responder's words are printed as given).
    lines = draft.body.splitlines()
    labels = [line.split("：")[0] for line in lines if "：" in line]
    headings = [line for line, under in zip(lines, lines[1:], strict=False) if under[:3] == "---"]
    assert len(labels) > 20 and len(headings) >= 12
    for text in labels + headings:
        assert cjk_share(text) > 0.5, text
    assert "涉及的个人数据类别：" in draft.body and "联系方式：" in draft.body


def test_unknown_optional_fields_are_not_yet_determined() -> None:
    drafts = sparse()
    for obligation_id, draft in drafts.items():
        # California's sample letter needs the (required) free-services offer.
        expected = ["identity_theft_services"] if obligation_id == "us-ca-regulator" else []
        assert draft.missing_elements == expected, obligation_id
    hipaa = drafts["hipaa-regulator"].body
    assert "Breach end date: Not yet determined" in hipaa
    assert (
        "Safeguards in place prior to the breach\n---------------------------------------" in hipaa
    )
    assert "\nNot yet determined\n" in hipaa
    assert "Indicators of compromise: Not yet determined" in drafts["eu-nis2-regulator-final"].body
    assert "Cause: Not yet determined" in drafts["gdpr-regulator-de"].body
    assert (
        "七、初步原因分析\n----------------\n\n尚未确定" in drafts["cn-cac-incident-regulator"].body
    )
    assert "未確定 / Not yet determined" in drafts["jp-appi-regulator-final"].body
    assert "미확정 / Not yet determined" in drafts["kr-pipa-regulator"].body


def test_unknown_required_values_are_placeholders_that_block_approval() -> None:
    drafts = render(facts_data(description="", remediation="", details={}))
    hipaa = drafts["hipaa-regulator"]
    assert "[Description of the incident: to be completed]" in hipaa.body
    assert hipaa.missing_elements == ["nature_of_breach", "measures_taken"]
    cac = drafts["cn-cac-incident-regulator"]
    assert "[事件描述：待补充]" in cac.body
    assert "nature_of_breach" in cac.missing_elements
    appi = drafts["jp-appi-regulator-final"]
    assert "[事案の概要：要記入]" in appi.body
    assert "nature_of_breach" in appi.missing_elements


@pytest.mark.parametrize("field", ["description", "remediation"])
def test_hostile_free_text_is_printed_literally(field: str) -> None:
    details = {**DETAILS, "cause": HOSTILE, "indicators": HOSTILE}
    for drafts in (
        render(facts_data(details=details, **{field: HOSTILE})),
        render(facts_data(details=details, **{field: HOSTILE}), language="en"),
    ):
        for obligation_id, draft in drafts.items():
            assert HOSTILE in draft.body, obligation_id


def test_default_reports_exist_in_english_and_chinese() -> None:
    for audience in ("regulator", "credit_reporting_agencies", "law_enforcement", "other"):
        for language in ("en", "zh-CN"):
            assert (TEMPLATES / "_default" / audience / f"report.{language}.txt.j2").is_file()


def test_business_associate_notice_to_the_covered_entity() -> None:
    data = facts_data()
    data["entity"] = {**data["entity"], "sectors": ["hipaa_business_associate"]}
    draft = render(data)["hipaa-other-covered-entity"]
    assert draft.missing_elements == []
    assert "Business Associate Notice" in draft.body
    assert "Identification of each individual affected" in draft.body


def test_a_late_filing_states_its_reasons_wherever_an_authority_asks_for_them() -> None:
    facts, obligations = obligations_for(facts_data(details={}))
    late = [
        o.model_copy(update={"required_content": [*o.required_content, "delay_reasons"]})
        for o in obligations
        if o.audience == Audience.REGULATOR and o.regime not in ("sec-8k", "us-ca")
    ]
    for details in (NoticeDetails(), NoticeDetails(delay_reasons="The administrator was away.")):
        drafts = render_drafts(
            incident_id="INC-2027-0042",
            facts=facts,
            obligations=late,
            assessment=None,
            channel_order=[Channel.EMAIL],
            templates_dir=TEMPLATES,
            details=details,
        )
        for draft in drafts:
            assert draft.missing_elements == ([] if details else ["delay_reasons"]), draft.id
