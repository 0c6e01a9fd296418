"""Websocket routes; each feature app appends its consumers here."""

from django.urls import path

from scheduling.consumers import PostConsumer
from slides.consumers import CarouselConsumer
from studio.generation.consumers import JobConsumer
from studio.video.consumers import SequenceConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_uuid>/", JobConsumer.as_asgi()),
    path("ws/slides/<int:carousel_id>/", CarouselConsumer.as_asgi()),
    path("ws/video/<uuid:sequence_uuid>/", SequenceConsumer.as_asgi()),
    path("ws/posts/<uuid:post_uuid>/", PostConsumer.as_asgi()),
]
