"""Letters as print batches for a print-mail house (`HERALD_LETTER_PROVIDER=printhouse`).

Each `send_batch` becomes one folder the print house collects:

    <root>/<incident_id>/<batch id>/<key hash>.pdf      one per letter
    <root>/<incident_id>/<batch id>/manifest.csv        one row per letter
    <root>/<incident_id>/<batch id>/manifest.json       counts per language and paper
    <root>/<incident_id>/index.tsv                      <key hash>.pdf -> batch id

Letters are printed with the letter layout (`herald.rendering.layout`), the recipient's
name and postal address in the envelope window. PDF names are hashes of the idempotency
key, never names. `manifest.csv` necessarily holds each recipient's name and postal
address, which the print house needs to match letters to envelopes: it is personal data,
as the PDFs are. Its cells are escaped against spreadsheet formula injection.

The batch id is a hash of the batch's sorted idempotency keys, so a retried batch
rewrites the same folder. A batch is built in a hidden temporary folder and renamed into
place, so the print house never sees half a batch, and a letter that is already in
another batch is not printed again (its earlier place is returned). Batch folders are
private to Herald's user (mode 0700, from `mkdtemp`), as befits personal data.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from herald.channels import mime
from herald.channels.base import (
    OutgoingMessage,
    ProviderConfigError,
    SendResult,
    TransientSendError,
    address_lines,
)
from herald.channels.config import ProviderSettings
from herald.channels.validate import MAX_ADDRESS_LINES, problem
from herald.exports import escape_formula, readable
from herald.rendering import l10n, layout

__all__ = ["MANIFEST_COLUMNS", "PrintHouseLetters", "batch_id", "paper_for"]

MANIFEST_COLUMNS = (
    "file",
    "idempotency_key",
    "content_hash",
    "language",
    "pages",
    "sha256",
    "paper_size",
    "recipient_name",
    *(f"address_{n}" for n in range(1, MAX_ADDRESS_LINES + 1)),
)
A4, US_LETTER = "A4", "letter"  # the layout's CSS page sizes
INDEX = "index.tsv"
_PARTIAL, _REPLACED = ".partial-", ".replaced-"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_STALE_PARTIAL_SECONDS = 3600  # no batch takes this long to print
_US_COUNTRY = frozenset({"US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"})
_US_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP AA AE AP"
).split()
# "Springfield, IL 62704" or "Springfield IL 62704-1234": a US last line without a country.
_US_CITY_LINE = re.compile(rf".+[ ,]({'|'.join(_US_STATES)})\s+\d{{5}}(?:-\d{{4}})?")


def paper_for(address: str) -> str:
    """The paper a letter to `address` is printed on: US Letter for a US address, else A4.

    `OutgoingMessage` does not say which law a letter serves, so the address decides: a
    last line naming the United States, or a US "City, ST 12345" line without a country.
    Everything else gets A4, as the layout gives every regime but the US ones.
    """
    lines = address_lines(address)
    last = " ".join(lines[-1].replace(".", "").upper().split()) if lines else ""
    return US_LETTER if last in _US_COUNTRY or _US_CITY_LINE.fullmatch(last) else A4


@dataclass(frozen=True)
class _Printed:
    file: str
    message: OutgoingMessage
    pdf: bytes
    pages: int
    paper: str


class PrintHouseLetters:
    """A `ChannelAdapter` that writes letters as print batches under a folder."""

    name = "printhouse"
    max_batch = 200

    def __init__(
        self,
        root: Path,
        *,
        entity_name: str,
        sender_address: str = "",
        templates_dir: Path | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        """Write batches under `root` (created on first write).

        Args:
            root: `settings.letter_dir or settings.home / "letters"` (see `from_settings`).
            entity_name: The organisation, printed as the sender and on the return line.
            sender_address: Its postal address, lines separated by newlines.
            templates_dir: Where `_layouts/letter.html.j2` is; default: the settings'.
            today: The date printed on the letters (default: today in UTC).
        """
        self.root = Path(root)
        self.entity_name = entity_name
        self.sender_address = sender_address
        self.templates_dir = templates_dir
        self._today = today or (lambda: datetime.now(UTC).date())
        self._lock = threading.Lock()
        self._recovered: set[str] = set()
        # Per incident: how far index.tsv was read, and letter file -> batch ids.
        self._index: dict[str, tuple[int, dict[str, list[str]]]] = {}

    @classmethod
    def from_settings(
        cls, providers: ProviderSettings, home: Path, *, sender_address: str = ""
    ) -> PrintHouseLetters:
        """The adapter the settings describe; `home` is `herald.settings.Settings.home`."""
        return cls(
            providers.letter_dir or home / "letters",
            entity_name=providers.sender_name,
            sender_address=sender_address,
        )

    # ---- ChannelAdapter ------------------------------------------------------------------

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Print the letters into one batch folder per incident (normally just one).

        A letter with a problem (see `herald.channels.validate`) is refused and left out.
        Raises `TransientSendError` (disk, printing) or `ProviderConfigError` (the folder
        is not writable) with no batch half written; a batch of another incident written
        before the failure is rewritten in place by the retry.
        """
        results: list[SendResult | None] = [None] * len(messages)
        groups: dict[str, list[int]] = {}
        for index, message in enumerate(messages):
            found = problem(message)
            if found is not None:
                results[index] = SendResult(accepted=False, permanent_error=found)
            else:
                groups.setdefault(mime.safe_component(message.incident_id), []).append(index)
        try:
            for incident, indexes in groups.items():
                placed = self._send_incident(incident, [messages[i] for i in indexes])
                for i in indexes:
                    where = placed[messages[i].idempotency_key]
                    results[i] = SendResult(accepted=True, provider_message_id=where)
        except PermissionError:
            raise ProviderConfigError("letter: the letter folder is not writable") from None
        except OSError as exc:
            raise TransientSendError(f"letter: could not write the batch ({_errno(exc)})") from None
        return [result for result in results if result is not None]

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool]:
        """Whether each letter's PDF is in a batch folder of its incident."""
        return [self.where(message) is not None for message in messages]

    def where(self, message: OutgoingMessage) -> str | None:
        """`<batch id>/<file>` of the batch holding this letter, or None."""
        incident = mime.safe_component(message.incident_id)
        file = _file_name(message.idempotency_key)
        folder = self.root / incident
        self._recover(folder)
        for batch in self._batches_of(folder, file):
            if (folder / batch / file).is_file():
                return f"{batch}/{file}"
        return None

    # ---- one batch -----------------------------------------------------------------------

    def _send_incident(self, incident: str, messages: list[OutgoingMessage]) -> dict[str, str]:
        """Print the letters of one incident; returns key -> `<batch id>/<file>`."""
        folder = self.root / incident
        folder.mkdir(parents=True, exist_ok=True)
        self._recover(folder)
        unique = {m.idempotency_key: m for m in reversed(messages)}  # the first one wins
        candidate = batch_id(unique)
        placed: dict[str, str] = {}
        for key, message in list(unique.items()):
            where = self.where(message)
            if where is not None and not where.startswith(f"{candidate}/"):
                placed[key] = where  # already printed in another batch: never twice
                del unique[key]
        if unique:
            batch = batch_id(unique)
            # In file-name order, as a listing of the folder shows them.
            printed = [self._print(m) for m in sorted(unique.values(), key=_by_file)]
            self._write(folder, batch, printed)
            placed |= {p.message.idempotency_key: f"{batch}/{p.file}" for p in printed}
        return placed

    def _print(self, message: OutgoingMessage) -> _Printed:
        paper = paper_for(message.to)
        us = paper == US_LETTER
        document = layout.letter_html(
            body=message.text(),
            language=message.language,
            entity_name=self.entity_name,
            sender_address=self.sender_address,
            incident_id=message.incident_id,
            recipient_name=_cell(message.recipient_name),
            recipient_address="\n".join(_cell(line) for line in address_lines(message.to)),
            notice_date=l10n.format_date(self._today(), message.language, us_style=us),
            us_letter=us,
            templates_dir=self.templates_dir,
        )
        try:
            pdf, pages = layout.letter_pdf_and_pages(document)
        except Exception as exc:  # not its text: that may quote the letter
            raise TransientSendError(f"letter: printing failed ({type(exc).__name__})") from None
        return _Printed(_file_name(message.idempotency_key), message, pdf, pages, paper)

    def _write(self, folder: Path, batch: str, printed: list[_Printed]) -> None:
        """Build the batch in a hidden folder, note it in the index, rename it into place."""
        partial = Path(tempfile.mkdtemp(dir=folder, prefix=f"{_PARTIAL}{batch}-"))
        try:
            for letter in printed:
                (partial / letter.file).write_bytes(letter.pdf)
            (partial / "manifest.csv").write_bytes(_manifest_csv(printed))
            (partial / "manifest.json").write_bytes(_manifest_json(folder.name, batch, printed))
            # Before the rename: the index may name a batch that a crash never put in place
            # (lookup checks the file exists), but never misses one that is in place.
            lines = "".join(f"{letter.file}\t{batch}\n" for letter in printed)
            _append(folder / INDEX, lines.encode())
            _swap_in(partial, folder / batch)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise

    # ---- index and recovery --------------------------------------------------------------

    def _batches_of(self, folder: Path, file: str) -> list[str]:
        """The batches index.tsv names for `file`, reading only what was appended since."""
        incident = folder.name
        with self._lock:
            offset, mapping = self._index.get(incident, (0, {}))
            try:
                with (folder / INDEX).open("rb") as handle:
                    handle.seek(offset)
                    data = handle.read()
            except FileNotFoundError:
                data = b""
            complete = data[: data.rfind(b"\n") + 1]  # a line still being appended waits
            for line in complete.decode().splitlines():
                name, _, batch = line.partition("\t")
                batches = mapping.setdefault(name, [])
                if batch not in batches:
                    batches.append(batch)
            self._index[incident] = (offset + len(complete), mapping)
            return list(mapping.get(file, ()))

    def _recover(self, folder: Path) -> None:
        """Once per incident and process: undo what a crash mid-rename left behind."""
        with self._lock:
            if folder.name in self._recovered:
                return
            self._recovered.add(folder.name)
        if not folder.is_dir():
            return
        for entry in sorted(folder.iterdir()):
            name = entry.name
            if name.startswith(_REPLACED):
                final = folder / name[len(_REPLACED) :].rpartition("-")[0]
                if final.exists():
                    shutil.rmtree(entry, ignore_errors=True)
                else:  # crashed between moving the old batch away and the new one in
                    os.rename(entry, final)
            elif name.startswith(_PARTIAL):
                if time.time() - entry.stat().st_mtime > _STALE_PARTIAL_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)


