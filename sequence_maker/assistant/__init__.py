"""The AI assistant: provider adapters, tools and the agent loop (knows timelines only via tools)."""
