"""Load the demo: classifiers, the calendar, organisations, one user of every role and a demo
SQF with its history. Each app seeds its own part (its demo.py); this command, on top of
them all, orders them. Safe to run again: it adds what is missing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from classifiers.demo import seed_classifiers
from councils.demo import DEMO_PASSWORD, DEMO_USERS, seed_organisations_and_people
from deadlines.demo import seed_calendar, seed_grounds_clocks
from sbsh.demo import seed_demo_history, seed_demo_sqf


class Command(BaseCommand):
    help = "Load demo organisations and one user of every role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="Password for newly created demo users."
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        seed_classifiers(say=self.stdout.write)
        seed_calendar(say=self.stdout.write)
        users = seed_organisations_and_people(password=password)
        seed_grounds_clocks()
        version = seed_demo_sqf()
        seed_demo_history()
        if version is not None:
            self.stdout.write(
                _("Demo SQF: %(name)s (version %(n)s)")
                % {"name": version.name, "n": version.number}
            )
        self.stdout.write(self.style.SUCCESS(_("Demo organisations and users are in place.")))
        self.stdout.write("")
        # Headings in the same language as the role names under them (LANGUAGE_CODE).
        self.stdout.write(f"  {_('user'):<10} {_('role'):<28} {_('organisation')}")
        for demo in DEMO_USERS:
            user = users[demo.username]
            membership = user.memberships.select_related("organisation").first()
            role = membership.get_role_display() if membership else _("administrator")
            where = membership.organisation.name if membership else "—"
            self.stdout.write(f"  {demo.username:<10} {role!s:<28} {where}")
        self.stdout.write("")
        self.stdout.write(
            "  "
            + _("Password of every demo user (if created by this command): %(p)s") % {"p": password}
        )
