"""formats layer of Sequence Maker."""
