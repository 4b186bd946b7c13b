"""Scores as spec/SCORING.md defines them and pooled statistics over stored summaries."""
