"""The people and shops of `make test-stack`, written in bulk before the web
and worker processes start: one centre with its letter template and seal,
the drafter, leader and seal keeper (each with a TOTP authenticator whose
secret the driver is handed, since staff must pass MFA in production), and
1,000 tier-1 tenants with a signing contact each, of whom the first SIGNERS
have portal accounts. Prints one JSON line for the driver.

    DJANGO_SETTINGS_MODULE=portal.settings.production python tests/stack/seed.py
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import django

django.setup()

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password

from notices.models import LetterTemplate
from notices.pdf.seal import make_demo_certificate, make_seal_png
from portal.models import Role, StaffMembership, User
from tenants.models import Centre, Contact, Operator, Tenant, Unit

TENANTS = int(os.environ.get("STACK_TENANTS", "1000"))
SIGNERS = int(os.environ.get("STACK_SIGNERS", "50"))
PASSWORD = "stack-" + os.urandom(8).hex()


def _centre() -> Centre:
    operator = Operator.objects.create(name="全栈测试商业管理有限公司", code="STACK")
    centre = Centre.objects.create(operator=operator, name="全栈广场", code="ST", hotline="0571-8000-0000")
    key, cert = make_demo_certificate(centre.name, centre.name)
    template = LetterTemplate(centre=centre, letterhead_title=f"{centre.name}管理有限公司",
                              signatory_name=f"{centre.name}管理有限公司", seal_png=make_seal_png(centre.name),
                              seal_certificate_pem=cert.decode(), footer_text="24小时服务热线 0571-8000-0000")
    template.set_seal_key(key)
    template.save()
    return centre


def _accounts(emails: list[str]) -> list[User]:
    hashed = make_password(PASSWORD)  # one hash for all: a thousand would take a minute
    users = User.objects.bulk_create([User(email=e, password=hashed, full_name=e.split("@")[0]) for e in emails])
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users])
    return users


def _staff(centre: Centre) -> dict:
    staff = {}
    roles = {"drafter": Role.DRAFTER, "leader": Role.LEADER, "seal": Role.SEAL_KEEPER}
    for (name, role), user in zip(roles.items(), _accounts([f"{n}@stack.test" for n in roles]), strict=True):
        StaffMembership.objects.create(user=user, centre=centre, operator=centre.operator, role=role,
                                       department="safety" if role == Role.DRAFTER else "")
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        staff[name] = {"email": user.email, "totp_secret": secret}
    return staff


def _tenants(centre: Centre) -> list[str]:
    tenants = Tenant.objects.bulk_create(
        [Tenant(centre=centre, code=f"S{i:04d}", trading_name=f"全栈商户{i}", legal_name=f"杭州全栈商户{i}有限公司",
                category="retail", tier="1") for i in range(TENANTS)], batch_size=1000)
    Unit.objects.bulk_create([Unit(centre=centre, tenant=t, floor=1 + i % 5, number=f"{1 + i % 5}F-{t.code}", area=80)
                              for i, t in enumerate(tenants)], batch_size=1000)
    signers = _accounts([f"signer{i}@shop.stack.test" for i in range(SIGNERS)])
    Contact.objects.bulk_create(
        [Contact(tenant=t, name=f"店长{i}", email=f"signer{i}@shop.stack.test", phone=f"1390000{i:04d}", may_sign=True,
                 user=signers[i] if i < SIGNERS else None) for i, t in enumerate(tenants)], batch_size=1000)
    return [u.email for u in signers]


if __name__ == "__main__":
    centre = _centre()
    print(json.dumps({"centre": centre.pk, "password": PASSWORD, "staff": _staff(centre),
                      "signers": _tenants(centre), "tenants": TENANTS}))
