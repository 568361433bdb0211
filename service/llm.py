"""Ask an OpenAI-compatible server for a validated draft.

Two kinds of failure, two mechanisms: output that fails the schema is sent back to the model
(instructor's re-ask, bounded by `max_reasks`); transport failures (refused, timeouts, 429, 5xx) are
retried with exponential backoff and jitter (tenacity, bounded in count and total time). Everything
else is a clear `BackchannelError` with the cause in its message.

The first attempt is a plain SDK call with a request body whose schema is built once per model,
validated with Pydantic: that is all a valid reply needs, and instructor's per-call preparation
costs more than the rest of the pipeline on a fast server (see bench/README.md). Only a reply that
fails validation goes on to instructor, which re-asks with the error.
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
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from service import metrics
from service.errors import (
    BackchannelError,
    ModelOutputError,
    ModelRequestRejected,
    ModelTimeout,
    ModelUnavailable,
)
from service.partial_json import salvage
from service.schema import Usage
from service.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

# The words instructor's JSON-mode re-ask uses, so the first re-ask reads as its later ones do.
REASK = "Correct your JSON ONLY RESPONSE, based on the following errors:\n{errors}"


@dataclass
class CallStats:
    """What one logical request cost, across re-asks and retries."""

    usage: Usage = field(default_factory=Usage)
    reasks: int = 0
    invalid_replies: int = 0
    retries: int = 0
    truncated: bool = False

    def merge(self, other: CallStats) -> None:
        """Fold in another call's cost (strategies that make several calls per article)."""
        self.usage = self.usage + other.usage
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
            # llama-cpp-python only honours a schema inside {"type": "json_object"}; OpenAI,
            # vLLM, Ollama and llama.cpp's own server take the standard json_schema form.
            self.response_format = "json_object" if settings.embedded else "json_schema"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._openai: openai.AsyncOpenAI | None = None
        self._client: instructor.AsyncInstructor | None = None
        self._formats: dict[type[BaseModel], dict[str, Any]] = {}

    def _bind(self) -> instructor.AsyncInstructor:
        """The SDK client for the running event loop (its connection pool belongs to one loop)."""
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
            patched = instructor.patch(create=self._create, mode=instructor.Mode.JSON_SCHEMA)
            self._client = instructor.AsyncInstructor(
                client=self._openai, create=patched, mode=instructor.Mode.JSON_SCHEMA
            )
        return self._client

    def _format(self, response_model: type[BaseModel]) -> dict[str, Any]:
        """The `response_format` for a model, as instructor's JSON_SCHEMA mode writes it.

        Built once per model class (a schema takes milliseconds to generate); the dialect
        rewrite in `_create` applies to it as to instructor's.
        """
        fmt = self._formats.get(response_model)
        if fmt is None:
            fmt = self._formats[response_model] = {
                "type": "json_schema",
                "json_schema": {
                    "name": response_model.__name__,
                    "schema": response_model.model_json_schema(),
                },
            }
        return fmt

    async def _create(self, **body: Any) -> ChatCompletion:
        """Rewrite the response_format for the server's dialect, then POST the body as it is.

        The SDK's generic `post` (its documented way to send a body as it is) rather than
        `chat.completions.create`, which re-walks every message against its typed-parameter
        unions on each call: ~2 ms for the few-shot prompt here, to change nothing in it. The
        client's auth, timeouts and error types are the same either way.
        """
        fmt = body.get("response_format")
        if fmt and fmt.get("type") == "json_schema" and self.response_format == "json_object":
            schema = fmt["json_schema"]["schema"]
            body["response_format"] = {"type": "json_object", "schema": schema}
        assert self._openai is not None
        return await self._openai.post("/chat/completions", body=body, cast_to=ChatCompletion)

    async def extract(self, messages: list[dict], response_model: type[T]) -> tuple[T, CallStats]:
        """A validated `response_model` and what it cost, or a `BackchannelError`."""
        stats = CallStats()
        self._bind()
        started = time.perf_counter()
        try:
            async for attempt in self._retrying(stats):
                with attempt:
                    completion = await self._create(
                        model=self.model,
                        messages=messages,
                        response_format=self._format(response_model),
                        temperature=self.settings.temperature,
                        max_tokens=self.settings.effective_max_tokens,
                    )
            stats.add_response(completion)
            choice = completion.choices[0]
            if choice.finish_reason == "length":
                raise IncompleteOutputException(last_completion=completion)
            content = choice.message.content or ""
            try:
                return response_model.model_validate_json(content), stats
            except ValidationError as invalid:
                _count_invalid(stats, {"is_last_attempt": self.settings.max_reasks == 0})
                if self.settings.max_reasks == 0:
                    raise
                reask = [
                    *messages,
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": REASK.format(errors=invalid)},
                ]
            return await self._reask(reask, response_model, stats), stats
        except IncompleteOutputException as exc:
            salvaged = _salvage(exc, response_model)
            if salvaged is None:
                raise _classify(exc, stats) from exc
            stats.truncated = True
            return salvaged, stats
        except BackchannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear error
            raise _classify(exc, stats) from exc
        finally:
            stats.add_model_time(time.perf_counter() - started)

    async def _reask(self, messages: list[dict], response_model: type[T], stats: CallStats) -> T:
        """Instructor's validation loop, for the re-asks left after the first invalid reply."""
        hooks = Hooks()
        hooks.on("completion:response", stats.add_response)
        hooks.on("parse:error", lambda *_a, **kw: _count_invalid(stats, kw))
        client = self._bind()
        async for attempt in self._retrying(stats):
            with attempt:
                result = await client.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    response_model=response_model,
                    max_retries=self.settings.max_reasks - 1,
                    temperature=self.settings.temperature,
                    max_tokens=self.settings.effective_max_tokens,
                    hooks=hooks,
                )
        return result

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
        return ModelOutputError(
            "model output was cut off at max_tokens "
            f"({stats.usage.completion_tokens} tokens generated); raise BACKCHANNEL_MAX_TOKENS"
        )
    if isinstance(exc, InstructorRetryException) or isinstance(
        cause, ValueError | json.JSONDecodeError
    ):
        return ModelOutputError(
            f"model output failed validation {stats.invalid_replies} time(s) "
            f"({stats.reasks} re-ask(s), BACKCHANNEL_MAX_REASKS): {_short(str(cause))}"
        )
    return ModelOutputError(f"model call failed: {_describe(cause)}")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
