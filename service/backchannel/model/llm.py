"""Ask an OpenAI-compatible server for a validated draft.

Two kinds of failure, two mechanisms: output that fails the schema is sent back to the model
(instructor's re-ask in JSON_SCHEMA mode, `max_retries` = `max_reasks`); transport failures
(refused, timeouts, 429, 5xx) are retried with exponential backoff and jitter (tenacity around the
instructor call, bounded in count and total time). Everything else is a clear `BackchannelError`
with the cause in its message. Usage and re-asks are counted through instructor's hooks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import Hooks
from openai.types.chat import ChatCompletion
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from backchannel import metrics
from backchannel.contract.errors import (
    AnswerUnusable,
    BackchannelError,
    ModelOutputError,
    ModelRequestRejected,
    ModelTimeout,
    ModelUnavailable,
)
from backchannel.contract.schema import Usage
from backchannel.model.context import ContextWindow
from backchannel.model.partial_json import salvage
from backchannel.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)


@dataclass
class CallStats:
    """What one logical request cost, across re-asks and retries."""

    usage: Usage = field(default_factory=Usage)
    reasks: int = 0
    invalid_replies: int = 0
    retries: int = 0
    truncated: bool = False
    # Questions whose answer was unusable (a warning each); the article's other answers stand.
    unanswered: list[str] = field(default_factory=list)

    def merge(self, other: CallStats) -> None:
        """Fold in another call's cost (strategies that make several calls per article)."""
        self.usage = self.usage + other.usage
        self.unanswered += other.unanswered
        self.reasks += other.reasks
        self.invalid_replies += other.invalid_replies
        self.retries += other.retries
        self.truncated = self.truncated or other.truncated

    def add_model_time(self, seconds: float) -> None:
        self.usage = self.usage + Usage(model_ms=round(seconds * 1000))

    def add_response(self, response: Any) -> None:
        u = getattr(response, "usage", None)
        self.usage = self.usage + Usage(
            prompt_tokens=getattr(u, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(u, "completion_tokens", 0) or 0,
            calls=1,
        )
        metrics.MODEL_CALLS.inc()
        metrics.TOKENS.labels("prompt").inc(getattr(u, "prompt_tokens", 0) or 0)
        metrics.TOKENS.labels("completion").inc(getattr(u, "completion_tokens", 0) or 0)


def _transient(exc: BaseException) -> bool:
    """Worth another try: the server may recover. 4xx other than 429 will not."""
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def _root_cause(exc: BaseException) -> BaseException:
    """Instructor wraps transport errors in its own retry exception; find the original."""
    seen = exc
    while isinstance(seen, InstructorRetryException) and seen.__cause__ is not None:
        seen = seen.__cause__
    return seen


class LLMClient:
    """One OpenAI-compatible endpoint, shared by all requests (the HTTP pool is reused)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.effective_model
        self.base_url = settings.effective_base_url
        self.response_format = settings.response_format
        if self.response_format == "auto":
            # The standard nested json_schema form: OpenAI, vLLM, Ollama and llama.cpp's own
            # server (the embedded one) take it; llama-cpp-python's server wants json_object.
            self.response_format = "json_schema"
        self.max_tokens = settings.effective_max_tokens
        self.context = ContextWindow(settings, self.base_url)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._openai: openai.AsyncOpenAI | None = None
        self._client: instructor.AsyncInstructor | None = None

    def _bind(self) -> instructor.AsyncInstructor:
        """The instructor client for the running event loop (the SDK's connection pool belongs
        to one loop)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._loop = loop
            self._openai = openai.AsyncOpenAI(
                base_url=self.base_url,
                api_key=self.settings.api_key.get_secret_value(),
                timeout=httpx.Timeout(
                    self.settings.read_timeout, connect=self.settings.connect_timeout
                ),
                max_retries=0,  # tenacity below owns retries, so they are counted and bounded once
            )
            mode = instructor.Mode.JSON_SCHEMA
            self._client = instructor.AsyncInstructor(
                client=self._openai,
                create=instructor.patch(create=self._create, mode=mode),
                mode=mode,
            )
        return self._client

    async def _create(self, **body: Any) -> ChatCompletion:
        """The SDK call, with the `response_format` instructor wrote rewritten for the server's
        dialect: llama-cpp-python's server only honours a schema inside `json_object`."""
        fmt = body.get("response_format")
        if fmt and fmt.get("type") == "json_schema" and self.response_format == "json_object":
            body["response_format"] = {
                "type": "json_object",
                "schema": fmt["json_schema"]["schema"],
            }
        assert self._openai is not None
        return await self._openai.chat.completions.create(**body)

    async def extract(self, messages: list[dict], response_model: type[T]) -> tuple[T, CallStats]:
        """A validated `response_model` and what it cost, or a `BackchannelError`."""
        stats = CallStats()
        hooks = Hooks()
        hooks.on("completion:response", stats.add_response)
        hooks.on("parse:error", lambda *_a, **kw: _count_invalid(stats, kw))
        client = self._bind()
        started = time.perf_counter()
        try:
            async for attempt in self._retrying(stats):
                with attempt:
                    result = await client.chat.completions.create(
                        model=self.model,
                        messages=messages,
                        response_model=response_model,
                        max_retries=self.settings.max_reasks,
                        temperature=self.settings.temperature,
                        max_tokens=self.max_tokens,
                        hooks=hooks,
                    )
            return result, stats
        except IncompleteOutputException as exc:
            salvaged = _salvage(exc, response_model)
            if salvaged is None:
                raise _failure(exc, stats) from exc
            stats.truncated = True
            return salvaged, stats
        except BackchannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear error
            raise _failure(exc, stats) from exc
        finally:
            stats.add_model_time(time.perf_counter() - started)

    def _retrying(self, stats: CallStats) -> AsyncRetrying:
        """Transport retries: counted in `stats`, bounded in attempts and in total time."""

        def before_sleep(state: RetryCallState) -> None:
            stats.retries += 1
            metrics.RETRIES.inc()
            cause = _root_cause(state.outcome.exception()) if state.outcome else None
            log.warning("model call failed (%s); retry %d", _describe(cause), stats.retries)

        return AsyncRetrying(
            retry=retry_if_exception(lambda e: _transient(_root_cause(e))),
            stop=stop_after_attempt(self.settings.max_retries + 1)
            | stop_after_delay(self.settings.retry_max_seconds),
            wait=wait_random_exponential(multiplier=0.5, max=8),
            before_sleep=before_sleep,
            reraise=True,
        )


def _salvage(exc: IncompleteOutputException, response_model: type[T]) -> T | None:
    """Keep what a reply cut off at max_tokens completed, rather than fail the whole article."""
    completion = getattr(exc, "last_completion", None)
    try:
        content = completion.choices[0].message.content or ""  # type: ignore[union-attr]
    except (AttributeError, IndexError):
        return None
    return salvage(content, response_model)


def _count_invalid(stats: CallStats, meta: dict[str, Any]) -> None:
    """Every invalid reply is counted; it is a re-ask unless it was the last allowed attempt."""
    stats.invalid_replies += 1
    if not meta.get("is_last_attempt", False):
        stats.reasks += 1
        metrics.REASKS.inc()


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return f"connection failed: {exc.__cause__ or exc}"
    return f"{type(exc).__name__}: {exc}"


def _failure(exc: BaseException, stats: CallStats) -> BackchannelError:
    """The error to raise, carrying what the failed call cost (`stats`, which the `finally`
    still completes with its model time): a strategy that goes on without this answer counts it."""
    error = _classify(exc, stats)
    error.stats = stats  # type: ignore[attr-defined]
    return error


def _classify(exc: BaseException, stats: CallStats) -> BackchannelError:
    cause = _root_cause(exc)
    tries = f"after {stats.retries + 1} attempt(s)"
    if isinstance(cause, openai.APITimeoutError):
        return ModelTimeout(f"model server did not answer in time {tries}")
    if isinstance(cause, openai.APIConnectionError):
        return ModelUnavailable(f"model server unreachable {tries}: {_describe(cause)}")
    if isinstance(cause, openai.APIStatusError):
        body = _short(cause.response.text if cause.response is not None else "")
        if _transient(cause):
            return ModelUnavailable(
                f"model server returned HTTP {cause.status_code} {tries}: {body}"
            )
        return ModelRequestRejected(
            f"model server refused the request (HTTP {cause.status_code}): {body}"
        )
    if isinstance(cause, IncompleteOutputException):
        return AnswerUnusable(
            "model output was cut off at max_tokens "
            f"({stats.usage.completion_tokens} tokens generated); raise BACKCHANNEL_MAX_TOKENS"
        )
    if isinstance(exc, InstructorRetryException) or isinstance(
        cause, ValueError | json.JSONDecodeError
    ):
        return AnswerUnusable(
            f"model output failed validation {stats.invalid_replies} time(s) "
            f"({stats.reasks} re-ask(s), BACKCHANNEL_MAX_REASKS): {_short(str(cause))}"
        )
    return ModelOutputError(f"model call failed: {_describe(cause)}")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
