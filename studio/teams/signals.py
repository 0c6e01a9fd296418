"""What teams tell the apps built on them, so teams never imports them: credits opens a wallet, guards a delete.

Each is sent synchronously inside the teams service's transaction, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# team_create sends it with team= and owner=, once the team and its owner exist.
team_created = Signal()

# team_delete asks it with team=; a receiver answers a sentence saying why the team cannot go yet, or None.
team_delete_refusal = Signal()

# team_summary asks it with team=; a receiver answers a dict of what deleting the team would also take with it.
team_delete_losses = Signal()
