from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Channel
from kesu.triage.models import Category, SeverityRule


class CategoryForm(forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = ("code", "parent", "name_zh_hans", "name_zh_hant", "name_en", "department", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent, code = data.get("parent"), data.get("code") or ""
        if parent is not None:
            if parent.level >= 4:
                raise forms.ValidationError(_("The taxonomy has at most four levels."))
            if not code.startswith(parent.code + "."):
                self.add_error("code", _("A sub-category's code starts with its parent's code and a dot."))
            data["level"] = parent.level + 1
        else:
            data["level"] = 1
        return data

    def save(self, commit: bool = True) -> Category:
        self.instance.level = self.cleaned_data["level"]
        return super().save(commit)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    form = CategoryForm
    list_display = ("code", "name_zh_hans", "name_zh_hant", "name_en", "level", "department", "active")
    list_filter = ("level", "active", "department")
    search_fields = ("code", "name_zh_hans", "name_zh_hant", "name_en")
    readonly_fields = ("level",)


class SeverityRuleForm(forms.ModelForm[SeverityRule]):
    class Meta:
        model = SeverityRule
        fields = (
            "code",
            "name",
            "severity",
            "keywords_zh_hans",
            "keywords_zh_hant",
            "keywords_en",
            "channels",
            "active",
        )

    def clean_channels(self) -> str:
        value = self.cleaned_data.get("channels", "")
        codes = [c.strip() for c in value.split(",") if c.strip()]
        unknown = [c for c in codes if c not in Channel.values]
        if unknown:
            raise forms.ValidationError(_("Unknown channel code(s): %(codes)s") % {"codes": ", ".join(unknown)})
        return ",".join(codes)


@admin.register(SeverityRule)
class SeverityRuleAdmin(admin.ModelAdmin[SeverityRule]):
    form = SeverityRuleForm
    list_display = ("code", "name", "severity", "channels", "active")
    list_filter = ("severity", "active")
    search_fields = ("code", "name", "keywords_zh_hans", "keywords_zh_hant", "keywords_en")
