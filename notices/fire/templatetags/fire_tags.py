from django import template

from notices.fire.selectors import cases_of_tenant_user

register = template.Library()


@register.simple_tag
def fire_open_cases(user, tenant):
    """The tenant's unresolved rectification cases, as this user may see them."""
    return list(cases_of_tenant_user(user).filter(tenant=tenant).unresolved()[:10])  # the model's order: by deadline, awaiting their letter last
