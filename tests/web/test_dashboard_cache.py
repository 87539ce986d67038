"""The dashboard's figures are computed at most once a minute per visibility scope."""

import datetime as dt

from kesu.reports.selectors import dashboard_figures_cached


def test_figures_are_reused_within_the_minute_and_refreshed_after(users, register, now):
    minute = now.replace(second=0, microsecond=0)
    first = dashboard_figures_cached(user=users["manager"], now=minute)
    register()
    assert dashboard_figures_cached(user=users["manager"], now=minute + dt.timedelta(seconds=30)) == first
    later = dashboard_figures_cached(user=users["manager"], now=minute + dt.timedelta(minutes=1))
    assert later["counts"]["open"] == first["counts"]["open"] + 1


def test_a_handler_does_not_get_the_organisation_wide_figures(users, register, now):
    register(category="billing")  # routed to 财务部, invisible to the handler in 品质部
    organisation = dashboard_figures_cached(user=users["manager"], now=now)
    handler = dashboard_figures_cached(user=users["handler"], now=now)
    assert organisation["counts"]["open"] == 1
    assert handler["counts"]["open"] == 0
