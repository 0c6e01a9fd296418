"""Form pieces every app shares."""

END_BEFORE_START = "The end date is before the start date."


class DateRangeMixin:
    """For a form with `date_from` and `date_to`: an end before the start is refused next to the end date."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", END_BEFORE_START)
        return cleaned
