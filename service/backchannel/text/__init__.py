"""Text handling that every later stage shares: one way to fold text for comparison (`fold`),
numbered sentences with offsets (`sentences`), and finding quoted values at exact offsets
(`grounding`)."""
