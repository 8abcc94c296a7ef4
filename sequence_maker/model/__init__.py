"""model layer of Sequence Maker."""
