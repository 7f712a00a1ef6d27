"""Stripe-shaped API errors.

The real SDK decides which exception to raise from the HTTP status and the
``error`` object in the body, so the sandbox raises these and the API layer
renders them exactly like Stripe does.  That way the shop's error handling is
exercised against the real ``stripe.InvalidRequestError`` & co.
"""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An error that the API layer turns into ``{"error": {...}}`` with ``status``."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        validation: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        # Stripe does not save idempotent results for requests that failed
        # parameter validation; this flag lets the API layer do the same.
        self.validation = validation

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    """A parameter validation failure (HTTP 400, not stored for idempotency)."""
    return StripeError(message, param=param, code=code, validation=True)


def missing(param: str) -> StripeError:
    return invalid(f"Missing required param: {param}.", param, "parameter_missing")


def not_found(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(
        f"No such {kind}: '{object_id}'",
        status=404,
        code="resource_missing",
        param=param,
    )
