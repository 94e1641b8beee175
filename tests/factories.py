"""factory_boy factories for every model the tests build, and a helper to make role holders."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import factory

from marsad.accounts.models import Membership, User
from marsad.geo.models import AdminArea, AreaLevel
from marsad.partners.models import (
    Contact,
    Funding,
    FundingKind,
    Organisation,
    OrganisationKind,
    Programme,
)


class AdminAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminArea
        django_get_or_create = ("pcode",)

    pcode = factory.Sequence(lambda n: f"XA{n:04d}")
    level = AreaLevel.COUNTRY
    parent = None
    name_en = factory.Sequence(lambda n: f"Area {n}")
    name_ar = factory.Sequence(lambda n: f"منطقة {n}")
    name_ku = factory.Sequence(lambda n: f"ناوچە {n}")


def area_tree() -> dict[str, AdminArea]:
    """A small tree: country IQ > two governorates > one district each."""
    country = AdminAreaFactory(
        pcode="IQ", level=AreaLevel.COUNTRY, name_en="Iraq", name_ar="العراق", name_ku="عێراق"
    )
    baghdad = AdminAreaFactory(
        pcode="IQG08",
        level=AreaLevel.GOVERNORATE,
        parent=country,
        name_en="Baghdad",
        name_ar="بغداد",
        name_ku="بەغدا",
        iso_code="IQ-BG",
    )
    basrah = AdminAreaFactory(
        pcode="IQG02",
        level=AreaLevel.GOVERNORATE,
        parent=country,
        name_en="Al-Basrah",
        name_ar="البصرة",
        name_ku="بەسرە",
        iso_code="IQ-BA",
    )
    karkh = AdminAreaFactory(
        pcode="IQG08Q03",
        level=AreaLevel.DISTRICT,
        parent=baghdad,
        name_en="Al-Karkh",
        name_ar="الكرخ",
        name_ku="کەرخ",
    )
    zubair = AdminAreaFactory(
        pcode="IQG02Q04",
        level=AreaLevel.DISTRICT,
        parent=basrah,
        name_en="Al-Zubair",
        name_ar="الزبير",
        name_ku="زوبەیر",
    )
    return {
        "country": country,
        "baghdad": baghdad,
        "basrah": basrah,
        "karkh": karkh,
        "zubair": zubair,
    }


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n}")
    kind = OrganisationKind.NATIONAL_NGO
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    name_ar = factory.Sequence(lambda n: f"منظمة {n}")
    name_ku = factory.Sequence(lambda n: f"ڕێکخراو {n}")
    country = "IQ"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PRG{n}")
    name_en = factory.Sequence(lambda n: f"Programme {n}")
    lead_unit = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.MISSION_UNIT)


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    kind = FundingKind.CONTRIBUTION
    donor = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.DONOR)
    programme = factory.SubFactory(ProgrammeFactory)
    amount = Decimal("100000.00")
    currency = "USD"
    appeal_line = factory.Sequence(lambda n: f"Appeal line {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Sequence(lambda n: f"Focal Point {n}")
    phone = "+964 770 000 0000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


PASSWORD = "correct horse battery"


def member(
    role: str,
    organisation: Organisation | None = None,
    *,
    programmes: Iterable[Programme] = (),
    areas: Iterable[AdminArea] = (),
    username: str | None = None,
) -> User:
    """A user holding ``role`` in ``organisation`` (a new NGO if none), optionally narrowed."""
    user = UserFactory(**({"username": username} if username else {}))
    membership = Membership.objects.create(
        user=user, organisation=organisation or OrganisationFactory(), role=role
    )
    membership.programmes.set(list(programmes))
    membership.areas.set(list(areas))
    if role == "system_admin":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user
