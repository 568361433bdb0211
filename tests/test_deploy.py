"""docker-compose.yml cannot run here (no Docker engine): check its wiring instead."""

from __future__ import annotations

from pathlib import Path

import yaml
from backchannel.embedded.model_files import VARIANTS
from backchannel.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_compose_wiring():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    api, model, init = services["api"], services["model"], services["model-init"]
    gguf = VARIANTS["1.5b"].filename
    assert f"/models/{gguf}" in model["command"]
    port = model["command"][model["command"].index("--port") + 1]
    assert api["environment"]["BACKCHANNEL_BASE_URL"] == f"http://model:{port}/v1"
    assert api["environment"]["BACKCHANNEL_MODEL"] == VARIANTS["1.5b"].name
    assert int(model["command"][model["command"].index("-c") + 1]) >= 8192
    assert api["depends_on"]["model"]["condition"] == "service_healthy"
    assert model["depends_on"]["model-init"]["condition"] == "service_completed_successfully"
    assert init["environment"]["BACKCHANNEL_MODEL_DIR"] == "/models"
    for svc in (api, model):
        assert svc["healthcheck"]["test"]
    # every BACKCHANNEL_* variable the compose file sets is a real setting
    fields = {f"BACKCHANNEL_{name.upper()}" for name in Settings.model_fields}
    for svc in services.values():
        for key in svc.get("environment", {}):
            assert key in fields or not key.startswith("BACKCHANNEL_"), key
    assert set(compose["volumes"]) >= {"models", "cache", "corpus"}
    # The corpus lives in the db service's database, with the credentials it is created with.
    db = services["db"]["environment"]
    url = api["environment"]["BACKCHANNEL_DATABASE_URL"]
    assert url == (f"postgresql+psycopg://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}"
                   f"@db:5432/{db['POSTGRES_DB']}")  # fmt: skip
    assert api["depends_on"]["db"]["condition"] == "service_healthy"


def test_dockerfile_installs_the_pinned_set_and_ships_prompts():
    text = (ROOT / "Dockerfile").read_text()
    assert "-c constraints.txt" in text and "COPY prompts" in text
    assert "BACKCHANNEL_PROMPTS_DIR=/app/prompts" in text
