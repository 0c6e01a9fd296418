"""The channels' pages, mounted at /schedule/channels/."""

urlpatterns = []
