"""English phrases of Django, its admin and the libraries that must never reach a kk/ru page.

Each is a string a user actually met inside the Kazakh interface (issue 19) or a sibling of
one from the same catalogue; the browser walk and the admin tests search page text for them.
"""

from __future__ import annotations

import re

PHRASES = [
    # Django admin chrome
    "Recent actions",
    "My actions",
    "View site",
    "Show counts",
    "Hide counts",
    "Please correct the error",
    "Clear all filters",
    "Toggle navigation",
    "Start typing to filter",
    "Skip to main content",
    "Change password",
    "Log out",
    "Select all objects",
    "Save and continue editing",
    "Save and add another",
    "Yes, I’m sure",
    "No, take me back",
    "Add another",
    "Currently:",
    # app and model names of the libraries
    "Authentication and Authorization",
    "AUTHENTICATION AND AUTHORIZATION",
    "Axes",
    "Access attempts",
    "Access logs",
    "Access failures",
    "Periodic Tasks",
    "Crontabs",
    "Intervals",
    "Clocked",
    "Solar events",
    "TOTP device",
    "Static device",
    "Otp_Totp",
    "Otp_Static",
    "Auth Token",
    "Tokens",
    "Content types",
    # password validators and auth forms
    "Your password can’t",
    "Your password must contain",
    "This password is too",
    "The two password fields",
    "Enter the same password",
    # form and model validation
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Select a valid choice",
    # django-otp / django-axes
    "Invalid token",
    "Please enter your OTP",
    "Account locked",
    # our own English leftovers named in the issue
    "SQF workbench",
    "Demo: published",
]

_WORD = re.compile(r"\b{}\b")


def english_on(text: str) -> list[str]:
    """The phrases of PHRASES that occur in text (whole words, case-sensitive)."""
    return [p for p in PHRASES if re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", text)]
