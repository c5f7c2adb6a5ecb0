from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import centres_for, reaches_centres
from .models.accounts import Department, Invitation, Role


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=100)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            from .models.accounts import User

            try:
                password_validation.validate_password(p1, User(email=self.email, full_name=cleaned.get("full_name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class InvitationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Invite a"), choices=Invitation.Kind.choices, widget=forms.RadioSelect)
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100, required=False)
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    department = forms.ChoiceField(label=_("Department"), choices=[("", "—"), *Department.choices], required=False)
    contact = forms.ModelChoiceField(label=_("Tenant contact"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from tenants.models import Contact

        # Staff are invited by a manager of their centre only
        # (services.invitation_can_invite_staff): the centres offered are the
        # user's as manager, and without any the staff choice is not offered,
        # rather than a form that cannot be sent.
        staff_centres = centres_for(user, [Role.MANAGER])
        self.fields["centre"].queryset = staff_centres
        if not reaches_centres(user, [Role.MANAGER]):
            self.fields["kind"].choices = [(Invitation.Kind.CONTACT, Invitation.Kind.CONTACT.label)]
            self.fields["kind"].initial = Invitation.Kind.CONTACT
            for name in ("centre", "role", "department"):
                del self.fields[name]
        self.fields["contact"].queryset = Contact.objects.active().filter(
            tenant__centre__in=centres_for(user, [Role.OPERATIONS, Role.MANAGER])
        ).select_related("tenant")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Invitation.Kind.STAFF:
            if not cleaned.get("centre"):
                self.add_error("centre", _("Choose the centre the staff member works for."))
            if not cleaned.get("role"):
                self.add_error("role", _("Choose a role."))
            if cleaned.get("role") == Role.DRAFTER and not cleaned.get("department"):
                self.add_error("department", _("A drafter needs a department."))
        elif kind == Invitation.Kind.CONTACT:
            contact = cleaned.get("contact")
            if not contact:
                self.add_error("contact", _("Choose the tenant contact to invite."))
            elif not cleaned.get("email") and contact.email:
                cleaned["email"] = contact.email
        return cleaned
