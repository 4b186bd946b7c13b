"""Grouping findings into candidate requirements: text vectors, clustering and CSV I/O."""
