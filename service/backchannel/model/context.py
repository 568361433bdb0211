"""How much fits in one request: the model's context size and token counts.

llama.cpp's servers say both (`GET /props` gives `n_ctx`; `POST /tokenize` counts with the model's
own tokenizer), so a prompt is measured, not guessed. Elsewhere the configured context size
(`BACKCHANNEL_CONTEXT_TOKENS`) and a conservative estimate stand in: 3 characters a token, fewer
than English text averages, so an estimate errs towards smaller windows, never towards a refusal.
"""

from __future__ import annotations

import asyncio
import math

import httpx

from backchannel.settings import Settings

CHARS_PER_TOKEN_ESTIMATE = 3.0
# Tokens a chat template adds around each message (role markers, separators): Qwen's adds 5.
PER_MESSAGE_TOKENS = 8


class ContextWindow:
    """The context of one model server, asked once and remembered."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.root = base_url.removesuffix("/v1")
        self._size: int | None = None
        self._tokenizes: bool | None = None  # None: not tried yet
        self._lock = asyncio.Lock()

    def _client(self) -> httpx.AsyncClient:
        timeout = httpx.Timeout(self.settings.read_timeout, connect=self.settings.connect_timeout)
        key = self.settings.api_key.get_secret_value()
        return httpx.AsyncClient(timeout=timeout, headers={"authorization": f"Bearer {key}"})

    async def size(self) -> int:
        """The context size in tokens: the server's `n_ctx` where it says, else the setting."""
        async with self._lock:
            if self._size is None:
                self._size = await self._server_size() or self.settings.context_tokens
            return self._size

    async def _server_size(self) -> int | None:
        try:
            async with self._client() as client:
                response = await client.get(f"{self.root}/props")
            if response.status_code != 200:
                return None
            props = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        settings = props.get("default_generation_settings") or {}
        n_ctx = settings.get("n_ctx") or props.get("n_ctx")
        return int(n_ctx) if isinstance(n_ctx, int | float) and n_ctx > 0 else None

    async def count(self, texts: list[str]) -> list[int]:
        """Token counts of `texts` (the server's tokenizer where it has one, else an estimate)."""
        if self._tokenizes is not False:
            try:
                async with self._client() as client:
                    counts = [await self._tokenize(client, t) for t in texts]
                self._tokenizes = True
                return counts
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                self._tokenizes = False
        return [estimate(t) for t in texts]

    async def _tokenize(self, client: httpx.AsyncClient, text: str) -> int:
        response = await client.post(
            f"{self.root}/tokenize", json={"content": text, "add_special": False}
        )
        response.raise_for_status()
        return len(response.json()["tokens"])


def estimate(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN_ESTIMATE)
