"""The demo organisations and one user of every role, shared by seed_demo and the tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from councils import services
from councils.models import Organisation, Role, User

DEMO_PASSWORD = "sqf-demo-2026"  # noqa: S105 - printed to the newcomer on purpose; demo only

ENERGY = {
    "kind": Organisation.Kind.STATE_BODY,
    "short_name": "ЭМ",
    "name_kk": "Қазақстан Республикасының Энергетика министрлігі",
    "name_ru": "Министерство энергетики Республики Казахстан",
    "name_en": "Ministry of Energy of the Republic of Kazakhstan",
    "email": "energy@example.kz",
}
ENERGY_COUNCIL = {
    "kind": Organisation.Kind.COUNCIL,
    "short_name": "ОСПК-Энергетика",
    "name_kk": "Энергетика саласындағы кәсіптік біліктілік жөніндегі салалық кеңес",
    "name_ru": "Отраслевой совет по профессиональным квалификациям в сфере энергетики",
    "name_en": "Sectoral council for professional qualifications in energy",
    "sector_kk": "Электр энергетикасы: электр энергиясын өндіру, беру және тарату.",
    "sector_ru": "Электроэнергетика: производство, передача и распределение электроэнергии.",
    "email": "council-energy@example.kz",
}
AGRICULTURE = {
    "kind": Organisation.Kind.STATE_BODY,
    "short_name": "МСХ",
    "name_kk": "Қазақстан Республикасының Ауыл шаруашылығы министрлігі",
    "name_ru": "Министерство сельского хозяйства Республики Казахстан",
    "name_en": "Ministry of Agriculture of the Republic of Kazakhstan",
    "email": "agriculture@example.kz",
}
AGRICULTURE_COUNCIL = {
    "kind": Organisation.Kind.COUNCIL,
    "short_name": "ОСПК-АПК",
    "name_kk": "Агроөнеркәсіптік кешен саласындағы кәсіптік біліктілік жөніндегі салалық кеңес",
    "name_ru": "Отраслевой совет по профессиональным квалификациям в агропромышленном комплексе",
    "name_en": "Sectoral council for professional qualifications in the agro-industrial complex",
    "sector_kk": "Ауыл шаруашылығы, орман шаруашылығы және балық аулау.",
    "sector_ru": "Сельское, лесное и рыбное хозяйство.",
}
NATIONAL_BODY = {
    "kind": Organisation.Kind.NATIONAL_BODY,
    "short_name": "НПП «Атамекен»",
    "name_kk": "«Атамекен» Қазақстан Республикасының Ұлттық кәсіпкерлер палатасы",
    "name_ru": "Национальная палата предпринимателей Республики Казахстан «Атамекен»",
    "name_en": "National Chamber of Entrepreneurs of the Republic of Kazakhstan “Atameken”",
    "email": "registry@example.kz",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str | None  # None: administrator
    organisation_key: str | None


DEMO_USERS = [
    DemoUser("admin", "Әлия Сейітова (әкімші)", None, None),
    DemoUser("drafter", "Асель Нұрланқызы", Role.MINISTRY_STAFF, "energy"),
    DemoUser("expert", "Дмитрий Ким", Role.WORKING_GROUP, "energy"),
    DemoUser("member", "Ерлан Жақсылықов", Role.COUNCIL_MEMBER, "energy_council"),
    DemoUser("secretary", "Гүлнар Омарова", Role.COUNCIL_SECRETARY, "energy_council"),
    DemoUser("officer", "Марат Бекетов", Role.NATIONAL_OFFICER, "national"),
    DemoUser("outsider", "Сәуле Тоқтарова", Role.MINISTRY_STAFF, "agriculture"),
]


def _organisation(data: dict[str, str], state_body: Organisation | None = None) -> Organisation:
    existing = Organisation.objects.filter(kind=data["kind"], name_ru=data["name_ru"]).first()
    if existing is not None:
        return existing
    organisation = Organisation(**data, state_body=state_body)
    return services.organisation_save(actor=None, organisation=organisation)


@transaction.atomic
def seed_organisations_and_people(*, password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create what is missing; never overwrite what an administrator has changed."""
    energy = _organisation(ENERGY)
    agriculture = _organisation(AGRICULTURE)
    organisations = {
        "energy": energy,
        "energy_council": _organisation(ENERGY_COUNCIL, state_body=energy),
        "agriculture": agriculture,
        "agriculture_council": _organisation(AGRICULTURE_COUNCIL, state_body=agriculture),
        "national": Organisation.objects.filter(kind=Organisation.Kind.NATIONAL_BODY).first()
        or _organisation(NATIONAL_BODY),
    }
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User(
                username=demo.username,
                full_name=demo.full_name,
                email=f"{demo.username}@example.kz",
                is_staff=demo.role is None,
                is_superuser=demo.role is None,
            )
            user = services.user_save(actor=None, user=user, password=password)
        if demo.role is not None and demo.organisation_key is not None:
            services.membership_grant(
                actor=None,
                user=user,
                organisation=organisations[demo.organisation_key],
                role=demo.role,
            )
        users[demo.username] = user
    return users
