"""Workspace pages of the resolution area; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
