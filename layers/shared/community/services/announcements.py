"""The channel card: with ANNOUNCE_CHAT_ID set, each new event is posted to that chat (a photo
with a caption when it has an image, else a text message) with one `url` button "Open event"
to its direct link, and the message is edited to follow the event: its title, time, place and
capacity as an admin changes them, "Cancelled" (and no button) once cancelled, and the
"12 / 30 going" line as members RSVP.

Everything goes through the outbox (data/outbox.py): an `announce` notice is written in the
transaction of the change (the event's creation, an admin's edit, an RSVP or a cancelled one),
and the notice sender (functions/notice_sender) hands it here. Each notice is claimed before
anything is sent (`TOLD#<notice>#announce#<chat>`): a record handed over again sends nothing.
The card's text is not in the notice: a send reads the event as it is then, builds the card,
and edits only when its SHA-256 differs from the one the event records as shown (so an
unchanged card is never edited, and Telegram's "message is not modified" is no failure).

At most one count edit per event and minute, whatever the rate of RSVPs: an RSVP's notice is
the minute's slot `NOTICE#<event>#A<minute>`, upserted in the RSVP's transaction, whose INSERT
only the minute's first RSVP makes (the stream passes INSERTs only). The edit reads the count
when it runs, so RSVPs made before it are in it. The minute's RSVPs after that read would be
lost if nothing more happened, so every edit also puts the event on a five-minute recheck list
(data/announcements.py), and the reminder sweep (every five minutes) compares each listed
event's card with what it shows: a card behind gets this minute's slot (a conditional put,
which an RSVP's own slot for the minute makes unnecessary), hence one more edit. The last count
is shown within seconds when another RSVP comes in a later minute, else within about five
minutes; an admin's change is edited at once (its own notice, no slot).

The first post is claimed on the event (`announce_claimed_at`, a conditional write) before it
is sent, so two senders racing the first post cannot both post; the message id is kept on the
event. A post that certainly did not go (a 5xx, no connection, a 429 asking too long) gives
both claims back and the stream hands the notice over again; one that may have gone (no
answer) is never posted again."""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from community import applinks
from community.data import announcements as records
from community.data import events as events_table
from community.data import notifications, outbox
from community.entities import Event
from community.gateways import telegram_bot as botapi
from community.observability import count, logger
from community.values import display_time, single_line

BUTTON_TEXT = "Open event"
MEDIUM = "announce"
# Telegram's limits: a caption 1024 characters, a text message 4096.
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
# An edit that raced another sender's is checked and redone at most this many times.
MAX_EDITS_PER_NOTICE = 2


class AnnounceIncomplete(Exception):
    """The card's post or edit certainly did not go: the stream should hand it over again."""


