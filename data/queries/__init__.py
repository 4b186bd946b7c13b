"""Read models shared by several pages: the filter model (filters), stored summaries, filter
options, coverage counts."""
