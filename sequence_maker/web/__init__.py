"""web layer of Sequence Maker."""
