"""Length limits of the texts people write, in characters (docs/limits.md lists them).

One source for the model (validators, so every service's full_clean() refuses), the forms
(the field's maxlength and its counter) and the API (ModelSerializer reads the model;
hand-written serializers import these). The Rules set no lengths; these are generous
ceilings that stop a pasted book or a runaway script, not a real document: the longest
narrative part of the published SQFs we saw is about 25,000 characters.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator

NAME = 500  # the SQF's name, a standard's name (already the column width)
PART = 100_000  # one narrative part in one language
CELL = 5_000  # one cell of Table 1 or Table 3
TEXT = 20_000  # grounds, reasons, recommendations, answers, decisions' comments
COMMENT = 5_000  # a review comment or a move's reason


def limit(n: int) -> dict[str, object]:
    """Field keywords for a TextField of at most n characters."""
    return {"max_length": n, "validators": [MaxLengthValidator(n)]}
