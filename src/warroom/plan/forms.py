"""Forms of the plan pages: proposing or changing a revision, approving or rejecting one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warroom.core.forms import DateInput

MAX_UPLOAD = 2 * 1024 * 1024


class RevisionForm(forms.Form):
    source = forms.CharField(
        label=_("The plan (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=_("Paste the whole plan document, or upload it below."),
    )
    upload = forms.FileField(label=_("or upload the YAML file"), required=False)
    comment = forms.CharField(label=_("Why"), max_length=500, required=False)
    effective_on = forms.DateField(
        label=_("Effective on"),
        required=False,
        widget=DateInput(),
        help_text=_("The day it takes effect once approved (today if left empty)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                self.add_error("upload", _("The file is larger than 2 MB."))
                return data
            try:
                data["source"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("upload", _("The file is not UTF-8 text."))
                return data
        if not (data.get("source") or "").strip():
            self.add_error("source", _("Paste the plan or upload its file."))
        return data


class ApproveForm(forms.Form):
    effective_on = forms.DateField(label=_("Effective on"), required=False, widget=DateInput())


class RejectForm(forms.Form):
    # Not required here: the service refuses an empty reason, and says so on this field.
    reason = forms.CharField(
        label=_("Why it goes back to draft"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
