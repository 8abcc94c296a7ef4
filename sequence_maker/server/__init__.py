"""server layer of Sequence Maker."""
