"""A changed password or a deactivated account revokes every API token of the user (sessions
already end on a password change through Django's session hash)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver

from kesu.accounts.models import ApiToken, User


@receiver(pre_save, sender=User, dispatch_uid="kesu.accounts.revoke_tokens")
def revoke_tokens_on_password_change_or_deactivation(sender: type[User], instance: User, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        ApiToken.objects.filter(user_id=instance.pk).delete()
