"""State, Activity Profile, Agent Profile, Activities and Agents resources (being written)."""
