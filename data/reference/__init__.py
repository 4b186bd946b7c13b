"""Reference data: code lists and instrument (the CSVs beside this), seeding, pseudonyms."""
