"""Websocket routes; each feature app appends its consumers here."""

from django.urls import path

from studio.generation.consumers import JobConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_uuid>/", JobConsumer.as_asgi()),
]
