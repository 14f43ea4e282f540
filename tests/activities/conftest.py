"""Fixtures of the delivery activity tests: a real SQLite ledger and a real outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from herald.channels.outbox import OutboxChannel
from herald.store.ledger import Ledger
from tests.activities.delivery_support import engine_in


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from engine_in(tmp_path)


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    return Ledger(engine)


@pytest.fixture
def outbox(tmp_path: Path) -> OutboxChannel:
    return OutboxChannel(tmp_path / "outbox")
