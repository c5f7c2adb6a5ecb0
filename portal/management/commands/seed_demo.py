"""Demo data: one operator, two centres, their tenants and one account per role.

Idempotent: every row is keyed (codes, emails), so running it again updates
what is there and adds nothing twice. The random generator is seeded, so the
same tenants come out every time."""

import random
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo.archive import ARCHIVIST, seed_archive
from portal.demo.data import CATEGORY_NAMES, CITY, GIVEN, POSITIONS, SURNAMES
from portal.demo.feedback import seed_feedback
from portal.demo.fire import seed_fire
from portal.demo.letters import seed_letters
from portal.demo.pages import seed_pages
from portal.demo.service_desk import seed_service_desk
from portal.demo.visits import seed_visits
from portal.models import Department, Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, Tenant, TenantStatus, Tier, Unit

CENTRES = [
    {
        "code": "BJ", "name": "安泰广场·滨江店", "tenants": 124, "floors": [-1, 1, 2, 3],
        "address": "杭州市滨江区江南大道 1888 号", "hotline": "0571-8888-6000",
        "letterhead_name": "杭州安泰商业管理有限公司滨江分公司",
    },
    {
        "code": "CB", "name": "安泰汇·城北店", "tenants": 42, "floors": [1, 2],
        "address": "杭州市拱墅区湖州街 66 号", "hotline": "0571-8888-7000",
        "letterhead_name": "杭州安泰商业管理有限公司城北分公司",
    },
]

STAFF = [
    ("ops@a.atrium.demo", "周敏", "BJ", Role.OPERATIONS, Department.OPERATIONS),
    ("drafter@a.atrium.demo", "陈建华", "BJ", Role.DRAFTER, Department.SAFETY),
    ("leader@a.atrium.demo", "李志强", "BJ", Role.LEADER, ""),
    ("seal@a.atrium.demo", "王雪梅", "BJ", Role.SEAL_KEEPER, Department.GM_OFFICE),
    ("editor@a.atrium.demo", "刘佳怡", "BJ", Role.WEB_EDITOR, Department.MARKETING),
    ("reviewer@a.atrium.demo", "赵海燕", "BJ", Role.WEB_REVIEWER, Department.MARKETING),
    ("web@a.atrium.demo", "黄思远", "BJ", Role.WEB_FOLLOWUP, Department.MARKETING),
    ("ops@b.atrium.demo", "孙浩然", "CB", Role.OPERATIONS, Department.OPERATIONS),
    ("manager@atrium.demo", "吴俊杰", None, Role.MANAGER, ""),
]
SIGNERS = [(f"signer{i}@tenant.atrium.demo", "BJ", i - 1) for i in range(1, 6)] + [("signer@b-tenant.atrium.demo", "CB", 0)]
ADMIN_EMAIL = "admin@atrium.demo"


def _tier(rng):
    return rng.choices([Tier.TIER_1, Tier.TIER_2, Tier.TIER_3, Tier.SPECIAL], weights=[10, 30, 55, 5])[0]


def _shop_name(rng: random.Random, used_names: set) -> tuple[str, str, str]:
    """A shop name not yet used in the centre, with its category and industry.
    The calls on `rng` keep their order, so the demo stays the same each run."""
    category = rng.choice(list(CATEGORY_NAMES))
    prefixes, suffixes, industry = CATEGORY_NAMES[category]
    for _attempt in range(50):
        name = rng.choice(prefixes) + rng.choice(suffixes)
        if name not in used_names:
            break
        name = f"{name}·{rng.choice(['一店', '二店', '旗舰店', '精品店'])}"
        if name not in used_names:
            break
    used_names.add(name)
    return name, category, industry


def _contacts(tenant, rng: random.Random) -> None:
    """One to three contacts; the first may sign for the tenant."""
    for i in range(rng.choice([1, 2, 2, 3])):
        person = rng.choice(SURNAMES) + rng.choice(GIVEN)
        Contact.objects.update_or_create(
            tenant=tenant,
            email=f"{tenant.code.lower()}.{i + 1}@shops.atrium.demo",
            defaults={
                "name": person,
                "position": POSITIONS[0] if i == 0 else rng.choice(POSITIONS[1:]),
                "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                "may_sign": i == 0,
            },
        )


