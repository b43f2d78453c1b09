"""Test support code (not part of the package): the scripted OpenAI-compatible judge server."""
