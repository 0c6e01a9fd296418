"""Responses that stay streamed under ASGI.

Django's ASGI handler reads a StreamingHttpResponse (FileResponse included) built on a synchronous iterator into
memory whole before sending a byte. These helpers hand it an asynchronous iterator instead: each chunk is produced
in a worker thread, so a large zip or file flows out at the client's pace while the server's memory stays flat and
the event loop keeps serving other requests.
"""

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

_DONE = object()


async def chunks_in_thread(iterator):
    """An async iterator over a synchronous one, each step taken off the event loop."""
    iterator = iter(iterator)
    step = sync_to_async(lambda: next(iterator, _DONE), thread_sensitive=False)
    try:
        while (chunk := await step()) is not _DONE:
            yield chunk
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=False)()


def streamed_response(chunks, *, content_type, filename=None, as_attachment=False, size=None):
    """A StreamingHttpResponse over `chunks` (a synchronous iterator) that Django's ASGI handler never buffers."""
    response = StreamingHttpResponse(chunks_in_thread(chunks), content_type=content_type)
    if size is not None:
        response["Content-Length"] = str(size)
    if filename is not None or as_attachment:
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename or "download")
    return response
