"""Demo accounts: one user for each role, in the organisations a real deployment would have."""

from dataclasses import dataclass

from django.db import transaction

from marsad.accounts import services as account_services
from marsad.accounts.models import Membership, User
from marsad.geo.models import AdminArea
from marsad.partners.models import Contact, Organisation, Programme

DEMO_PASSWORD = "marsad-demo-2026"  # noqa: S105 — printed for the demo; never used in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str
    programmes: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    language: str = ""


DEMO_USERS = [
    DemoUser("admin", "System", "Administrator", "system_admin", "IOM"),
    DemoUser("pm.idp", "Layla", "Hassan", "programme_manager", "IOM-IDP", programmes=("IDP",)),
    DemoUser("im.officer", "Omar", "Jaber", "im_officer", "IOM-IDP"),
    DemoUser(
        "monitor.basrah",
        "Zainab",
        "Kadhim",
        "field_monitor",
        "IOM-IDP",
        areas=("IQG02",),
        language="ar",
    ),
    DemoUser("registrar.modm", "Ali", "Abbas", "case_worker", "MODM", language="ar"),
    DemoUser(
        "border.basrah",
        "Haider",
        "Salman",
        "border_officer",
        "BPC",
        areas=("IQG02",),
        language="ar",
    ),
    DemoUser(
        "supervisor.basrah",
        "Nadia",
        "Fadhil",
        "border_supervisor",
        "BPC",
        areas=("IQG02",),
        language="ar",
    ),
    DemoUser("partner.ngo", "Shilan", "Aziz", "partner_reporter", "ICS", language="ckb"),
    DemoUser("donor.viewer", "Emma", "Clarke", "aggregate_viewer", "AUS"),
]

DEMO_CONTACTS = [
    # organisation, full name, title, phone, sensitivity, area
    (
        "MODM",
        "Ahmed Karim Al-Saadi",
        "Director of the IDP registration department",
        "+964 770 123 4501",
        "normal",
        "IQG08",
    ),
    (
        "MODM",
        "Suad Jawad Mahdi",
        "Branch office manager, Basrah",
        "+964 780 555 1203",
        "restricted",
        "IQG02",
    ),
    (
        "BPC",
        "Kareem Nouri Hamid",
        "Port director, Basrah International Airport",
        "+964 771 200 3040",
        "restricted",
        "IQG02",
    ),
    ("ICS", "Shilan Aziz Rasul", "Project coordinator", "+964 750 444 8877", "normal", "IQG06"),
    (
        "IOM-IDP",
        "Nadia Faris",
        "Protection focal point",
        "+964 790 111 2233",
        "confidential",
        "IQG08",
    ),
]


@transaction.atomic
def ensure_demo_users(*, stdout=None) -> list[tuple[DemoUser, bool]]:
    """Create the demo users and their memberships if missing; report (user, created) pairs."""
    results = []
    for spec in DEMO_USERS:
        organisation = Organisation.objects.filter(code=spec.organisation).first()
        if organisation is None:
            if stdout is not None:
                stdout.write(
                    f"  skipped {spec.username}: organisation {spec.organisation} not loaded"
                )
            continue
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if created:
            user = account_services.user_create(
                actor=None,
                username=spec.username,
                password=DEMO_PASSWORD,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.marsad.invalid",
                preferred_language=spec.language,
            )
        if not Membership.objects.filter(
            user=user, organisation=organisation, role=spec.role
        ).exists():
            account_services.membership_grant(
                actor=None,
                user=user,
                organisation=organisation,
                role=spec.role,
                programmes=Programme.objects.filter(code__in=spec.programmes),
                areas=AdminArea.objects.filter(pcode__in=spec.areas),
            )
        results.append((spec, created))
    return results


@transaction.atomic
def ensure_demo_contacts() -> int:
    """Focal points for the demo organisations; returns how many were created."""
    from marsad.core import services

    created = 0
    for code, full_name, title, phone, sensitivity, pcode in DEMO_CONTACTS:
        organisation = Organisation.objects.filter(code=code).first()
        if (
            organisation is None
            or Contact.objects.filter(organisation=organisation, full_name=full_name).exists()
        ):
            continue
        services.record_create(
            actor=None,
            model=Contact,
            data={
                "organisation": organisation,
                "full_name": full_name,
                "title": title,
                "phone": phone,
                "sensitivity": sensitivity,
                "area": AdminArea.objects.filter(pcode=pcode).first(),
            },
        )
        created += 1
    return created
