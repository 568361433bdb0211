"""HTML views of grounded results: marks over the text, pages and the eval report (Jinja2)."""
