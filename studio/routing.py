"""Websocket routes; each feature app appends its consumers here."""

websocket_urlpatterns = []