class Command(BaseCommand):
    help = "Load (or refresh) the demo operator, centres, tenants and accounts."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--render-later", action="store_true",
                            help="Leave the PDFs (stamped letters, receipts, handbook) to the worker: make run.")

    def handle(self, *args, quiet=False, logins_only=False, render_later=False, **options):
        if render_later:
            from portal.demo.later import rendering_later
            from portal.tasks import seed_demo_render

            with rendering_later():
                self.seed()
            seed_demo_render.delay()
        elif not logins_only:
            self.seed()
        if not quiet:
            self.print_logins()

    @transaction.atomic
    def seed(self):
        operator, _ = Operator.objects.update_or_create(code="ATRIUM", defaults={"name": "杭州安泰商业管理有限公司"})
        centres = {}
        for spec in CENTRES:
            centres[spec["code"]] = self._centre(operator, spec)
        self._staff(operator, centres)
        self._signers(centres)
        self._user(ADMIN_EMAIL, "系统管理员", superuser=True)
        seed_service_desk(centres)
        seed_archive(centres)
        seed_letters(centres)
        seed_fire(centres)
        seed_pages(centres)
        seed_visits(centres)
        seed_feedback(centres)

    def _centre(self, operator, spec):
        centre, _ = Centre.objects.update_or_create(
            code=spec["code"],
            defaults={
                "operator": operator, "name": spec["name"], "address": spec["address"], "hotline": spec["hotline"],
                "letterhead_name": spec["letterhead_name"], "letterhead_address": spec["address"],
                "letterhead_phone": spec["hotline"], "email": f"service.{spec['code'].lower()}@atrium.demo",
            },
        )
        rng = random.Random(f"atrium-demo-{spec['code']}")
        used_names = set()
        floors = spec["floors"]
        per_floor = dict.fromkeys(floors, 0)
        for n in range(1, spec["tenants"] + 1):
            name, category, industry = _shop_name(rng, used_names)
            core = name.split("·")[0][:4]
            start = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1200))
            status = rng.choices(
                [TenantStatus.OPEN, TenantStatus.PREPARING, TenantStatus.LEAVING], weights=[90, 5, 5]
            )[0]
            tenant, _ = Tenant.objects.update_or_create(
                centre=centre,
                code=f"{spec['code']}{n:04d}",
                defaults={
                    "trading_name": name,
                    "legal_name": f"{CITY}{core}{industry}有限公司",
                    "category": category,
                    "tier": _tier(rng),
                    "lease_start": start,
                    "lease_end": start + timedelta(days=365 * rng.choice([2, 3, 5])),
                    "status": status,
                },
            )
            floor = floors[(n - 1) % len(floors)]
            per_floor[floor] += 1
            label = f"B{-floor}" if floor < 0 else f"{floor}F"
            area = Decimal(rng.choice([45, 60, 80, 120, 180, 260, 600])) + Decimal(rng.randrange(0, 99)) / 10
            Unit.objects.update_or_create(
                centre=centre, number=f"{label}-{per_floor[floor]:03d}",
                defaults={"floor": floor, "area": area, "tenant": tenant},
            )
            _contacts(tenant, rng)
        return centre

    def _user(self, email, name, *, superuser=False):
        user = User.objects.filter(email=email).first() or User(email=email)
        user.full_name = name
        user.is_active = True
        user.is_superuser = superuser
        user.is_staff = superuser
        user.set_password(settings.ATRIUM_DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _staff(self, operator, centres):
        for email, name, code, role, department in STAFF:
            user = self._user(email, name)
            centre = centres[code] if code else None
            StaffMembership.objects.update_or_create(
                user=user, centre=centre, role=role, operator=operator,
                defaults={"department": department, "active": True},
            )

    def _signers(self, centres):
        for email, code, index in SIGNERS:
            tenant = Tenant.objects.filter(centre=centres[code], status=TenantStatus.OPEN).order_by("code")[index]
            contact = tenant.contacts.filter(may_sign=True).first()
            user = self._user(email, contact.name)
            Contact.objects.filter(user=user).exclude(pk=contact.pk).update(user=None)
            contact.user = user
            contact.save(update_fields=["user"])

    def print_logins(self):
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"Demo accounts (password for all: {settings.ATRIUM_DEMO_PASSWORD})"))
        for email, _name, code, role, _dept in STAFF:
            w(f"  {email:<30} {Role(role).label} · {code or 'all centres'}")
        w(f"  {ARCHIVIST[0]:<30} {Role.OPERATIONS.label} · {ARCHIVIST[2]} (may see confidential archives)")
        for email, code, index in SIGNERS:
            tenant = Tenant.objects.filter(centre__code=code, status=TenantStatus.OPEN).order_by("code")[index]
            w(f"  {email:<30} tenant signatory · {tenant.trading_name} ({code})")
        w(f"  {ADMIN_EMAIL:<30} superuser (operator administrator)")
