"""Test personas and the access helper.

Every view test states who gets in and who does not: a staff member of
centre A, one of centre B, a tenant signatory, a signatory of another shop,
a contact who may not sign, and an anonymous visitor."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from django.test import Client

from portal.models import Role, User
from tenants.models import Centre, Contact, Operator, Tenant, Tier

from .factories import (
    PASSWORD,
    CentreFactory,
    ContactFactory,
    OperatorFactory,
    ServiceRequestFactory,
    StaffMembershipFactory,
    TenantFactory,
    UserFactory,
)

__all__ = ["PASSWORD"]  # re-exported: tests log in with tests.base.PASSWORD


def logged_in(user: User, **headers) -> Client:
    """A test client signed in as `user`; `headers` as for Client()."""
    client = Client(**headers)
    client.force_login(user)
    return client


def make_user(email: str, name: str = "", **extra) -> User:
    if name:
        extra["full_name"] = name
    return UserFactory(email=email, **extra)


def make_staff(email: str, centre: Centre | None, role: str, *, operator: Operator | None = None, department: str = "") -> User:
    user = make_user(email)
    extra = {"department": department} if department else {}
    StaffMembershipFactory(user=user, centre=centre, operator=operator or centre.operator, role=role, **extra)
    return user


def make_tenant(centre: Centre, code: str, name: str, *, tier=Tier.TIER_2, floor: int = 1, category="food") -> Tenant:
    return TenantFactory(centre=centre, code=code, trading_name=name, category=category, tier=tier, unit__floor=floor)


def make_contact(tenant: Tenant, email: str, *, may_sign: bool, with_account: bool = True) -> Contact:
    return ContactFactory(tenant=tenant, email=email, may_sign=may_sign, with_account=with_account)


@dataclass
class World:
    operator: Operator
    centre_a: Centre
    centre_b: Centre
    tenant_a: Tenant
    tenant_a2: Tenant
    tenant_b: Tenant
    ops_a: User
    ops_b: User
    drafter_a: User
    leader_a: User
    seal_a: User
    editor_a: User
    manager: User
    signer_a: User
    signer_a2: User
    nonsigner_a: User
    signer_b: User


def build_world() -> World:
    operator = OperatorFactory(name="测试商业管理有限公司", code="TEST")
    centre_a = CentreFactory(operator=operator, name="测试广场A", code="TA", hotline="0571-1000-0000")
    centre_b = CentreFactory(operator=operator, name="测试广场B", code="TB", hotline="0571-2000-0000")
    tenant_a = make_tenant(centre_a, "TA001", "蜀香火锅", tier=Tier.TIER_1)
    tenant_a2 = make_tenant(centre_a, "TA002", "云裳女装", tier=Tier.TIER_3, floor=2, category="fashion")
    tenant_b = make_tenant(centre_b, "TB001", "星芽童装", category="children")
    signer_a = make_contact(tenant_a, "signer@a-shop.test", may_sign=True).user
    nonsigner_a = make_contact(tenant_a, "clerk@a-shop.test", may_sign=False).user
    signer_a2 = make_contact(tenant_a2, "signer@a2-shop.test", may_sign=True).user
    signer_b = make_contact(tenant_b, "signer@b-shop.test", may_sign=True).user
    return World(
        operator=operator, centre_a=centre_a, centre_b=centre_b,
        tenant_a=tenant_a, tenant_a2=tenant_a2, tenant_b=tenant_b,
        ops_a=make_staff("ops@a.test", centre_a, Role.OPERATIONS),
        ops_b=make_staff("ops@b.test", centre_b, Role.OPERATIONS),
        drafter_a=make_staff("drafter@a.test", centre_a, Role.DRAFTER),
        leader_a=make_staff("leader@a.test", centre_a, Role.LEADER),
        seal_a=make_staff("seal@a.test", centre_a, Role.SEAL_KEEPER),
        editor_a=make_staff("editor@a.test", centre_a, Role.WEB_EDITOR),
        manager=make_staff("manager@test", None, Role.MANAGER, operator=operator),
        signer_a=signer_a, signer_a2=signer_a2, nonsigner_a=nonsigner_a, signer_b=signer_b,
    )


ANONYMOUS = None


def _status_for(client: Client, user: User | None, url: str, method: str, data):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data or {})
    return response


def assert_access(url: str, *, allowed=(), refused=(), method: str = "get", data=None, ok_status=(200,)):
    """`allowed` users get one of `ok_status`; `refused` users get 403/404 (or
    Wagtail's refusal redirect), and the anonymous visitor (None) is sent to
    the login page."""
    client = Client()
    for user in allowed:
        response = _status_for(client, user, url, method, data)
        assert response.status_code in ok_status, f"{user} should get {ok_status} on {url}, got {response.status_code}"
    for user in refused:
        response = _status_for(client, user, url, method, data)
        if user is None:
            assert response.status_code == 302, f"anonymous should be redirected from {url}, got {response.status_code}"
            assert urlparse(response["Location"]).path.startswith("/accounts/login/"), response["Location"]
        elif response.status_code == 302:
            # Wagtail's admin refuses by redirecting: to the login page when the
            # account has no admin access, to the dashboard (with a message) when
            # it lacks the permission for this screen.
            target = urlparse(response["Location"]).path
            assert target in ("/accounts/login/", "/admin/"), f"{user} was sent to {target} from {url}"
        else:
            assert response.status_code in (403, 404), f"{user} must not reach {url}, got {response.status_code}"


# --- Service desk helpers (issue 3) -------------------------------------------
# The smallest valid files of each kind, for upload tests.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_upload(name: str = "photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def make_request(world: World, *, tenant: Tenant | None = None, actor: User | None = None, **kwargs):
    """A request recorded by staff of the tenant's centre (or `actor`)."""
    tenant = tenant or world.tenant_a
    if actor is None:
        actor = world.ops_a if tenant.centre_id == world.centre_a.pk else world.ops_b
    return ServiceRequestFactory(actor=actor, tenant=tenant, **kwargs)


def pdf_upload(name: str = "lease.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def grant_confidential(user: User) -> User:
    """Give `user` the explicit permission for confidential archive records."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_confidential", content_type__app_label="tenants"))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance
