"""A run's timeline: what the agents thought and did, and what the run did in the world."""
