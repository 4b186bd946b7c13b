"""Read models shared by several pages: stored summaries, filter options, coverage counts."""
