"""A local fake of OpenAI's image endpoints (server.py) and its pytest fixture (fixtures.py)."""
