"""Jinja2 pages: served ones link their script and style (`/static/...`); a standalone file (the
eval's report.html) carries them inline under a Content-Security-Policy that allows only those
exact bytes (by hash), so text from an article can never run as script in either.

Autoescaping is on for every template: articles and model output are untrusted.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from backchannel.render.spans import interval

# What every served page allows: its own script and style, nothing inline, nothing elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
ASSETS = {"style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}


def web_url(url: str | None) -> str | None:
    """A link target only if it is http(s): escaping cannot stop a `javascript:` URL."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("backchannel.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["web_url"] = web_url
    env.globals["interval"] = interval
    return env


@cache
def asset(name: str) -> str:
    """A vendored file of `static/` (only those in ASSETS: a request cannot name another)."""
    if name not in ASSETS:
        raise KeyError(name)
    return resources.files("backchannel.render").joinpath("static", name).read_text("utf-8")


def page(template: str, **context: Any) -> str:
    """A served page: assets by URL, the CSP comes as a header."""
    return environment().get_template(template).render(standalone=False, **context)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def standalone(template: str, **context: Any) -> str:
    """A file that opens anywhere, offline: assets inline, and a CSP meta tag that allows only
    them."""
    css, js = asset("style.css"), asset("app.js")
    csp = (
        f"default-src 'none'; script-src {_sha256(js)}; style-src {_sha256(css)}; "
        "img-src data:; base-uri 'none'"
    )
    return (
        environment()
        .get_template(template)
        .render(standalone=True, inline_css=Markup(css), inline_js=Markup(js), csp=csp, **context)
    )
