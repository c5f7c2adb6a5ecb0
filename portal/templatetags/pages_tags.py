from django import template

register = template.Library()


@register.simple_tag
def tenant_alerts(user):
    """The tenant's open alerts with their receipt rows (banner on the tenant side)."""
    from portal.broadcasts.services import open_alerts_for_tenant_user

    return list(open_alerts_for_tenant_user(user))


@register.simple_tag
def tenant_content(user):
    """Latest notices, handbook, fees and today's greeting of the user's centres."""
    from portal.pages.selectors import tenant_content_for

    return tenant_content_for(user)
