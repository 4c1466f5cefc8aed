from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from classifiers.models import Classifier, ImportJob


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Code or words"), max_length=200, required=False)
    level = forms.IntegerField(label=_("Level"), min_value=0, max_value=6, required=False)
    limit = forms.IntegerField(min_value=1, max_value=50, required=False)
    classifier = forms.ChoiceField(choices=Classifier.choices, required=False)
    edition = forms.IntegerField(min_value=1, max_value=10**18 - 1, required=False)


class ImportJobForm(forms.ModelForm):
    class Meta:
        model = ImportJob
        fields = ["classifier", "file", "edition_name", "dry_run"]
        help_texts = {
            "file": _(
                "CSV (UTF-8) or XLSX, as published (D_POSITION.xlsx, oked_2019_current.csv, the ILO "
                "ISCO-08 workbook) or in the canonical layout described in docs/classifiers.md."
            ),
            "edition_name": _("Optional; by default the file name and today's date."),
        }

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(mb).1f MB; at most %(max).1f MB are accepted.")
                % {"mb": upload.size / 2**20, "max": settings.UPLOAD_MAX_BYTES / 2**20}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
