"""docker-compose.yml cannot run here (no Docker engine): check its wiring instead."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from backchannel.embedded.model_files import VARIANTS
from backchannel.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_wiring():
    compose = _compose()
    services = compose["services"]
    api, worker, model, init = (services[n] for n in ("api", "worker", "model", "model-init"))
    gguf = VARIANTS["1.5b"].filename
    assert f"/models/{gguf}" in model["command"]
    port = model["command"][model["command"].index("--port") + 1]
    assert int(model["command"][model["command"].index("-c") + 1]) >= 8192
    assert model["depends_on"]["model-init"]["condition"] == "service_completed_successfully"
    assert init["environment"]["BACKCHANNEL_MODEL_DIR"] == "/models"
    for svc in (api, worker):
        env = svc["environment"]
        assert env["BACKCHANNEL_BASE_URL"] == f"http://model:{port}/v1"
        assert env["BACKCHANNEL_MODEL"] == VARIANTS["1.5b"].name
        for dependency in ("model", "db", "redis"):
            assert svc["depends_on"][dependency]["condition"] == "service_healthy"
    # Every long-running service says when it is healthy.
    for name, svc in services.items():
        if name != "model-init":
            assert svc["healthcheck"]["test"], name
    assert set(compose["volumes"]) >= {"models", "corpus"}


def test_compose_settings_are_real_and_shared_by_replicas_and_the_worker():
    compose = _compose()
    services = compose["services"]
    fields = {f"BACKCHANNEL_{name.upper()}" for name in Settings.model_fields}
    for name, svc in services.items():
        env = svc.get("environment", {})
        assert all(k in fields for k in env if k.startswith("BACKCHANNEL_")), name
        # and each value is one the settings accept
        values = {k.removeprefix("BACKCHANNEL_").lower(): v for k, v in env.items()
                  if k.startswith("BACKCHANNEL_")}  # fmt: skip
        Settings(**values)
    api, worker = services["api"]["environment"], services["worker"]["environment"]
    shared = {k: v for k, v in api.items() if k != "BACKCHANNEL_CORPUS_WORKER"}
    assert shared == {k: v for k, v in worker.items() if k != "BACKCHANNEL_CORPUS_WORKER"}
    # Replicas queue, workers extract (several, sharing the queue under leases).
    assert api["BACKCHANNEL_CORPUS_WORKER"] == "false"
    assert services["api"]["deploy"]["replicas"] >= 2
    assert worker["BACKCHANNEL_CORPUS_WORKER"] == "true"
    assert services["worker"]["deploy"]["replicas"] >= 2
    # One cache for all (Redis), one corpus (the db service, with its own credentials).
    assert api["BACKCHANNEL_CACHE_URL"].startswith("redis://redis:")
    db = services["db"]["environment"]
    assert api["BACKCHANNEL_DATABASE_URL"] == (
        f"postgresql+psycopg://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}"
        f"@db:5432/{db['POSTGRES_DB']}"
    )
    # The proxy reaches the replicas on the port they serve, and the GPU server is opt-in.
    proxy = compose["configs"]["proxy"]["content"]
    assert "server api:8000;" in proxy and "8000:8000" in services["proxy"]["ports"]
    assert services["vllm"]["profiles"] == ["gpu"]


@pytest.mark.skipif(
    subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0
    if shutil.which("docker")
    else True,
    reason="no docker compose here",
)
def test_docker_compose_accepts_the_file():
    proc = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_dockerfile_installs_the_pinned_set_and_ships_prompts():
    text = (ROOT / "Dockerfile").read_text()
    assert "-c constraints.txt" in text and "COPY prompts" in text
    assert "BACKCHANNEL_PROMPTS_DIR=/app/prompts" in text
