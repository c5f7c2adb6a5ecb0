from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from portal.models.broadcasts import AlertKind, AlertLevel


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AlertKind.choices)
    level = forms.ChoiceField(label=_("Warning level"), choices=AlertLevel.choices, required=False)
    title = forms.CharField(label=_("Title"), max_length=120)
    message = forms.CharField(label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 5}))
    centres = forms.ModelMultipleChoiceField(label=_("Centres"), queryset=None, widget=forms.CheckboxSelectMultiple)
    send_sms = forms.BooleanField(label=_("Also send by SMS"), required=False, initial=True)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centres"].queryset = centres

    def clean(self):
        data = super().clean()
        kind, level = data.get("kind"), data.get("level") or ""
        if kind == AlertKind.URGENT and level:
            self.add_error("level", ValidationError(_("An urgent notice has no colour level.")))
        if kind and kind != AlertKind.URGENT and not level:
            self.add_error("level", ValidationError(_("Choose the warning level of the weather alert.")))
        return data


class GreetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    message = forms.CharField(label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 6}))


def holiday_choices() -> list[tuple[str, str]]:
    from .greetings import HOLIDAY_NAMES

    # The 2015 one-off (抗战胜利纪念日) is no holiday to add again. Shown in
    # the reader's language (the greeting itself is in Chinese, for tenants).
    return [(name, pgettext("holiday", name)) for name in HOLIDAY_NAMES if name != "Anti-Fascist 70th Day"]


class NewGreetingForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None)
    holiday = forms.ChoiceField(label=_("Holiday"), choices=holiday_choices)
    send_on = forms.DateField(label=_("Send on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text=_("The first day of the holiday, as the State Council's arrangement gives it."))
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("Left empty: the usual greeting for this holiday."))
    message = forms.CharField(label=_("Message"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
