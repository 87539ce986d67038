from django.contrib import admin

from kesu.resolution.models import ApprovalAuthority


@admin.register(ApprovalAuthority)
class ApprovalAuthorityAdmin(admin.ModelAdmin[ApprovalAuthority]):
    list_display = ("role", "department", "limit")
    list_filter = ("role", "department")
