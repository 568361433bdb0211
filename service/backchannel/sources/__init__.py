"""Where articles come from: saved pages, text files, JSON lines, folders and URLs.

The first stage of the pipeline: whatever the input, the result is an `Article` whose `text` is
exactly the string every offset in its extraction refers to.
"""
