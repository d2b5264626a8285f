"""Forms of the procurement pages: input is validated here, and nothing is written."""
