from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "studio.credits"
    label = "credits"

    def ready(self):
        from studio.credits import receivers
        from studio.teams import signals

        signals.team_created.connect(receivers.wallet_for_new_team, dispatch_uid="credits-wallet-for-new-team")
        signals.team_delete_refusal.connect(receivers.held_credits_refusal, dispatch_uid="credits-held-refusal")
        signals.team_delete_losses.connect(receivers.credits_forfeited, dispatch_uid="credits-forfeited")
