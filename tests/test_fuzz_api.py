"""schemathesis against the OpenAPI schema: bounded examples, scripted model; never a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from backchannel.serve.api import create_app
from backchannel.settings import Settings
from hypothesis import HealthCheck, settings

from tests.fakeserver import FakeModelServer, Reply

_model = FakeModelServer(default=lambda _p: Reply.json({"meetings": []})).start()
_app = create_app(Settings(base_url=_model.base_url, model="fake", strategy="single",
                           cache_enabled=False, max_text_chars=2000))  # fmt: skip
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


@pytest.fixture(scope="module", autouse=True)
def _app_lifespan():
    from fastapi.testclient import TestClient

    with TestClient(_app):  # runs the lifespan, so app.state.extractor exists
        yield
    _model.stop()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    response = case.call_and_validate()
    assert response.status_code < 500


def test_the_schema_states_what_the_validator_refuses():
    """Schema-valid must mean accepted: whitespace-only or NUL-bearing text is outside the
    documented pattern (a generated " " was once schema-valid and got 422)."""
    import re

    from backchannel.contract.schema import ExtractRequest

    pattern = ExtractRequest.model_json_schema()["properties"]["text"]["pattern"]
    for refused in (" ", "\n\t", "a\x00b"):
        assert not re.search(pattern, refused)
    for accepted in ("a", " Talks in Oslo. ", "line\nline"):
        assert re.search(pattern, accepted)
