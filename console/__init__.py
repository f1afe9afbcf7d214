"""The terminal adapter: the same interview for staff recording in person, or for trying it."""
