"""Background work of the API: forgetting Idempotency-Key answers once their 24 hours are over."""

from celery import shared_task


@shared_task(name="api.idempotency_keys_expire", ignore_result=True)
def idempotency_keys_expire():
    from studio.api import services

    return services.idempotent_requests_expire()
