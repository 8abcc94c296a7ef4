"""lyrics layer of Sequence Maker."""
