"""Reminders: each steward's worklist as a digest, by e-mail (the alerts' SMTP server,
``BELFORT_ALERTS_SMTP_*``) and to ``BELFORT_GOVERNANCE_WEBHOOK_URL`` (a signed JSON POST,
the alerts' webhook delivery and address rules).

A steward is the e-mail address of a dataset's ``steward`` role (its own, else its
organisation's). A digest goes to a steward at most once per
``BELFORT_GOVERNANCE_REMINDER_HOURS`` and only when its items changed since the last one sent
(``ReminderSent.fingerprint``); a digest no channel delivered is tried again next round.
The e-mail's headers carry no stored text: the recipient is an address checked when the role
was saved, the subject a fixed sentence with a count.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from belfort.catalog.models import Dataset
from belfort.governance.models import ReminderSent
from belfort.governance.roles import dataset_roles
from belfort.governance.worklist import Item, MqaScores, items_of
from belfort.platform import Platform
from belfort.twin.alerts import mail, webhook

MAX_ITEMS_IN_MAIL = 200


@dataclass(frozen=True)
class Digest:
    recipient: str  # the steward's e-mail address
    steward: str  # the steward's name
    items: tuple[Item, ...]

    @property
    def fingerprint(self) -> str:
        keys = "\n".join(sorted(i.key for i in self.items))
        return hashlib.sha256(keys.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    recipient: str
    sent: bool
    reason: str  # "sent", "unchanged", "too soon", "failed: …"


def digests(platform: Platform, now: datetime, mqa_scores: MqaScores | None) -> list[Digest]:
    """One digest per steward e-mail address that has items, by address."""
    s = platform.settings
    by_steward: dict[str, list[Item]] = defaultdict(list)
    names: dict[str, str] = {}
    with platform.db.session() as session:
        datasets = list(session.scalars(
            select(Dataset).options(selectinload(Dataset.versions)).order_by(Dataset.id)))
        items = items_of(session, datasets, now, review_months=s.governance_review_months,
                         mqa_min=s.governance_mqa_min, mqa_scores=mqa_scores)
        stewards: dict[str, tuple[str, str] | None] = {}
        for d in datasets:
            steward = next((h for h in dataset_roles(session, d) if h.role == "steward"), None)
            stewards[d.id] = (steward.email.lower(), steward.name) \
                if steward is not None and steward.email else None
    for item in items:
        who = stewards.get(item.dataset_id)
        if who is not None:
            by_steward[who[0]].append(item)
            names.setdefault(who[0], who[1])
    return [Digest(email, names[email], tuple(found))
            for email, found in sorted(by_steward.items())]


def mail_text(platform: Platform, digest: Digest) -> str:
    base = platform.settings.canonical_base_url.rstrip("/")
    lines = [f"Beste {digest.steward},", "",
             f"Er staan {len(digest.items)} punten op je werklijst in Belfort "
             f"/ {len(digest.items)} items are on your Belfort worklist:", ""]
    for item in digest.items[:MAX_ITEMS_IN_MAIL]:
        lines.append(f"- [{item.kind}] {item.title} ({item.dataset_id}): {base}{item.link}")
    if len(digest.items) > MAX_ITEMS_IN_MAIL:
        lines.append(f"- … {len(digest.items) - MAX_ITEMS_IN_MAIL} more")
    lines += ["", f"Werklijst / worklist: {base}/staff/governance"]
    return "\n".join(lines) + "\n"


def webhook_body(digest: Digest, now: datetime) -> bytes:
    body: dict[str, Any] = {
        "type": "belfort.governance.reminder",
        "steward": {"name": digest.steward, "email": digest.recipient},
        "sent_at": now.isoformat(),
        "items": [i.to_dict() for i in digest.items],
    }
    return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")


def _deliver(platform: Platform, digest: Digest, now: datetime, secret: bytes) -> list[str]:
    """The channels' failures (empty: every configured channel delivered)."""
    s = platform.settings
    failures: list[str] = []
    if s.alerts_smtp_host:
        subject = f"Belfort: {len(digest.items)} punten op je werklijst / items on your worklist"
        sent = mail.send(s, [digest.recipient], subject, mail_text(platform, digest))
        if not sent.ok:
            failures.append(f"e-mail: {sent.error}")
    if s.governance_webhook_url:
        who = hashlib.sha256(digest.recipient.encode("utf-8")).hexdigest()[:8]
        delivery_id = f"governance-{digest.fingerprint[:16]}-{who}"
        found = webhook.deliver(s.governance_webhook_url, webhook_body(digest, now),
                                delivery_id, secret, s)
        if not found.ok:
            failures.append(f"webhook: {found.error}")
    return failures


def send_reminders(platform: Platform, now: datetime, secret: bytes,
                   mqa_scores: MqaScores | None = None) -> list[Outcome]:
    """Send every steward's digest that is due (see the module); what happened to each."""
    s = platform.settings
    if not s.alerts_smtp_host and not s.governance_webhook_url:
        return []
    interval = timedelta(hours=s.governance_reminder_hours)
    outcomes = []
    for digest in digests(platform, now, mqa_scores):
        with platform.db.session() as session:
            last = session.get(ReminderSent, digest.recipient)
            if last is not None and last.fingerprint == digest.fingerprint:
                outcomes.append(Outcome(digest.recipient, False, "unchanged"))
                continue
            if last is not None and now - last.sent_at < interval:
                outcomes.append(Outcome(digest.recipient, False, "too soon"))
                continue
        failures = _deliver(platform, digest, now, secret)
        configured = bool(s.alerts_smtp_host) + bool(s.governance_webhook_url)
        if len(failures) == configured:
            outcomes.append(Outcome(digest.recipient, False, "failed: " + "; ".join(failures)))
            continue
        with platform.db.session() as session:
            row = session.get(ReminderSent, digest.recipient)
            if row is None:
                row = ReminderSent(recipient=digest.recipient)
                session.add(row)
            row.sent_at, row.fingerprint, row.items = now, digest.fingerprint, len(digest.items)
        outcomes.append(Outcome(digest.recipient, True,
                                "sent" if not failures else "sent; " + "; ".join(failures)))
    return outcomes
