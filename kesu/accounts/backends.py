"""Sign-in backend: Django's ModelBackend, loading the signed-in user with their department.

Every workspace page asks which department the user is in (navigation, visibility, landing queue);
loading it with the user saves that query on each request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from kesu.accounts.models import User


class DepartmentModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("department").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
