"""Talking to the language model: the prompt files, the draft the model fills (short quotes,
enums, sentence numbers: no offsets, no dates), the LLM client (instructor, retries, timeouts) and
recovery of a reply cut off at `max_tokens`."""
