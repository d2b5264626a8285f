"""What marks a row as demo data, in every app, so removing demo data removes only that."""

from __future__ import annotations

# The change reason on the "created" history record of every demo row that keeps history.
DEMO_REASON = "Demo data (generate_demo_data)"
# Written into the text of append-only demo rows (assessments, targets) and pipeline notes.
DEMO_MARK = "(demo data)"
