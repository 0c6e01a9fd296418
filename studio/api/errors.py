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
    elif parts[:1] in (["path"], ["query"], ["form"], ["file"], ["header"], ["cookie"]):
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


def in_union_member(loc):
    """Whether pydantic's location names a member of a union (our Line type shows as `function-after[…]`)."""
    return any(part in UNION_MEMBERS or part.startswith("function-") for part in loc if isinstance(part, str))


def union_message(field, message):
    """A plain message for a field whose value matched none of the shapes it may take."""
    top = (field or "").split("[", 1)[0].split(".", 1)[0]
    return UNION_MESSAGES.get(top, message)


# Pydantic's wording for a few constraints the schema states, as the Studio's own forms put them.
FIELD_MESSAGES = {
    ("prompt", "string_too_short"): "Write a prompt describing the image.",
    ("prompt", "string_too_long"): "The prompt is longer than 32,000 characters, the most any model takes.",
    ("n", "greater_than_equal"): "Choose between 1 and 10 images.",
    ("name", "string_too_short"): "Give the board a name.",
    ("name", "string_too_long"): "Keep a board's name under 80 characters.",
    ("n", "less_than_equal"): "Choose between 1 and 10 images.",
}
TYPE_MESSAGES = {
    "string_too_short": "This field cannot be empty.",
    "string_unicode": "This text holds a broken character (a lone surrogate); send valid UTF-8 text.",
}


def pydantic_message(field, error):
    """The message for one pydantic error on `field`: ours where we have one, else pydantic's own."""
    kind = error.get("type", "")
    return (
        FIELD_MESSAGES.get((field, kind)) or TYPE_MESSAGES.get(kind) or error.get("msg") or "This value is not valid."
    )
