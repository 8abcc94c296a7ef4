"""audio layer of Sequence Maker."""
