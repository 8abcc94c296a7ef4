"""The `seqmaker` command line. Each module in this package adds its own subcommands."""
