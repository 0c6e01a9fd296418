"""E-mails about credit requests: to the team's admins and the operators when one arrives, to the member when answered.

Sent after the request's transaction commits; a mail outage is logged and never undoes the request, which the
admins also see in the studio.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from studio.teams.models import Membership, Role
from studio.teams.scoping import scoped

logger = logging.getLogger(__name__)


def _who(user):
    return user.email or user.get_username()


def _requests_link():
    return settings.SITE_URL.rstrip("/") + reverse("credit_requests")


def team_admin_emails(team, *, except_user=None):
    admins = scoped(Membership, team).filter(role__in=[Role.ADMIN, Role.OWNER], user__is_active=True)
    if except_user is not None:
        admins = admins.exclude(user=except_user)
    return sorted({email for email in admins.values_list("user__email", flat=True) if email})


def operator_emails():
    """Staff users with an address, and the ADMINS setting (plain addresses or (name, address) pairs)."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    emails = set(staff.values_list("email", flat=True))
    for admin in getattr(settings, "ADMINS", None) or []:
        emails.add(admin[1] if isinstance(admin, (list, tuple)) else admin)
    return sorted(email for email in emails if email)


def _send(subject, message, recipients):
    if not recipients:
        return
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    except Exception:
        logger.exception("could not send %r to %s", subject, ", ".join(recipients))


def credit_request_opened(credit_request):
    team, member = credit_request.team, credit_request.requested_by
    note = f'\n\nTheir note: "{credit_request.note}"' if credit_request.note else ""
    subject = f"{_who(member)} asks for {credit_request.amount} credits for {team.name}"
    balance = team.wallet.balance if hasattr(team, "wallet") else 0
    body = f"{_who(member)} asked for {credit_request.amount} credits for {team.name} on Postframe.{note}\n\n"
    admins = team_admin_emails(team, except_user=member)
    _send(
        subject,
        body + f"The team has {balance} credits now. Grant or decline the request here:\n{_requests_link()}\n",
        admins,
    )
    operators = [email for email in operator_emails() if email not in admins]
    _send(
        subject,
        body + f"The team has {balance} credits now. Its admins can grant or decline it in the studio; "
        "operators top up the team's wallet from the admin (Credits › Wallets).\n",
        operators,
    )


def credit_request_answered(credit_request):
    member = credit_request.requested_by
    if not member.email:
        return
    team, admin = credit_request.team, _who(credit_request.answered_by)
    if credit_request.status == credit_request.Status.GRANTED:
        subject = f"{credit_request.granted_amount} credits added to {team.name}"
        body = f"{admin} granted your request: {team.name} has {credit_request.granted_amount} more credits."
    else:
        subject = f"Your request for {credit_request.amount} credits was declined"
        body = f"{admin} declined your request for {credit_request.amount} credits for {team.name}."
    if credit_request.answer_note:
        body += f'\n\nTheir note: "{credit_request.answer_note}"'
    _send(subject, body + f"\n\nYour requests: {_requests_link()}\n", [member.email])
