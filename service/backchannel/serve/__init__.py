"""The HTTP API: routes, admission control (API keys, body limits, queueing), JSON logs and
the Prometheus endpoint."""
