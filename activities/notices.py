"""Publishing notices addressed to the public, the media or other bodies."""

from __future__ import annotations

from temporalio import activity

from herald.channels.outbox import OutboxChannel
from herald.models import Channel
from herald.models.messages import PublishNoticeInput, PublishNoticeResult


class NoticeActivities:
    """Writes public web notices and other non-personal notices where they can be served."""

    def __init__(self, outbox: OutboxChannel) -> None:
        """Bind to the outbox, whose `public/` folder holds the pages to publish."""
        self._outbox = outbox

    @activity.defn
    def publish_notice(self, inp: PublishNoticeInput) -> PublishNoticeResult:
        """Write each approved language version; web pages as HTML, others as email."""
        folder = self._outbox.root / inp.incident_id / "public"
        folder.mkdir(parents=True, exist_ok=True)
        for message in inp.messages:
            if message.channel is Channel.WEB:
                page = folder / f"{inp.obligation.id}.{message.language}.html"
                tmp = page.with_suffix(".tmp")
                tmp.write_text(message.body, encoding="utf-8")
                tmp.replace(page)
            else:
                self._outbox.write_document(
                    inp.incident_id,
                    folder="public",
                    name=f"{inp.obligation.id}.{message.language}",
                    to=[inp.obligation.contact or inp.obligation.recipient],
                    subject=message.subject or inp.obligation.recipient,
                    body=message.body,
                )
        return PublishNoticeResult(location=str(folder))
