"""Postframe: a self-hosted studio for making and shipping visual content with AI image models."""

from studio.celery import app as celery_app

__all__ = ["celery_app"]
