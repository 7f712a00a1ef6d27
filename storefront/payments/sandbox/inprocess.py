"""A ``stripe.HTTPClient`` that calls the sandbox's WSGI app inside the process.

When the shop runs on one synchronous worker and mounts the sandbox itself,
an HTTP call from the shop to its own port would wait for the very worker
that is making it.  Handing the request straight to the WSGI app avoids that
deadlock while the SDK still does everything else for real: encoding,
headers, idempotency keys, retries and error mapping.
"""

from __future__ import annotations

import io
import textwrap
import threading
from typing import Any
from urllib.parse import urlsplit

from stripe import APIConnectionError, HTTPClient
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .api import Refused

_MESSAGE = (
    "Unexpected error communicating with Stripe.  If this problem persists, let us know "
    "at support@stripe.com."
)


def _connection_error(detail: str) -> APIConnectionError:
    """The same retryable error the SDK's RequestsClient raises for a dropped connection."""
    message = textwrap.fill(_MESSAGE) + f"\n\n(Network error: {detail})"
    return APIConnectionError(message, should_retry=True)


class SandboxHTTPClient(HTTPClient):
    """Routes every SDK request to ``wsgi_app`` without touching the network.

    ``timeout`` mimics a client-side read timeout: if the app (for example
    under a "slow" fault) has not answered in time the SDK gets a retryable
    connection error while the app keeps running, just like a real server
    that finishes a request whose client gave up.
    """

    name = "sandbox"

    def __init__(self, wsgi_app: Any, timeout: float | None = 80.0) -> None:
        super().__init__()
        self.wsgi_app = wsgi_app
        self.timeout = timeout

    def request(self, method: str, url: str, headers: Any, post_data: Any = None,
                **_: Any) -> tuple[bytes, int, Headers]:
        parts = urlsplit(url)
        # Everything before "/v1/" is where the app is mounted (SCRIPT_NAME).
        prefix, sep, rest = parts.path.partition("/v1/")
        script_root, path = (prefix, sep + rest) if sep else ("", parts.path)
        builder = EnvironBuilder(
            path=path, base_url=f"{parts.scheme}://{parts.netloc}{script_root}",
            query_string=parts.query, method=method.upper(), headers=dict(headers or {}),
            data=post_data if post_data is not None else None,
        )
        environ = builder.get_environ()
        environ["stripe_sandbox.in_process"] = True
        result: dict[str, Any] = {}

        def call() -> None:
            try:
                app_iter, status, response_headers = run_wsgi_app(self.wsgi_app, environ)
                try:
                    body = b"".join(app_iter)
                finally:
                    if hasattr(app_iter, "close"):
                        app_iter.close()
                result["response"] = (body, int(status.split()[0]), Headers(response_headers))
            except BaseException as error:  # handed back to the calling thread
                result["error"] = error

        if self.timeout is None:
            call()
        else:
            worker = threading.Thread(target=call, name="stripe-sandbox-request", daemon=True)
            worker.start()
            worker.join(self.timeout)
            if worker.is_alive():
                raise _connection_error(
                    f"ReadTimeout: sandbox did not answer within {self.timeout} seconds")
        if "error" in result:
            if isinstance(result["error"], Refused):
                raise _connection_error(
                    "ConnectionError: ('Connection aborted.', RemoteDisconnected("
                    "'Remote end closed connection without response'))")
            raise result["error"]
        return result["response"]

    def request_stream(self, method: str, url: str, headers: Any, post_data: Any = None,
                       **_: Any) -> tuple[Any, int, Headers]:
        body, status, response_headers = self.request(method, url, headers, post_data)
        return io.BytesIO(body), status, response_headers

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""
