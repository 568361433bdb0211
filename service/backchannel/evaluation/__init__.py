"""The batch eval: gold articles, the scorer that matches predictions to gold meetings, and
the reports."""
