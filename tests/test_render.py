"""The HTML views' parts: marks over the text, and escaping of hostile articles and model output."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from backchannel.contract.schema import ExtractResult
from backchannel.render.pages import PAGE_CSP, page, standalone, web_url
from backchannel.render.spans import Kind, Mark, marks_of, segments

from tests.factories import SEED_PATH, as_prediction, meeting, person, place


def _mark(mid: str, start: int, end: int, kind: Kind = Kind.participant) -> Mark:
    return Mark(mid, kind, start, end, mid.split("-")[0], mid)


def test_segments_join_back_to_the_text_and_carry_every_covering_mark():
    text = "Alice met Bob in Paris."
    outer = _mark("m0-e", 0, len(text), Kind.evidence)
    alice, bob = _mark("m0-p0", 0, 5), _mark("m0-p1", 10, 13)
    overlap = _mark("m1-p0", 3, 12)  # crosses both participants' edges
    pieces = segments(text, [outer, alice, bob, overlap])
    assert "".join(s.text for s in pieces) == text
    for m in (outer, alice, bob, overlap):  # each mark's pieces spell exactly its text
        assert "".join(s.text for s in pieces if m in s.marks) == text[m.start : m.end]
    first = pieces[0]
    assert first.text == "Ali" and set(first.ids.split()) == {"m0-e", "m0-p0"}
    assert first.classes == "k-evidence k-participant" and first.meetings == "m0"
    assert any(s.meetings == "m0 m1" for s in pieces)


def test_marks_outside_the_text_are_clipped_or_ignored():
    text = "short"
    pieces = segments(text, [_mark("m0-p0", 2, 50), _mark("m0-p1", 40, 45), _mark("m0-p2", 3, 3)])
    assert "".join(s.text for s in pieces) == text
    assert [s.ids for s in pieces] == ["", "m0-p0"]


def test_a_result_becomes_marks_of_every_grounded_value():
    text = SEED_PATH.read_text(encoding="utf-8")
    gold = meeting(
        text,
        "On Tuesday, top US officials met",
        participants=[person(text, "Russian Foreign Minister Sergei Lavrov", name="Sergei Lavrov")],
        location=place(text, "Saudi Arabia", None, "Saudi Arabia"),
    )
    m = as_prediction(gold)
    marks = marks_of([m])
    by_id = {mk.id: mk for mk in marks}
    assert set(by_id) == {"m0-e", "m0-p0", "m0-l"}  # the name is inside the mention: one mark
    for mk in marks:
        assert text[mk.start : mk.end] in (m.evidence.text, *(v for v, *_ in m.quoted()))
    assert "Sergei Lavrov" in by_id["m0-p0"].label and "Saudi Arabia" in by_id["m0-l"].label


class _Live(HTMLParser):
    """Collects what a browser would run or follow: script elements, event-handler attributes,
    javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.js_urls.append(value or "")


HOSTILE = (
    'Envoys met in <script>alert("x")</script> Geneva. <img src=x onerror="alert(1)"> '
    '<a href="javascript:alert(2)">click</a> </div></span><iframe src="//evil.example"></iframe>'
)


def _hostile_result() -> ExtractResult:
    mention = '<img src=x onerror="alert(1)">'
    start = HOSTILE.index(mention)
    return ExtractResult.model_validate(
        {
            "id": "<script>alert(3)</script>",
            "published_at": None,
            "meetings": [
                {
                    "participants": [
                        {"name": "<b onmouseover=alert(4)>", "mention": mention,
                         "span": [start, start + len(mention)], "affiliation": "<script>",
                         "role": "javascript:alert(5)", "capacity": "official"},
                    ],
                    "evidence": {"text": HOSTILE, "start": 0, "end": len(HOSTILE)},
                    "topic": "</td></tr></table><script>alert(6)</script>",
                }
            ],
            "model": "<svg onload=alert(7)>",
            "prompt_version": "x",
            "cached": False,
            "usage": {},
            "latency_ms": 0,
            "warnings": ['<script>alert("warn")</script> dropped'],
        }
    )  # fmt: skip


def test_a_hostile_article_and_model_output_render_as_text_only():
    result = _hostile_result()
    body = page(
        "article.html", signed_in=False, error=None, form=type("F", (), {"text": HOSTILE,
        "published_at": ""})(), result=result, source="<script>", max_chars=100,
        segments=segments(HOSTILE, marks_of(result.meetings)),
    )  # fmt: skip
    live = _Live()
    live.feed(body)
    assert live.scripts == [{"src": "/static/app.js", "defer": None}]  # only the page's own
    assert live.handlers == [] and live.js_urls == []
    assert "iframe" not in live.tags and "img" not in live.tags and "svg" not in live.tags
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body  # shown, as text
    assert PAGE_CSP.startswith("default-src 'none'; script-src 'self'")


def test_the_standalone_report_allows_only_its_own_inline_script_and_style():
    body = standalone("base.html")
    live = _Live()
    live.feed(body)
    assert len(live.scripts) == 1 and live.scripts[0] == {}
    csp = html.unescape(
        body.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    )
    assert "script-src 'sha256-" in csp and "'unsafe-inline'" not in csp


def test_only_web_links_are_links():
    assert web_url("https://wire.example/a") == "https://wire.example/a"
    assert web_url(" JavaScript:alert(1)") is None
    assert web_url("data:text/html,<script>") is None
    assert web_url(None) is None
