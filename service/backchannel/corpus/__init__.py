"""Working on a corpus: ingest inputs into the store and extract each article once."""