@dataclass(frozen=True)
class Card:
    text: str
    markup: dict[str, Any] | None

    @property
    def hash(self) -> str:
        shown = json.dumps([self.text, self.markup], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(shown.encode()).hexdigest()


@dataclass
class AnnounceReport:
    """What one announce notice did: posted, edited, unchanged (nothing to edit), or why
    nothing was sent."""

    outcome: str = "unchanged"
    edits: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def going_line(event: Event) -> str:
    if event.capacity is None:
        return f"{event.attendee_count} going"
    return f"{event.attendee_count} / {event.capacity} going"


def card(event: Event, *, photo: bool | None = None) -> Card:
    """The card as the event is now: title, when, where, and the going line with the button
    while it is on; "Cancelled" and no button once it is not."""
    title, location = single_line(event.title), single_line(event.location)
    where = [f"Where: {location}"] if location else []
    when = f"When: {display_time(event.start_date)}"
    if not event.is_active:
        lines = [f"Cancelled: {title}", when, *where, "This event has been cancelled."]
        markup = None
    else:
        lines = [title, when, *where, going_line(event)]
        target = applinks.Target(event_id=event.id)
        markup = {"inline_keyboard": [[{"text": BUTTON_TEXT, "url": applinks.direct_link(target)}]]}
    is_photo = bool(event.image_url) if photo is None else photo
    limit = CAPTION_LIMIT if is_photo else TEXT_LIMIT
    text = "\n".join(lines)
    return Card(text if len(text) <= limit else text[: limit - 1] + "\u2026", markup)


def _chat(chat_id: str) -> int | str:
    """The Bot API's chat_id: a number, or a public channel's "@name"."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def send(record: outbox.Notice, api: botapi.BotApi, now: datetime | None = None) -> AnnounceReport:
    """Bring the event's card up to date, once per notice record (module docstring)."""
    now = now or datetime.now(UTC)
    report = AnnounceReport()
    event = events_table.get(record.event_id, consistent=True)
    if event is None or not event.announce_chat_id:
        report.outcome = "not_announced"
        return report
    claim = notifications.told_key(record.id, MEDIUM, event.announce_chat_id)
    if not notifications.claim_notice(claim, now, record.created_at + outbox.NOTICE_TTL):
        report.outcome = "already_claimed"
        return report
    try:
        if event.announce_message_id is None:
            _post(event, api, now, report)
        else:
            _refresh(event, api, now, report)
    except AnnounceIncomplete:
        notifications.release(claim)
        raise
    logger.info(
        "channel card", extra={"notice_id": record.id, "event_id": event.id, **report.as_dict()}
    )
    return report


def _post(event: Event, api: botapi.BotApi, now: datetime, report: AnnounceReport) -> None:
    assert event.announce_chat_id is not None
    if not event.is_active:
        report.outcome = "cancelled_before_posted"
        return
    if not records.claim_post(event.id, now):
        report.outcome = "already_posting"
        return
    photo = bool(event.image_url)
    shown = card(event, photo=photo)
    chat = _chat(event.announce_chat_id)
    markup = {"reply_markup": shown.markup} if shown.markup else {}
    if photo:
        result = api.send_photo(
            {"chat_id": chat, "photo": event.image_url, "caption": shown.text, **markup}
        )
        if result.outcome is botapi.Outcome.REFUSED:
            # Telegram could not fetch the image (or refused it): the card goes as text.
            _log_not_sent(event, "photo refused", result)
            photo, shown = False, card(event, photo=False)
            result = api.send_message({"chat_id": chat, "text": shown.text, **markup})
    else:
        result = api.send_message({"chat_id": chat, "text": shown.text, **markup})
    if result.outcome is botapi.Outcome.SENT and result.message_id is not None:
        records.record_post(event.id, result.message_id, photo, shown.hash)
        report.outcome = "posted"
        count("AnnouncePosted")
        # The event may have changed while it was posted (an RSVP, an edit whose notice found
        # no message yet): compare once more with what it is now.
        after = events_table.get(event.id, consistent=True)
        if after is not None:
            _refresh(after, api, now, report, posted=True)
        return
    _log_not_sent(event, "post", result)
    if result.outcome is botapi.Outcome.FAILED:
        records.release_post(event.id)
        raise AnnounceIncomplete(event.id)
    # Unknown: it may have been posted, never post again. Refused, blocked: the bot may not
    # post there (not an admin, no such chat); posting again cannot help.
    report.outcome = f"post_{result.outcome.value}"


def _refresh(
    event: Event,
    api: botapi.BotApi,
    now: datetime,
    report: AnnounceReport,
    *,
    posted: bool = False,
) -> None:
    """Edit the card to show the event as it is, unless it already does. Every look at a
    posted card puts it on the recheck list, an edit or not: RSVPs after this read, in this
    minute, made no slot of their own, and the sweep is what shows them."""
    records.mark_for_recheck(event.id, now)
    for _ in range(MAX_EDITS_PER_NOTICE):
        chat, message_id = event.announce_chat_id, event.announce_message_id
        if chat is None or message_id is None:
            return
        shown = card(event, photo=event.announce_photo)
        if shown.hash == event.announced_hash:
            return
        field = "caption" if event.announce_photo else "text"
        payload: dict[str, Any] = {
            "chat_id": _chat(chat),
            "message_id": message_id,
            field: shown.text,
        }
        if shown.markup:
            payload["reply_markup"] = shown.markup
        # No reply_markup once cancelled: Telegram removes the button with the edit.
        edit = api.edit_message_caption if event.announce_photo else api.edit_message_text
        result = edit(payload)
        if result.outcome is not botapi.Outcome.SENT:
            _log_not_sent(event, "edit", result)
            if result.outcome is botapi.Outcome.FAILED:
                raise AnnounceIncomplete(event.id)
            report.outcome = f"edit_{result.outcome.value}"
            return
        report.edits += 1
        if not posted:
            report.outcome = "edited"
        count("AnnounceEdited")
        if records.record_shown(event.id, shown.hash, event.announced_hash):
            return
        # Another sender edited the card meanwhile, maybe after this edit landed: read the
        # event again and make the card show it.
        again = events_table.get(event.id, consistent=True)
        if again is None:
            return
        event = again


def _log_not_sent(event: Event, step: str, result: botapi.SendResult) -> None:
    logger.warning(
        f"channel card {step} not sent",
        extra={
            "event_id": event.id,
            "outcome": result.outcome.value,
            "status": result.status,
            "attempts": result.attempts,
            "description": result.description,
        },
    )
    count(f"Announce{result.outcome.value.capitalize()}")


def catch_up(now: datetime | None = None) -> int:
    """The reminder sweep's part: each card looked at in the last windows that no longer shows
    its event (RSVPs after its edit read the count) gets this minute's slot, hence one edit;
    how many did. When the minute's slot exists already (an RSVP's), its own look at the card
    puts the event on this window's list again, and the next sweep sees it: never two edits
    in a minute."""
    now = now or datetime.now(UTC)
    ids = records.to_recheck(now)
    if not ids:
        return 0
    behind = 0
    for event in events_table.get_many(sorted(ids)).values():
        if event.announce_message_id is None or not event.announce_chat_id:
            continue
        if card(event, photo=event.announce_photo).hash == event.announced_hash:
            continue
        if records.claim_slot(event.id, now, "sweep"):
            behind += 1
    if behind:
        count("AnnounceCaughtUp", behind)
    return behind


def change(stored: Event, changed: Event, now: datetime) -> outbox.Draft | None:
    """The announce notice an admin's change needs: one for an announced event whose card
    would show something else (its title, time, place, capacity, or its cancellation)."""
    if not stored.announce_chat_id:
        return None
    if card(stored).text == card(changed).text:
        return None
    reason = "cancelled" if stored.is_active and not changed.is_active else "changed"
    return outbox.Draft(outbox.ANNOUNCE, {"reason": reason}, now)
