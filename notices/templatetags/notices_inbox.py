from django import template

from notices.selectors import inbox_to_sign_for
from tenants.selectors.contacts import tenant_contacts_of

register = template.Library()


@register.simple_tag
def letters_to_sign(user, limit: int = 10):
    """The tenant home's block: letters this signatory still has to sign
    (None for a contact who may not sign: letters are not theirs to see)."""
    if not tenant_contacts_of(user).filter(may_sign=True).exists():
        return None
    return inbox_to_sign_for(user, limit=limit)
