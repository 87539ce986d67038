"""The request type of authenticated views and endpoints, for annotations."""

from __future__ import annotations

from django.http import HttpRequest

from kesu.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request that passed authentication (the API's token or session auth, the workspace's login):
    for annotations only, so `request.user` is a `User` without a `type: ignore`. Nothing creates
    one; Django hands the view its ordinary request."""

    user: User
