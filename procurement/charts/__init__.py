"""The procurement pages' charts, one module per area as the views are: `spend`, `planning`."""
