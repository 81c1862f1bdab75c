"""Use cases called by both routes and CLI commands: no logic lives in either."""
