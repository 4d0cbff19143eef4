"""Form helpers shared by every area's templates."""

from __future__ import annotations


def field_attributes(field, autocomplete: str | None = None) -> dict:
    """The accessibility attributes of a form control: only those with a value (WTForms would print "None")."""
    attributes = {}
    if autocomplete:
        attributes["autocomplete"] = autocomplete
    if field.errors:
        attributes["aria-invalid"] = "true"
        attributes["aria-describedby"] = f"{field.id}-errors"
    elif field.description and field.type != "BooleanField":
        attributes["aria-describedby"] = f"{field.id}-help"
    return attributes
