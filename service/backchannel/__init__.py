"""backchannel: who met whom, where, when and in what capacity, grounded in the article's words.

The library API is what this module exports; everything else is internal and may change.

    from backchannel import Extractor, ExtractRequest, Settings
    result = await Extractor(Settings()).extract(ExtractRequest(text=..., published_at=...))

The sub-packages are the pipeline's layers, lowest first: `contract` (what callers send and get
back, and the errors they can see), `settings`, `lexicon` (word lists as data), `text` (folding,
sentences, grounding), `normalise` (time, places, affiliations, roles), `model` (prompts, draft,
LLM client), `pipeline` (strategies, assembly, extractor, cache, batch), then `embedded`,
`serve`, `evaluation` and `cli` on top. A layer imports only layers below it (`lint-imports`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backchannel.contract.errors import (
        BackchannelError,
        InputError,
        ModelOutputError,
        ModelRequestRejected,
        ModelTimeout,
        ModelUnavailable,
    )
    from backchannel.contract.schema import (
        ExtractRequest,
        ExtractResult,
        Location,
        Meeting,
        Participant,
        Time,
    )
    from backchannel.pipeline.extractor import Extractor
    from backchannel.settings import Settings

# Exported names and the module each lives in. Imported on first use, so that `import backchannel`
# (and the CLI's start-up) does not pay for the OpenAI SDK until an extraction needs it.
_EXPORTS = {
    "Extractor": "backchannel.pipeline.extractor",
    "Settings": "backchannel.settings",
    "ExtractRequest": "backchannel.contract.schema",
    "ExtractResult": "backchannel.contract.schema",
    "Meeting": "backchannel.contract.schema",
    "Participant": "backchannel.contract.schema",
    "Location": "backchannel.contract.schema",
    "Time": "backchannel.contract.schema",
    "BackchannelError": "backchannel.contract.errors",
    "InputError": "backchannel.contract.errors",
    "ModelOutputError": "backchannel.contract.errors",
    "ModelRequestRejected": "backchannel.contract.errors",
    "ModelTimeout": "backchannel.contract.errors",
    "ModelUnavailable": "backchannel.contract.errors",
}
__all__ = [
    "BackchannelError", "ExtractRequest", "ExtractResult", "Extractor", "InputError", "Location",
    "Meeting", "ModelOutputError", "ModelRequestRejected", "ModelTimeout", "ModelUnavailable",
    "Participant", "Settings", "Time",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backchannel' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
