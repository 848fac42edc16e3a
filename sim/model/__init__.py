"""The agent-based model: organisations as Mesa agents, staff as numpy arrays, the monthly processes."""
