"""From grounded words to normalised values: time phrases to date intervals, places to
countries, affiliations to common names, role words to capacity and track. Deterministic code, no
model."""
