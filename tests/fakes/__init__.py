"""Loopback fake LLM servers and SSE fixtures, reusable by every test area.

from tests.fakes.openai_server import fake_openai_server, openai_fixture
with fake_openai_server([openai_fixture("single_call")]) as server:
    profile = server.profile()          # ProviderProfile pointing at the fake
    ...
    server.requests[0].json            # what the SDK sent
    server.disconnects                 # when the client closed the stream
"""
