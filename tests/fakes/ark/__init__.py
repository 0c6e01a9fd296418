"""A local fake of Ark's (Seedance) video generation task API."""
