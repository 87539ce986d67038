from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Department, User

admin.site.site_header = _("Kesu complaint handling")
admin.site.site_title = _("Kesu administration")
admin.site.index_title = _("Reference data")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("code", "name", "active")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "first_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Complaint handling"), {"fields": ("role", "department")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Complaint handling"), {"fields": ("role", "department")}),
    )
