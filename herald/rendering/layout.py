"""HTML email parts and print-ready PDF letters, generated from the approved plain text.

The approved text is the content; these layouts only present it (see `structure`). Both
layouts live in `templates/_layouts/` and run in the same sandboxed, autoescaping Jinja2
environment as the notices, so a responder's words or a recipient's name can never become
markup. The PDF is printed by WeasyPrint; CJK text needs the Noto CJK fonts that
`scripts/system-packages.sh` installs.
"""

from __future__ import annotations

import html
from pathlib import Path

from herald.models.drafts import RECIPIENT_NAME_TOKEN
from herald.rendering import structure, templates
from herald.rendering.l10n import canonical_language
from herald.settings import get_settings

EMAIL_LAYOUT = "_layouts/email.html.j2"
LETTER_LAYOUT = "_layouts/letter.html.j2"
# Stands where the person's postal address goes in a sample letter (preview, regulator copy).
SAMPLE_ADDRESS = "[Postal address of the individual]"

_RTL = frozenset({"ar", "he", "fa", "ur"})
_REFERENCE = {"de": "Az.", "fr": "Réf.", "es": "Ref.", "pt": "Ref.", "zh": "编号", "ja": "参照番号"}
_REFERENCE |= {"ko": "참조 번호"}


def _common(language: str) -> dict[str, str]:
    primary = canonical_language(language).split("-")[0]
    return {
        "language": language,
        "direction": "rtl" if primary in _RTL else "ltr",
        "reference_label": _REFERENCE.get(primary, "Ref."),
    }


def email_html(
    *,
    subject: str,
    body: str,
    language: str,
    entity_name: str,
    incident_id: str,
    templates_dir: Path | None = None,
) -> str:
    """The HTML part of a notice email: the approved text, laid out for mail clients.

    The recipient token stays in place, as in the text part; `personalise_html` fills it.
    """
    root = (templates_dir or get_settings().templates_dir).resolve()
    blocks = structure.parse(body)
    first = next((b.text for b in blocks if b.kind == "paragraph"), subject)
    return (
        templates.environment(root)
        .get_template(EMAIL_LAYOUT)
        .render(
            **_common(language),
            subject=subject,
            preheader=" ".join(first.split())[:120],
            entity_name=entity_name,
            incident_id=incident_id,
            blocks=blocks,
        )
    )


def personalise_html(document: str, name: str) -> str:
    """Fill a person's name into an HTML part, escaped (a name is data, never markup)."""
    return document.replace(RECIPIENT_NAME_TOKEN, html.escape(name))


def letter_html(
    *,
    body: str,
    language: str,
    entity_name: str,
    sender_address: str,
    incident_id: str,
    recipient_name: str,
    recipient_address: str,
    notice_date: str | None = None,
    us_letter: bool = False,
    templates_dir: Path | None = None,
) -> str:
    """The print layout of one letter, for one person (or a sample)."""
    root = (templates_dir or get_settings().templates_dir).resolve()
    blocks = structure.parse(body.replace(RECIPIENT_NAME_TOKEN, recipient_name))
    title = next((b.text for b in blocks if b.kind == "title"), entity_name)
    # DIN 5008 form B puts the address field 45 mm from the top edge; a US No. 10 window
    # sits about 2 in down. Both measured inside the 20 mm top margin.
    return (
        templates.environment(root)
        .get_template(LETTER_LAYOUT)
        .render(
            **_common(language),
            title=title,
            page_size="letter" if us_letter else "A4",
            window_top="31mm" if us_letter else "25mm",
            body_top="80mm" if us_letter else "75mm",
            entity_name=entity_name,
            sender_address=sender_address,
            incident_id=incident_id,
            recipient_name=recipient_name,
            recipient_address=recipient_address,
            notice_date=notice_date,
            blocks=blocks,
        )
    )


def letter_pdf(document: str) -> bytes:
    """Print a letter's HTML to PDF (see `letter_pdf_and_pages`)."""
    return letter_pdf_and_pages(document)[0]


def letter_pdf_and_pages(document: str) -> tuple[bytes, int]:
    """Print a letter's HTML to PDF; returns the PDF and its number of pages.

    The print house's manifest needs the page count, and the PDF's own page tree is in
    compressed object streams, so it is taken from the layout that was printed.
    WeasyPrint is imported here: it is slow to load. The layout references no external
    resource, and the fetcher allows no protocol at all, so printing never reads a file
    or the network whatever a text contains.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=(), fail_on_errors=False)
    rendered = HTML(string=document, url_fetcher=refuse_all).render()
    return bytes(rendered.write_pdf()), len(rendered.pages)
