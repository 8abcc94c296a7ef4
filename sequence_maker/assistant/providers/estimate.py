"""Token estimates for when a provider reports no usage (LM Studio streaming, cancelled streams).

A labelled heuristic, not a tokenizer: ~4 characters per token for English/JSON text, plus a small
per-message overhead. Tool schemas are counted too (leaving them out undercounts by thousands of
tokens). Results are always flagged ``estimated``.
"""

from __future__ import annotations

import json
import math

from .base import ChatRequest
from .events import Usage

CHARS_PER_TOKEN = 4.0
MESSAGE_OVERHEAD_TOKENS = 4
METHOD = "heuristic: ceil(chars / 4) + 4 per message"


def estimate_text_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


def estimate_input_tokens(request: ChatRequest) -> int:
    total = 0
    for message in request.messages:
        total += MESSAGE_OVERHEAD_TOKENS + estimate_text_tokens(message.content)
        for call in message.tool_calls:
            total += estimate_text_tokens(json.dumps(call, default=str))
    for tool in request.tools:
        total += estimate_text_tokens(tool.name + tool.description + json.dumps(tool.parameters))
    return total


def estimate_usage(request: ChatRequest, output_text: str, tool_argument_chars: int = 0) -> Usage:
    """Estimated usage for a request whose provider sent none."""
    output = estimate_text_tokens(output_text) + math.ceil(tool_argument_chars / CHARS_PER_TOKEN)
    return Usage(input_tokens=estimate_input_tokens(request), output_tokens=output, estimated=True)
