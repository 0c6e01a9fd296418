"""The API's one error shape, {"errors": [{"field", "message"}]}, and the status each kind of refusal answers."""

# Pydantic names the member of a union that failed inside the location; a client only cares about the field.
UNION_MEMBERS = {"str", "int", "ReferenceIn", "none", "uuid"}
UNION_MESSAGES = {
    "referenceImages": 'Give an asset id, an http(s) URL, a data: URI, or {"image": …, "role": …}.',
    "mask": "Give an asset id, an http(s) URL, or a data: URI of an RGBA PNG.",
}


class ApiError(Exception):
    """A refused API request: an HTTP status and one or more {field, message} errors."""

    def __init__(self, status, errors):
        self.status = status
        self.errors = [{"field": field, "message": message} for field, message in errors]
        super().__init__(f"{status}: {self.errors}")

    @classmethod
    def one(cls, status, field, message):
        return cls(status, [(field, message)])


def field_name(loc):
    """`referenceImages[2]` from pydantic's ("body", "payload", "referenceImages", 2, "str")."""
    parts = list(loc)
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 1 and parts[1] == "payload" else parts[1:]
    elif parts[:1] in (["path"], ["query"]):
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part in UNION_MEMBERS or "[" in str(part):
            continue
        else:
            name += f".{part}" if name else str(part)
    return name or None


def union_message(field, message):
    """A plain message for a field whose value matched none of the shapes it may take."""
    top = (field or "").split("[", 1)[0].split(".", 1)[0]
    return UNION_MESSAGES.get(top, message)
