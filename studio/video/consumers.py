"""The websocket of one sequence (ws/video/<uuid>/): every shot's live state, rendered by the server."""

from studio.generation.consumers import RowConsumer
from studio.video.models import Sequence


class SequenceConsumer(RowConsumer):
    model = Sequence
    kwarg = "sequence_uuid"

    video_update = RowConsumer.forward  # push.UPDATE_EVENT, "video.update"

    def current_html(self, row_id):
        from studio.video.push import updates_html

        sequence = Sequence.objects.select_related("team", "stitched").get(pk=row_id)
        return updates_html(sequence, can_edit=self.can_act), False
