from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import params
from sbsh import limits
from sbsh.models import SQF_LEVEL_VALIDATOR, NkzCorrespondence, ProfessionalStandard, Table1Row

# Every id or revision a form takes is `[0-9]{1,18}` (config/params.py): a larger number
# overflows SQLite's 64-bit integers.
ID_MAX = 10**18 - 1


class NodeIdsField(forms.Field):
    """Node ids posted by a classifier picker (one hidden input per chosen node)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        values = [str(v).strip() for v in values if str(v).strip()]
        # An id is [0-9]{1,18} (config/params.py): a Unicode digit or a 25-digit number is
        # no node of ours, and must not reach the database.
        if len(values) > 500 or not all(params.is_id(v) for v in values):
            raise forms.ValidationError(_("Pick codes from the list."))
        return [int(v) for v in values]


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=ID_MAX)


class PassportForm(RevisionForm):
    name_kk = forms.CharField(
        label=_("Name of the SQF (Kazakh)"), max_length=limits.NAME, required=False
    )
    name_ru = forms.CharField(
        label=_("Name of the SQF (Russian)"), max_length=limits.NAME, required=False
    )
    oked = NodeIdsField(label=_("Types of economic activity (OKED)"), required=False)
    nkz = NodeIdsField(label=_("Professional groups (NKZ)"), required=False)


class PartForm(RevisionForm):
    text_kk = forms.CharField(
        label=_("Kazakh"),
        required=False,
        max_length=limits.PART,
        widget=forms.Textarea(attrs={"class": "richtext", "lang": "kk"}),
    )
    text_ru = forms.CharField(
        label=_("Russian"),
        required=False,
        max_length=limits.PART,
        widget=forms.Textarea(attrs={"class": "richtext", "lang": "ru"}),
    )


class StandardForm(forms.Form):
    revision = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=ID_MAX, required=False
    )
    name_kk = forms.CharField(label=_("Name (Kazakh)"), max_length=limits.NAME, required=False)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=limits.NAME, required=False)
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
                    max_length=limits.CELL,
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


class ExperienceForm(forms.Form):
    """Rules §8.4: the work experience a career move takes."""

    experience_years = forms.IntegerField(
        label=_("Work experience (years)"), min_value=0, max_value=50, required=False
    )
    experience_note_kk = forms.CharField(
        label=_("In which occupations or levels (Kazakh)"), max_length=300, required=False
    )
    experience_note_ru = forms.CharField(
        label=_("In which occupations or levels (Russian)"), max_length=300, required=False
    )


class LinkForm(ExperienceForm):
    source = forms.IntegerField(label=_("From"), min_value=1, max_value=ID_MAX)
    target = forms.IntegerField(label=_("To"), min_value=1, max_value=ID_MAX)


class Table3RowForm(forms.Form):
    revision = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=ID_MAX, required=False
    )
    isco = NodeIdsField(label=_("ISCO-08 unit group"))
    occupation = NodeIdsField(label=_("Occupation (NKZ)"))
    oked = NodeIdsField(label=_("OKED subclass"))
    nqf_level = forms.IntegerField(label=_("NQF level"), min_value=1, max_value=8)
    sqf_level = forms.CharField(
        label=_("SQF level"), max_length=4, validators=[SQF_LEVEL_VALIDATOR]
    )
    # Annex §11 column 9; the drafter judges it per row.
    nkz_correspondence = forms.ChoiceField(
        label=_("Correspondence of the unit group to the occupation group"),
        choices=NkzCorrespondence.choices,
        initial=NkzCorrespondence.FULL,
        required=False,
    )

    def clean_nkz_correspondence(self) -> str:
        # Not sent (an older form or a script): the Annex's usual case, "full".
        return self.cleaned_data.get("nkz_correspondence") or NkzCorrespondence.FULL

    def clean(self) -> dict[str, object]:
        data = super().clean()
        for name in ("isco", "occupation", "oked"):
            if name in data and len(data[name]) != 1:
                self.add_error(name, _("Pick one code."))
        return data


# --- grounds and decisions (Rules §5–§6, §12–§15) -------------------------------------------------


class GroundForm(RevisionForm):
    year = forms.IntegerField(
        label=_("Year the analysis was carried out (Rules §6)"), min_value=2023, max_value=2100
    )
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of the council member (Rules §5.1)"),
        queryset=None,
        required=False,
        help_text=_("A proposal is a council member's; the secretary records it on their behalf."),
    )
    framework = forms.ModelChoiceField(
        label=_("Existing SQF to change"),
        queryset=None,
        required=False,
        empty_label=_("— a new SQF —"),
        help_text=_("Leave empty to propose a new SQF and name its sector below."),
    )
    sector_kk = forms.CharField(
        label=_("Sector of a new SQF (Kazakh)"), max_length=300, required=False
    )
    sector_ru = forms.CharField(
        label=_("Sector of a new SQF (Russian)"), max_length=300, required=False
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    findings = forms.CharField(
        label=_("Findings of the analysis"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(
        self, *args, frameworks=None, kind: str = "proposal", members=None, **kwargs
    ) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from sbsh.models import Framework

        if members is None:
            del self.fields["on_behalf_of"]
        else:
            self.fields["on_behalf_of"].queryset = members
            self.fields["on_behalf_of"].required = True

        self.fields["framework"].queryset = (
            frameworks if frameworks is not None else Framework.objects.none()
        )
        if kind == "analysis":
            # Rules §5.2: the analysis covers the state body's sectors, not one SQF.
            for name in ("framework", "sector_kk", "sector_ru"):
                del self.fields[name]
        else:
            del self.fields["findings"]


class GroundRowForm(forms.Form):
    current_text = forms.CharField(
        label=_("Current text of the SQF"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    proposed_text = forms.CharField(
        label=_("Proposed text"), max_length=limits.TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=limits.TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class GapForm(forms.Form):
    oked = NodeIdsField(label=_("Sector (OKED)"))
    coverage = forms.ChoiceField(label=_("Coverage"), choices=[])
    note = forms.CharField(
        label=_("Finding"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from sbsh.models import GapFinding

        self.fields["coverage"].choices = GapFinding.Coverage.choices

    def clean_oked(self) -> list[int]:
        ids = self.cleaned_data["oked"]
        if len(ids) != 1:
            raise forms.ValidationError(_("Pick one OKED code."))
        return ids


class DateInput(forms.DateInput):
    input_type = "date"


class MeetingForm(forms.Form):
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DateInput)
    protocol_number = forms.CharField(label=_("Protocol number"), max_length=40)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=500)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, max_value=500)
    votes_abstained = forms.IntegerField(
        label=_("Abstained"), min_value=0, max_value=500, initial=0
    )
    protocol_file = forms.FileField(
        label=_("Protocol (PDF, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The browser's date picker offers no day after today.
        self.fields["meeting_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_meeting_date(self) -> dt.date:
        # Rules §8, §12: the council's meeting has happened; the service checks it again.
        value = self.cleaned_data["meeting_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The meeting date cannot be in the future."))
        return value


class DecisionOnGroundsForm(MeetingForm):
    grounds = forms.ModelMultipleChoiceField(
        label=_("Grounds decided on (Rules §5)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Needed to develop or decline; optional for an update (Rules §15–§16)."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[], widget=forms.RadioSelect)
    sector_kk = forms.CharField(
        label=_("Sector of the new SQF (Kazakh)"), max_length=300, required=False
    )
    sector_ru = forms.CharField(
        label=_("Sector of the new SQF (Russian)"), max_length=300, required=False
    )
    framework = forms.ModelChoiceField(label=_("SQF to update"), queryset=None, required=False)
    update_grounds = forms.MultipleChoiceField(
        label=_("Grounds for the update (Rules §15)"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    explanation_nqf = forms.CharField(
        label=_("What changed (Rules §15.1)"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    explanation_nkz = forms.CharField(
        label=_("What changed (Rules §15.2)"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    codes = forms.CharField(
        label=_("Classifier codes concerned (Rules §15.2)"),
        required=False,
        max_length=2000,
        help_text=_("For example NKZ:2151, OKED:35.11; a code without a prefix is an NKZ code."),
    )
    explanation_requirements = forms.CharField(
        label=_("What changed (Rules §15.3)"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    explanation_labour_market = forms.CharField(
        label=_("What changed (Rules §15.4)"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = [
        "grounds",
        "meeting_date",
        "protocol_number",
        "votes_for",
        "votes_against",
        "votes_abstained",
        "outcome",
        "sector_kk",
        "sector_ru",
        "framework",
        "update_grounds",
        "explanation_nqf",
        "explanation_nkz",
        "codes",
        "explanation_requirements",
        "explanation_labour_market",
        "protocol_file",
        "comment",
    ]

    def __init__(self, *args, grounds=None, frameworks=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from sbsh.models import Decision, UpdateGround

        self.fields["grounds"].queryset = grounds
        self.fields["framework"].queryset = frameworks
        self.fields["outcome"].choices = [
            (o.value, o.label) for o in Decision.Outcome if o in Decision.ON_GROUNDS
        ]
        self.fields["update_grounds"].choices = UpdateGround.choices

    def update_ground_rows(self) -> list[tuple[Any, list[Any]]]:
        """Each §15 ground's checkbox with the fields that explain it."""
        boxes = {box.data["value"]: box for box in self["update_grounds"]}
        rows = []
        for value, _label in self.fields["update_grounds"].choices:
            fields = [self[f"explanation_{value}"]]
            if value == "nkz":
                fields.append(self["codes"])
            rows.append((boxes[value], fields))
        return rows

    def update_reasons(self) -> list[Any]:
        from sbsh.workflow.decisions import UpdateReasonInput

        data = self.cleaned_data
        return [
            UpdateReasonInput(
                ground=value,
                explanation=data.get(f"explanation_{value}", ""),
                codes=data.get("codes", "") if value == "nkz" else "",
            )
            for value in data.get("update_grounds", [])
        ]


