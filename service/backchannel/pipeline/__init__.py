"""One article end to end: how the model's work is split into calls (`strategies`), how a
draft becomes grounded, normalised meetings (`assemble`), the `Extractor` every entry point calls
with its result cache, and bounded-concurrency batches."""
