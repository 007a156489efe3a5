"""The registry of filed childcare institutions: file format, store, import, nearby search."""
