"""HTML email parts and PDF letters, generated from the approved text."""

from __future__ import annotations

import io

import pypdf
import pytest

from herald.rendering import layout

BODY = (
    "Notice of Data Breach\n=====================\n\nDear [[recipient_name]],\n\n"
    "What Happened\n-------------\nSee https://example.org/notice?a=1&b=2 for more.\n\n"
    "  - Change your password\n"
)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _fonts(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    names: set[str] = set()
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        fonts = resources["/Font"].get_object()  # type: ignore[index]
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_email_html_presents_the_text() -> None:
    document = layout.email_html(
        subject="Notice of Data Breach",
        body=BODY,
        language="en",
        entity_name="Example & Co",
        incident_id="INC-1",
    )
    assert '<html lang="en" dir="ltr">' in document
    assert ">Notice of Data Breach</h1>" in document
    assert ">What Happened</h2>" in document
    assert ">Change your password</li>" in document
    assert '<a href="https://example.org/notice?a=1&amp;b=2">' in document
    assert "Example &amp; Co" in document
    # The name slot survives for delivery, which fills it escaped.
    filled = layout.personalise_html(document, "Ann <b>")
    assert "Dear Ann &lt;b&gt;," in filled
    assert "[[recipient_name]]" not in filled


def test_letter_pdf_has_address_block_date_and_text() -> None:
    document = layout.letter_html(
        body=BODY,
        language="en",
        entity_name="Example GmbH",
        sender_address="Friedrichstraße 100\n10117 Berlin",
        incident_id="INC-1",
        recipient_name="Avery Johnson",
        recipient_address="107 Example Street\nLos Angeles, CA 90012",
        notice_date="March 5, 2026",
        us_letter=True,
    )
    assert "size: letter;" in document
    data = layout.letter_pdf(document)
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    for expected in (
        "Avery Johnson",
        "107 Example Street",
        "Los Angeles, CA 90012",
        "March 5, 2026",
        "Notice of Data Breach",
        "Dear Avery Johnson,",
        "What Happened",
        "Ref. INC-1",
    ):
        assert expected in text, expected
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    assert round(float(page.mediabox.width)) == 612  # 8.5 in


@pytest.mark.parametrize(
    ("language", "text", "font"),
    [
        ("zh-CN", "数据泄露通知", "Noto-Sans-CJK-SC"),
        ("ja", "個人データ漏えいのお知らせ", "Noto-Sans-CJK-JP"),
        ("ko", "개인정보 유출 안내", "Noto-Sans-CJK-KR"),
    ],
)
def test_cjk_letters_embed_a_font_that_has_the_glyphs(language: str, text: str, font: str) -> None:
    document = layout.letter_html(
        body=f"{text}\n{'=' * 12}\n\n{text}\n",
        language=language,
        entity_name="Example",
        sender_address="",
        incident_id="INC-1",
        recipient_name=text,
        recipient_address=layout.SAMPLE_ADDRESS,
    )
    data = layout.letter_pdf(document)
    assert text in _pdf_text(data)
    assert any(name.startswith(font) for name in _fonts(data)), _fonts(data)
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4


def test_printing_never_fetches_anything() -> None:
    # Even a document with external references (which the layout never produces) is
    # printed without reading them.
    data = layout.letter_pdf(
        '<html><body><img src="file:///etc/passwd"><p>kept</p>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></body></html>'
    )
    assert "kept" in _pdf_text(data)
