"""Errors the service reports to callers, each with the HTTP status that fits it.

Every failure a caller can see is one of these, so the API, the CLI and the batch runner can all
say what went wrong and what to do about it without a stack trace.
"""

from __future__ import annotations


class BackchannelError(Exception):
    """Base class: `status` is the HTTP status, `code` a stable machine-readable name."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(BackchannelError):
    """The caller sent something we cannot read; the message says what to fix."""

    status = 422
    code = "invalid_input"


class ModelUnavailable(BackchannelError):
    """The model server could not be reached (refused, 5xx, 429) after the bounded retries."""

    status = 503
    code = "model_unavailable"


class ModelTimeout(BackchannelError):
    """The model server did not answer within the configured timeout after the retries."""

    status = 504
    code = "model_timeout"


class ModelOutputError(BackchannelError):
    """The model answered, but never with a valid draft within the bounded re-asks."""

    status = 502
    code = "model_output_invalid"


class AnswerUnusable(ModelOutputError):
    """One answer ran past max_tokens with nothing complete in it, or stayed invalid after the
    re-asks: where an article is asked many questions, the others still stand."""


class ModelRequestRejected(BackchannelError):
    """The model server refused the request itself (4xx: unknown model, bad key, too long)."""

    status = 502
    code = "model_request_rejected"


class Overloaded(BackchannelError):
    """Too many requests are already waiting for the model: retry later (see Retry-After)."""

    status = 503
    code = "overloaded"


class Unauthorized(BackchannelError):
    """An API key is configured and the request did not present a valid one."""

    status = 401
    code = "unauthorized"


class ClientGone(BackchannelError):
    """The client disconnected; its extraction was cancelled (nobody reads this response)."""

    status = 499
    code = "client_closed_request"


class NotFound(BackchannelError):
    """No such thing (an article id the corpus does not hold)."""

    status = 404
    code = "not_found"


class FetchRefused(BackchannelError):
    """The operator's policy: no fetching, or not towards that address."""

    status = 403
    code = "fetch_refused"


class FetchFailed(BackchannelError):
    """A page to fetch could not be fetched or read (the other server's answer, or its absence)."""

    status = 502
    code = "fetch_failed"


class StoreUnavailable(BackchannelError):
    """The corpus database cannot be used; the message says why."""

    status = 503
    code = "store_unavailable"
