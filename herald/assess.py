"""Summarise a population in one streaming pass: who is affected where, and how to reach them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import groupby

from herald.models.assessment import Assessment, JurisdictionCount
from herald.models.population import Person, PopulationSource, RowError
from herald.models.vocabulary import Channel
from herald.population import iter_rows

__all__ = ["assess_population", "choose_channel", "contact_point"]


def contact_point(person: Person, channel: Channel) -> str | None:
    """The address, number, token or postal address that reaches `person` on `channel`.

    Returns None when the person has none, or when the channel does not reach one person
    (web, report).
    """
    if channel is Channel.EMAIL:
        return person.email
    if channel in (Channel.SMS, Channel.VOICE):
        return person.phone
    if channel is Channel.PUSH:
        return person.push_token
    if channel is Channel.LETTER:
        return person.postal_address
    return None


def choose_channel(person: Person, order: Sequence[Channel]) -> Channel | None:
    """The first channel in `order` on which the person has a usable contact point.

    Args:
        person: One person from the population.
        order: Channels in the organisation's order of preference (fallback order).

    Returns:
        The chosen channel, or None when no channel in `order` reaches the person.
    """
    for channel in order:
        if contact_point(person, channel):
            return channel
    return None


def assess_population(
    source: PopulationSource, channel_order: Sequence[Channel], *, max_row_errors: int = 100
) -> Assessment:
    """Count the population per jurisdiction, data category, chosen channel and language.

    One streaming pass over the file. A row whose only problems were dropped optional fields
    (e.g. a malformed email) counts as a good person; its warnings still appear in
    `row_errors`, whose messages say "field dropped, row kept". Risk fields keep their
    defaults: risk is judged elsewhere.

    Args:
        source: The population, from `herald.population.open_population`.
        channel_order: Fallback order; each person is counted once, under the first channel
            that reaches them (see `choose_channel`).
        max_row_errors: How many row errors to keep for the responder; counts are never capped.

    Returns:
        The assessment (people counted once each; `unreachable` are people no channel in
        `channel_order` reaches).

    Raises:
        ValueError: `max_row_errors` is negative.
        herald.population.PopulationFileError: The file is not a population file.
    """
    if max_row_errors < 0:
        raise ValueError("max_row_errors must not be negative")
    total = rejected = unreachable = 0
    per_jurisdiction: Counter[str] = Counter()
    categories: dict[str, Counter[str]] = {}
    contactable: dict[str, int] = {channel.value: 0 for channel in channel_order}
    languages: Counter[str] = Counter()
    spoken: dict[str, Counter[str]] = {}
    row_errors: list[RowError] = []

    # iter_rows yields everything about one row consecutively, so grouping by row number
    # tells a rejected row (errors only) from a kept one (errors then a person).
    for _, items in groupby(iter_rows(source), key=lambda item: item.row):
        person: Person | None = None
        for item in items:
            if isinstance(item, Person):
                person = item
            elif len(row_errors) < max_row_errors:
                row_errors.append(item)
        if person is None:
            rejected += 1
            continue
        total += 1
        per_jurisdiction[person.jurisdiction] += 1
        exposed = categories.setdefault(person.jurisdiction, Counter())
        exposed.update(category.value for category in person.data_categories)
        channel = choose_channel(person, channel_order)
        if channel is None:
            unreachable += 1
        else:
            contactable[channel.value] += 1
        if person.language:
            languages[person.language] += 1
            spoken.setdefault(person.jurisdiction, Counter())[person.language] += 1

    return Assessment(
        total=total,
        rejected=rejected,
        jurisdictions=[
            JurisdictionCount(
                jurisdiction=code,
                count=per_jurisdiction[code],
                data_categories=dict(sorted(categories[code].items())),
                languages=dict(sorted(spoken.get(code, Counter()).items())),
            )
            for code in sorted(per_jurisdiction)
        ],
        contactable=contactable,
        unreachable=unreachable,
        languages=dict(sorted(languages.items())),
        row_errors=row_errors,
    )
