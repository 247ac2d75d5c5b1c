"""The HTTP API: a thin FastAPI layer that starts, updates and reads claims."""
