"""Who may see what, disclosure control, narrowing across filters, redaction of free text."""
