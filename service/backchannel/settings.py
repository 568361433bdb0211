"""All configuration, read once from `BACKCHANNEL_*` environment variables.

One object, passed down explicitly: nothing else in the package reads the environment, so a test or
an embedding application can build a `Settings` by hand and know exactly what it gets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backchannel"
# The corpus is data a user keeps, not a cache: it lives in the user's data folder.
_DATA_ROOT = (
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "backchannel"
)

ModelVariant = Literal["1.5b", "0.5b"]
# The name the embedded server serves each variant under (its files: `embedded.model_files`).
EMBEDDED_MODEL_NAMES: dict[str, str] = {
    "1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m",
    "0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m",
}
ResponseFormat = Literal["auto", "json_schema", "json_object", "none"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BACKCHANNEL_", extra="ignore")

    # Model backend. No base_url means: run the embedded model on a local llama.cpp server.
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://localhost:8000/v1"
    )
    model: str | None = Field(default=None, description="Model name sent to the server")
    api_key: SecretStr = Field(default=SecretStr("not-needed"), description="Model server key")
    response_format: ResponseFormat = Field(
        default="auto", description="How to ask for constrained JSON output"
    )
    temperature: float = 0.0
    max_tokens: int | None = Field(
        default=None,
        ge=64,
        description="Bound on generated tokens per call; default 1024 for `single`, 384 for "
        "`sentence` (one sentence's meeting fits in about 300), 512 for its list answer",
    )
    context_tokens: int = Field(
        default=8192,
        ge=1024,
        description="The model's context in tokens, where the server does not say (llama.cpp's do)",
    )
    connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to connect")
    read_timeout: float = Field(default=300.0, gt=0, description="Seconds to wait for a reply")
    max_reasks: int = Field(default=1, ge=0, le=5, description="Re-asks after invalid output")
    max_retries: int = Field(default=3, ge=0, le=10, description="Retries on transport errors")
    retry_max_seconds: float = Field(default=60.0, ge=0, description="Total retry backoff bound")
    # `sentence` won the eval on slot F1 per second of model time (eval/results/README.md).
    strategy: Literal["single", "sentence"] = "sentence"
    # The `sentence` strategy's answer: "one" meeting per sentence at most, a "list" of them
    # (prompts/sentence-list/), or "lean": one meeting in its fewest slots, the rest read off the
    # article by code (prompts/sentence-lean/); dev comparisons decide (eval/results/README.md).
    sentence_answer: Literal["one", "list", "lean"] = "one"
    fuzzy_threshold: float = Field(default=85.0, ge=50, le=100)
    prompts_dir: Path | None = None

    # Cache.
    cache_dir: Path = _CACHE_ROOT / "results"
    cache_enabled: bool = True
    cache_url: str = Field(
        default="",
        description="A shared cache for replicas and workers, redis://host:6379/0 (rediss:// "
        "for TLS); empty: diskcache in cache_dir",
        pattern=r"^(|rediss?://\S+|unix://\S+)$",
    )

    # Embedded model.
    model_dir: Path = _CACHE_ROOT / "models"
    model_variant: ModelVariant = "1.5b"
    server_host: str = "127.0.0.1"
    server_port: int = 8765
    server_ctx: int = Field(default=8192, ge=2048)
    server_threads: int | None = None
    server_binary: Path | None = Field(
        default=None, description="llama-server to run (default: the one `make setup` built)"
    )
    server_args: str = Field(
        default="",
        description="More llama-server options, as shell words (e.g. '--spec-type ngram-simple')",
    )
    server_start_timeout: float = 300.0

    # Corpus: the store, and reading pages by URL.
    database_url: str = Field(
        default=f"sqlite:///{_DATA_ROOT / 'corpus.db'}",
        description="SQLAlchemy URL of the corpus (postgresql+psycopg://... for teams)",
    )
    article_timeout: float = Field(
        default=10_800.0,
        gt=0,
        description="Seconds a corpus worker gives one article's extraction before it records it "
        "as failed (a later run retries it), so a hung worker cannot hold its lease forever",
    )
    fetch_timeout: float = Field(default=15.0, gt=0, description="Seconds to fetch one page")
    fetch_max_bytes: int = Field(default=5_000_000, ge=1024, description="Largest page fetched")
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    corpus_worker: bool = Field(
        default=True,
        description="Extract articles queued through POST /v1/articles in this process; off on "
        "API replicas when one worker service does it for all",
    )
    api_fetch_urls: bool = Field(
        default=False,
        description="Let the HTTP API fetch URLs it is sent (never private or loopback ones)",
    )

    # HTTP API.
    max_text_chars: int = Field(default=100_000, ge=1)
    api_keys: str = Field(default="", description="Comma-separated bearer tokens; empty = open")
    max_inflight: int = Field(default=2, ge=1, description="Model calls in flight at once")
    max_queue: int = Field(default=32, ge=0, description="Requests waiting beyond that")
    log_level: str = "INFO"

    @field_validator("base_url")
    @classmethod
    def _strip_base_url(cls, v: str | None) -> str | None:
        return v.rstrip("/") if v and v.strip() else None

    @property
    def embedded(self) -> bool:
        """True when the service must serve the model itself."""
        return self.base_url is None

    @property
    def effective_max_tokens(self) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        if self.strategy == "single":
            return 1024
        return {"one": 384, "list": 512, "lean": 256}[self.sentence_answer]

    @property
    def effective_base_url(self) -> str:
        return self.base_url or f"http://{self.server_host}:{self.server_port}/v1"

    @property
    def effective_model(self) -> str:
        return self.model or EMBEDDED_MODEL_NAMES[self.model_variant]

    @property
    def api_key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]
