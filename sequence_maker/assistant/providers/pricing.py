"""Cost of one request from its normalised usage, priced with genai-prices' bundled data (no network).

Our :class:`~.events.Usage` follows genai-prices' convention: ``input_tokens`` counts every prompt
token *including* cache reads/writes, which are subsets priced at their own rates. Adapters convert
provider usage into that convention (Anthropic's ``input_tokens`` excludes cache tokens; OpenAI's
``prompt_tokens`` includes them), so nothing is double-counted here.
"""

from __future__ import annotations

from functools import lru_cache

from .events import Usage


class PriceUnknown(LookupError):
    """genai-prices has no price for this provider/model."""


def price_usage(usage: Usage, *, provider_id: str | None, model: str) -> float:
    """Cost in USD. ``provider_id`` None means a local model, which costs 0."""
    if provider_id is None:
        return 0.0
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    priced = PriceUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cached_input_tokens or None,
        cache_write_tokens=usage.cache_write_tokens or None,
    )
    try:
        result = calc_price(priced, model_ref=model, provider_id=provider_id)
    except LookupError as exc:
        raise PriceUnknown(f"no price known for model {model!r} at provider {provider_id!r}") from exc
    return float(result.total_price)


@lru_cache(maxsize=64)
def has_price(provider_id: str, model: str) -> bool:
    """Whether a price exists (cached; used to label costs in listings)."""
    try:
        price_usage(Usage(1, 1), provider_id=provider_id, model=model)
    except PriceUnknown:
        return False
    return True
