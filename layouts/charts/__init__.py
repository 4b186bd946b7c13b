"""Chart building (figures, margins, table alternatives), shared by the page callbacks."""
