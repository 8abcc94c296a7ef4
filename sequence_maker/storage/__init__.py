"""storage layer of Sequence Maker."""
