"""The structured-text reading that the HTML email and PDF letter layouts rely on."""

from __future__ import annotations

from herald.rendering.structure import Block, parse


def test_title_headings_paragraphs_and_lists() -> None:
    text = (
        "Notice of Data Breach\n=====================\n\nDear [[recipient_name]],\n\n"
        "What Happened\n-------------\nFirst line.\nSecond line.\n\n"
        "  - one\n    continued\n  - two\nAfter the list.\n"
    )
    assert parse(text) == [
        Block("title", ("Notice of Data Breach",)),
        Block("paragraph", ("Dear [[recipient_name]],",)),
        Block("heading", ("What Happened",)),
        Block("paragraph", ("First line.", "Second line.")),
        Block("list", ("one\ncontinued", "two")),
        Block("paragraph", ("After the list.",)),
    ]


def test_only_the_fixed_structure_is_markup() -> None:
    # Short rules, emphasis and HTML in responder text stay text.
    text = "a == b\n--\n<b>bold</b> *not a list*\n"
    assert parse(text) == [Block("paragraph", ("a == b", "--", "<b>bold</b> *not a list*"))]


def test_a_list_item_is_never_a_heading() -> None:
    assert parse("- item\n----\n") == [Block("list", ("item",)), Block("paragraph", ("----",))]


def test_empty_text_has_no_blocks() -> None:
    assert parse("") == []
    assert parse("\n\n") == []
