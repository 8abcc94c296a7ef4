"""history layer of Sequence Maker."""