def batch_id(keys: Iterable[str]) -> str:
    """The id of the batch holding exactly these idempotency keys (order does not matter)."""
    joined = "\n".join(sorted(keys))
    return hashlib.sha256(joined.encode()).hexdigest()[:24]


def _swap_in(partial: Path, final: Path) -> None:
    """Rename `partial` to `final`; a batch already there (a retry) is replaced whole."""
    for _ in range(5):  # another worker retrying the same batch may race this one
        try:
            os.rename(partial, final)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        old = final.with_name(f"{_REPLACED}{final.name}-{uuid.uuid4().hex}")
        try:
            os.rename(final, old)
        except FileNotFoundError:
            continue
        try:
            os.rename(partial, final)
        except OSError:
            if not final.exists():
                os.rename(old, final)  # put the previous batch back
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    raise OSError(errno.EBUSY, "batch folder kept changing")


def _manifest_csv(printed: list[_Printed]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for letter in printed:
        message = letter.message
        address = [_cell(line) for line in address_lines(message.to)]
        if len(address) > MAX_ADDRESS_LINES:  # validate refuses these; never drop a line
            address[MAX_ADDRESS_LINES - 1 :] = [", ".join(address[MAX_ADDRESS_LINES - 1 :])]
        address += [""] * (MAX_ADDRESS_LINES - len(address))
        row = [
            letter.file,
            message.idempotency_key,
            message.content_hash,
            message.language,
            str(letter.pages),
            hashlib.sha256(letter.pdf).hexdigest(),
            letter.paper,
            _cell(message.recipient_name),
            *address,
        ]
        writer.writerow([escape_formula(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _manifest_json(incident: str, batch: str, printed: list[_Printed]) -> bytes:
    manifest = {
        "batch_id": batch,
        "incident_id": incident,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "count": len(printed),
        "pages": sum(letter.pages for letter in printed),
        "languages": dict(sorted(Counter(p.message.language for p in printed).items())),
        "paper": dict(sorted(Counter(p.paper for p in printed).items())),
        "files": [letter.file for letter in printed],
    }
    return (json.dumps(manifest, indent=2) + "\n").encode()


def _append(path: Path, data: bytes) -> None:
    """One O_APPEND write: concurrent writers' lines never interleave."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _cell(value: str) -> str:
    """One printable line: control characters and line breaks as spaces, and bytes that
    were not UTF-8 in the population (lone surrogates) as U+FFFD."""
    return " ".join(_CONTROL.sub(" ", readable(value)).split())


def _file_name(idempotency_key: str) -> str:
    """The letter's PDF: named as the outbox names its files, by the key's digest."""
    return f"{mime.digest(idempotency_key)}.pdf"


def _by_file(message: OutgoingMessage) -> str:
    return _file_name(message.idempotency_key)


def _errno(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
