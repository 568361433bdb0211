"""Fetching a page by URL: bounded in time, size and redirects, and, where the caller is not
trusted, never towards this machine or its private network.

A server that fetches URLs for its callers can be pointed at its own loopback, the cloud's metadata
address or the office network (server-side request forgery). `public_only` refuses every address
that is not globally routable, checks each redirect hop again, and connects to the address it
checked (the host name is resolved once, so a second lookup cannot answer differently).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel

from backchannel.settings import Settings
from backchannel.sources.documents import (
    Article,
    SourceError,
    Unreadable,
    decode,
    from_html,
    make_article,
    read_paths,
)


class Refused(SourceError):
    """The URL points where this fetcher must not go (a private address for an untrusted caller)."""


class FetchPolicy(BaseModel):
    timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    public_only: bool = True

    @classmethod
    def of(cls, settings: Settings, *, public_only: bool) -> FetchPolicy:
        """The CLI fetches for its own user (any address); the API for callers (public only)."""
        return cls(
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            public_only=public_only,
        )


class Page(BaseModel):
    url: str  # after redirects
    content: bytes
    content_type: str


def _addresses(url: str, host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SourceError(url, f"cannot resolve {host}: {exc.strerror}") from None
    return sorted({str(info[4][0]) for info in infos})


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _target(url: str, policy: FetchPolicy) -> tuple[httpx.URL, dict[str, str], dict]:
    """The URL to connect to, the headers and the request extensions for one hop."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(url, "only http:// and https:// URLs can be fetched")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(url, host, port)  # also for a trusted fetch: "cannot resolve" is clear
    if not policy.public_only:
        return httpx.URL(url), {}, {}
    private = [a for a in addresses if not _public(a)]
    if private:
        raise Refused(
            url,
            f"{host} resolves to {private[0]}, a loopback, private or link-local address; "
            "this server does not fetch those",
        )
    # Connect to the address just checked; the original name goes in Host and TLS's SNI, so the
    # certificate is still verified against it.
    pinned = httpx.URL(url).copy_with(host=addresses[0])
    return pinned, {"Host": parts.netloc.rsplit("@", 1)[-1]}, {"sni_hostname": host}


def fetch(url: str, policy: FetchPolicy) -> Page:
    with httpx.Client(timeout=policy.timeout, follow_redirects=False) as client:
        for _ in range(policy.max_redirects + 1):
            target, headers, extensions = _target(url, policy)
            request = client.build_request("GET", target, headers=headers, extensions=extensions)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                raise SourceError(url, f"no answer within {policy.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise SourceError(url, str(exc)) from None
            try:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise SourceError(url, f"the server answered HTTP {response.status_code}")
                content = _bounded(response, url, policy.max_bytes)
                kind = response.headers.get("content-type", "")
                return Page(url=url, content=content, content_type=kind)
            finally:
                response.close()
    raise SourceError(url, f"more than {policy.max_redirects} redirects")


def _bounded(response: httpx.Response, url: str, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise SourceError(url, f"{int(declared):,} bytes, over the limit of {limit:,}")
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise SourceError(url, f"over the limit of {limit:,} bytes")
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise SourceError(url, "the page did not arrive in time") from None
    except httpx.HTTPError as exc:
        raise SourceError(url, str(exc)) from None
    return b"".join(chunks)


def from_url(url: str, policy: FetchPolicy) -> Article:
    """A fetched page read as a saved one: HTML through trafilatura, plain text as it is."""
    page = fetch(url, policy)
    if page.content_type.split(";")[0].strip().lower() == "text/plain":
        return make_article(decode(page.content, page.url), page.url, url=page.url)
    return from_html(page.content, page.url, url=page.url)


def is_url(item: str) -> bool:
    return item.startswith(("http://", "https://"))


def read_inputs(items: Iterable[str], policy: FetchPolicy) -> Iterator[Article | Unreadable]:
    """Paths (files or folders) and URLs, in the order given; what cannot be read is reported by
    name and the rest goes on."""
    for item in items:
        if is_url(item):
            try:
                yield from_url(item, policy)
            except SourceError as exc:
                yield exc.unreadable(item)
        else:
            yield from read_paths([Path(item)])
