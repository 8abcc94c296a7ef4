"""balls layer of Sequence Maker."""
