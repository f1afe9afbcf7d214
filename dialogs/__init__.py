"""The interview: declared as data, run by a pure engine (standard library only)."""
