"""Test support code (not part of the package): the scripted OpenAI-compatible judge server
(fake_server) and the guard's worker probes (probes)."""
