"""Social value views: `reports` (council pages) and `returns` (contracts, returns, evidence)."""
