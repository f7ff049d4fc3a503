"""The policy decision point (Cedar) and explanations of its decisions."""
