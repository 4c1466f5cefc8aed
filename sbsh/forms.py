from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sbsh.models import SQF_LEVEL_VALIDATOR, ProfessionalStandard, Table1Row


class NodeIdsField(forms.Field):
    """Node ids posted by a classifier picker (one hidden input per chosen node)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values if str(v).strip()]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Pick codes from the list.")) from None


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PassportForm(RevisionForm):
    name_kk = forms.CharField(label=_("Name of the SQF (Kazakh)"), max_length=500, required=False)
    name_ru = forms.CharField(label=_("Name of the SQF (Russian)"), max_length=500, required=False)
    oked = NodeIdsField(label=_("Types of economic activity (OKED)"), required=False)
    nkz = NodeIdsField(label=_("Professional groups (NKZ)"), required=False)


class PartForm(RevisionForm):
    text_kk = forms.CharField(
        label=_("Kazakh"),
        required=False,
        widget=forms.Textarea(attrs={"class": "richtext", "lang": "kk"}),
    )
    text_ru = forms.CharField(
        label=_("Russian"),
        required=False,
        widget=forms.Textarea(attrs={"class": "richtext", "lang": "ru"}),
    )


class StandardForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    name_kk = forms.CharField(label=_("Name (Kazakh)"), max_length=500, required=False)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=500, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ProfessionalStandard.Status.choices)
    nkz = NodeIdsField(label=_("Occupations (NKZ)"), required=False)


class Table1RowForm(RevisionForm):
    sqf_level = forms.CharField(
        label=_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR]
    )
    nqf_level = forms.IntegerField(
        label=_("NQF level"),
        min_value=1,
        max_value=8,
        error_messages={
            "min_value": _("The NQF has levels 1 to 8 (Rules §8)."),
            "max_value": _("The NQF has levels 1 to 8 (Rules §8)."),
        },
    )
    occupations = NodeIdsField(label=_("Occupations in NKZ"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for column in Table1Row.TEXT_COLUMNS:
            for lang in ("kk", "ru"):
                name = f"{column}_{lang}"
                self.fields[name] = forms.CharField(
                    label=Table1Row._meta.get_field(name).verbose_name,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3, "lang": lang}),
                )


class NewRowForm(forms.Form):
    section = forms.TypedChoiceField(choices=Table1Row.Section.choices, coerce=int)


class Table2EntryForm(forms.Form):
    sqf_level = forms.CharField(
        label=_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR]
    )
    occupation = NodeIdsField(label=_("Occupation (NKZ)"))

    def clean_occupation(self) -> list[int]:
        ids = self.cleaned_data["occupation"]
        if len(ids) != 1:
            raise forms.ValidationError(_("Pick one occupation."))
        return ids


class LinkForm(forms.Form):
    source = forms.IntegerField(label=_("From"))
    target = forms.IntegerField(label=_("To"))


class Table3RowForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    isco = NodeIdsField(label=_("ISCO-08 unit group"))
    occupation = NodeIdsField(label=_("Occupation (NKZ)"))
    oked = NodeIdsField(label=_("OKED subclass"))
    nqf_level = forms.IntegerField(label=_("NQF level"), min_value=1, max_value=8)
    sqf_level = forms.CharField(
        label=_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR]
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        for name in ("isco", "occupation", "oked"):
            if name in data and len(data[name]) != 1:
                self.add_error(name, _("Pick one code."))
        return data
