"""The public contract (CONTRACT.md): request and result models, and the errors a caller can see.

Every layer may import it; it imports nothing of backchannel's."""
