"""Signing and delivering events the way Stripe does.

Stripe posts events *after* the API call or page action that caused them,
signs each attempt with a fresh timestamp, and retries with back-off when the
endpoint does not answer 2xx.  The shop must cope with all of that (events
racing its own redirect, duplicates, late arrival), so the sandbox does the
same: a background worker per ``Sandbox`` delivers due events, and a lease in
the shared state stops two processes from posting the same attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from .state import Store

Deliver = Callable[[bytes, dict[str, str]], int]
LEASE_SECONDS = 60.0
MAX_IDLE_WAIT = 30.0


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """``Stripe-Signature`` value accepted by ``stripe.Webhook.construct_event``."""
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def http_post(url: str) -> Deliver:
    """Default transport: a plain HTTP POST; connection problems count as status 0."""

    def post(body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, ValueError):
            return 0

    return post


class Deliverer:
    """Attempts deliveries, schedules retries, and runs the background worker."""

    def __init__(
        self,
        store: Store,
        transport: Deliver | None,
        secret: str,
        retry_delays: tuple[float, ...],
        on_wake: Callable[[], float | None],
    ) -> None:
        self.store = store
        self.transport = transport
        self.secret = secret
        self.retry_delays = retry_delays
        # Called at every worker wake-up (settles delayed payments); returns
        # seconds until it next needs to run, or None.
        self.on_wake = on_wake
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- state ---------------------------------------------------------------

    def held(self) -> bool:
        return bool(self.store.meta("hold_webhooks", False))

    def _claim(self, *, due_only: bool) -> list[str]:
        now = time.time()
        condition = (
            "state = 'pending' AND next_at <= ?" if due_only
            else "state IN ('pending', 'gave_up') AND ? IS NOT NULL"
        )
        with self.store.tx() as db:
            ids = [r[0] for r in db.execute(
                f"SELECT d.event_id FROM deliveries d JOIN objects o ON o.id = d.event_id "
                f"WHERE {condition} AND lease_until < ? ORDER BY o.seq", (now, now))]
            db.executemany(
                "UPDATE deliveries SET lease_until = ? WHERE event_id = ?",
                [(now + LEASE_SECONDS, i) for i in ids])
        return ids

    def attempt(self, event_id: str) -> int:
        """Post one (freshly signed) attempt and record its outcome."""
        event = self.store.get(event_id)
        assert event is not None
        body = json.dumps(event, indent=2).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signature_header(body, self.secret),
        }
        try:
            status = int(self.transport(body, headers)) if self.transport else 0
        except Exception:  # a crashing receiver is a failed delivery, not our crash
            status = 0
        with self.store.tx() as db:
            row = db.execute(
                "SELECT attempts FROM deliveries WHERE event_id = ?", (event_id,)).fetchone()
            attempts: list[dict[str, Any]] = json.loads(row[0])
            attempts.append({"status": status, "at": time.time()})
            failures = sum(1 for a in attempts if not 200 <= a["status"] < 300)
            if 200 <= status < 300:
                state, next_at = "delivered", None
                event = self.store.get(event_id) or event
                event["pending_webhooks"] = 0
                self.store.put(event)
            elif failures <= len(self.retry_delays):
                state, next_at = "pending", time.time() + self.retry_delays[failures - 1]
            else:
                state, next_at = "gave_up", None
            db.execute(
                "UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, lease_until = 0 "
                "WHERE event_id = ?", (state, json.dumps(attempts), next_at, event_id))
        return status

    def deliver_pending(self) -> list[tuple[str, int]]:
        """Attempt every undelivered event now (also those whose retries ran out)."""
        if self.held():
            return []
        return [(i, self.attempt(i)) for i in self._claim(due_only=False)]

    def delivery_info(self) -> dict[str, dict[str, Any]]:
        rows = self.store.read("SELECT event_id, state, attempts FROM deliveries")
        return {
            r[0]: {"state": r[1], "attempts": [a["status"] for a in json.loads(r[2])]}
            for r in rows
        }

    # -- background worker ---------------------------------------------------

    def kick(self) -> None:
        """Wake (starting if needed) the worker; used after each response."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="stripe-sandbox-webhooks", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                waits = [self.on_wake()]
                if not self.held():
                    for event_id in self._claim(due_only=True):
                        self.attempt(event_id)
                    rows = self.store.read(
                        "SELECT MIN(next_at) FROM deliveries WHERE state = 'pending'")
                    if rows[0][0] is not None:
                        waits.append(max(0.01, rows[0][0] - time.time()))
            except Exception:  # keep the worker alive; next wake retries
                waits = [1.0]
            timeout = min([w for w in waits if w is not None] + [MAX_IDLE_WAIT])
            self._wake.wait(timeout)
