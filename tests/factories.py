"""factory_boy factories for the objects most tests need.

Each factory makes a valid object with no arguments, so a test names only what
it is about: `TenantFactory(tier=Tier.TIER_1)`, `ContactFactory(may_sign=True)`.
`tests/base.py` builds its personas (`build_world`) through these, so a field
that becomes required is added here once rather than in every test.

Objects whose creation is a state change (a service request, a letter's first
revision) go through the same code path as the application: the service, or
the Wagtail revision call the drafting view makes.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from notices.models import Letter
from portal.models import Department, Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, ServiceRequest, Tenant, Tier, Unit

PASSWORD = "correct horse battery staple"


class ModelFactory(DjangoModelFactory):
    """Every factory here saves what it makes itself (or through the service
    that makes it), so factory_boy's extra save after post-generation is off."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True


class OperatorFactory(ModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"商业管理有限公司{n}")
    code = factory.Sequence(lambda n: f"OP{n}")


class CentreFactory(ModelFactory):
    class Meta:
        model = Centre

    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"广场{n}")
    code = factory.Sequence(lambda n: f"C{n}")
    hotline = "0571-1000-0000"


class UnitFactory(ModelFactory):
    """A unit; let to `tenant` when one is given, numbered after it."""

    class Meta:
        model = Unit

    centre = factory.SubFactory(CentreFactory)
    tenant = None
    floor = 1
    number = factory.LazyAttributeSequence(
        lambda o, n: f"{o.floor}F-{o.tenant.code}" if o.tenant is not None else f"{o.floor}F-{n:03d}"
    )
    area = Decimal("88.50")


class TenantFactory(ModelFactory):
    """A shop with the unit it rents: `unit__floor=2` picks the unit's floor,
    `unit=None` leaves the shop without one."""

    class Meta:
        model = Tenant

    centre = factory.SubFactory(CentreFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    trading_name = factory.Sequence(lambda n: f"商户{n}")
    legal_name = factory.LazyAttribute(lambda o: f"杭州{o.trading_name}有限公司")
    category = "food"
    tier = Tier.TIER_2
    unit = factory.RelatedFactory(UnitFactory, factory_related_name="tenant", centre=factory.SelfAttribute("..centre"))


class UserFactory(ModelFactory):
    """An account that can log in with PASSWORD, its email address verified
    (allauth refuses unverified addresses); `verified_email=False` for none."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.LazyAttribute(lambda o: o.email.split("@")[0])
    password = PASSWORD
    verified_email = True

    @classmethod
    def _create(cls, model_class, *args, email, password, verified_email, **kwargs):
        user = model_class.objects.create_user(*args, email=email, password=password, **kwargs)
        if verified_email:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user


class StaffMembershipFactory(ModelFactory):
    """A role at a centre (or, with `centre=None` and an `operator`, operator-wide).
    Drafters belong to the safety department unless told otherwise."""

    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    centre = factory.SubFactory(CentreFactory)
    operator = factory.LazyAttribute(lambda o: o.centre.operator)
    role = Role.OPERATIONS
    department = factory.LazyAttribute(lambda o: Department.SAFETY if o.role == Role.DRAFTER else "")


class StaffFactory(UserFactory):
    """A staff account with one membership: `StaffFactory(membership__centre=c,
    membership__role=Role.LEADER)`."""

    membership = factory.RelatedFactory(StaffMembershipFactory, factory_related_name="user")


class ContactFactory(ModelFactory):
    """A tenant's contact, with a portal account of the same email unless
    `with_account=False`."""

    class Meta:
        model = Contact

    class Params:
        with_account = True

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"contact{n}@shop.test")
    name = factory.LazyAttribute(lambda o: o.email.split("@")[0])
    may_sign = False
    user = factory.Maybe(
        "with_account", yes_declaration=factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email")),
        no_declaration=None,
    )


class LetterFactory(ModelFactory):
    """A draft letter with its first revision, as the drafting screen saves it.
    The centre needs a template (tests.notices.letters.make_template) before the
    letter is submitted or rendered."""

    class Meta:
        model = Letter

    centre = factory.SubFactory(CentreFactory)
    drafter = factory.SubFactory(
        StaffFactory, membership__centre=factory.SelfAttribute("...centre"), membership__role=Role.DRAFTER
    )
    live = False
    title = "关于开展消防安全检查的通知"
    body = "<p>为保障商场消防安全，定于本月开展消防安全检查，请各商户予以配合。</p>"
    department = "safety"
    recipient_mode = "tier"
    recipient_tiers = factory.LazyFunction(lambda: ["1"])

    @factory.post_generation
    def revision(obj, create, extracted, **kwargs):
        if create:
            obj.save_revision(user=obj.drafter)


class ServiceRequestFactory(ModelFactory):
    """A request recorded through `request_create`, the service every screen
    uses (numbering, deadlines, the audit event), by operations staff of the
    tenant's centre unless an `actor` is given."""

    class Meta:
        model = ServiceRequest

    tenant = factory.SubFactory(TenantFactory)
    actor = factory.LazyAttribute(
        lambda o: StaffFactory(membership__centre=o.tenant.centre, membership__role=Role.OPERATIONS)
    )
    category = "repair"
    channel = "hotline"
    subject = "空调不制冷"
    description = "店内空调出风不冷，请工程部查看。"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from tenants.services.requests import request_create

        return request_create(*args, **kwargs)
