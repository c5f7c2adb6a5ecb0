from django import template

from ..selectors import meetings_for_tenant_user, open_surveys_for_tenant_user

register = template.Library()


@register.simple_tag(takes_context=True)
def visits_for_tenant_home(context):
    user = context["request"].user
    return {
        "surveys": list(open_surveys_for_tenant_user(user)[:5]),
        "meetings": meetings_for_tenant_user(user).exists(),
    }