class DecisionOnDraftForm(MeetingForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[], widget=forms.RadioSelect)
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        max_length=limits.TEXT,
        help_text=_("One recommendation per line; the state body answers each (Rules §13)."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    field_order = [
        "meeting_date",
        "protocol_number",
        "votes_for",
        "votes_against",
        "votes_abstained",
        "outcome",
        "recommendations",
        "protocol_file",
        "comment",
    ]

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from sbsh.models import Decision

        self.fields["outcome"].choices = [
            (o.value, o.label) for o in Decision.Outcome if o in Decision.ON_DRAFT
        ]

    def recommendation_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data["recommendations"].splitlines()
            if line.strip()
        ]


class AnswerForm(RevisionForm):
    answer = forms.ChoiceField(label=_("Answer"), choices=[], widget=forms.RadioSelect)
    answer_text = forms.CharField(
        label=_("What was changed, or why not"),
        required=False,
        max_length=limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from sbsh.models import Recommendation

        self.fields["answer"].choices = [
            c for c in Recommendation.Answer.choices if c[0] != Recommendation.Answer.PENDING
        ]


class ColumnSelect(forms.Select):
    """The columns of Table 1 and Table 3 in one list, each option marked with its table
    (data-table) so static/js/ui.js offers only the columns of the row chosen above."""

    def optgroups(self, name, value, attrs=None):  # type: ignore[no-untyped-def]
        groups = super().optgroups(name, value, attrs)
        for _group, options, index in groups:
            table = ("table1", "table3")[index - 1] if index else ""
            for option in options:
                option["attrs"]["data-table"] = table
        return groups


def column_choices() -> list[tuple[str, object]]:
    from sbsh.models import COLUMN_LABELS
    from sbsh.workflow.review import TABLE3_COLUMNS

    return [
        ("", _("the whole row or part")),
        (_("Table 1"), [(c, COLUMN_LABELS[c]) for c in Table1Row.TEXT_COLUMNS]),
        (_("Table 3"), list(TABLE3_COLUMNS.items())),
    ]


class CommentForm(forms.Form):
    anchor = forms.ChoiceField(label=_("About"), choices=[])
    # Issue 19: a free-text "column" hid its accepted values; now the table's real columns.
    column = forms.ChoiceField(
        label=_("Column (for a cell)"), required=False, choices=[], widget=ColumnSelect
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("both")), ("kk", _("Kazakh")), ("ru", _("Russian"))],
    )
    body = forms.CharField(
        label=_("Comment"), max_length=limits.COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, anchors=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = list(anchors)
        self.fields["column"].choices = column_choices()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), max_length=limits.COMMENT, widget=forms.Textarea(attrs={"rows": 2})
    )


class WorkingGroupForm(forms.Form):
    """Rules §7: a participant drawn into this version's working group."""

    user = forms.ModelChoiceField(label=_("Participant"), queryset=None)
    category = forms.ChoiceField(label=_("Category (Rules §7)"), choices=[])
    organisation = forms.CharField(
        label=_("Organisation represented"), max_length=300, required=False
    )

    def __init__(self, *args, participants=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from sbsh.models import WorkingGroupMember

        self.fields["user"].queryset = participants
        self.fields["category"].choices = WorkingGroupMember.Category.choices
