"""Fixtures for the engine tests: the fake OpenAI server over real HTTP."""

from tests.fakes.openai.fixtures import fake_openai  # noqa: F401
