"""assistant/providers layer of Sequence Maker."""
