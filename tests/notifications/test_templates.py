"""Letter templates: the shipped defaults, the sandbox (variables per kind, a few tags and
filters only) and editing in the admin by administrators only, with errors that name the problem."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from kesu.audit.models import AuditRecord
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.notifications.default_letters import DEFAULTS
from kesu.notifications.letters import letter_template_save
from kesu.notifications.models import LetterKind, LetterTemplate
from kesu.notifications.templating import LETTER_VARIABLES, template_problems, template_render


@pytest.fixture(autouse=True)
def _english_messages():
    """The assertions below read the English messages (msgids)."""
    with translation.override("en"):
        yield


def test_every_kind_ships_in_three_languages(db):
    rows = set(LetterTemplate.objects.values_list("kind", "language", "internal"))
    assert rows == {
        (kind, language, kind == "complaint_record")
        for kind in LetterKind.values
        for language in ("zh-hans", "zh-hant", "en")
    }
    assert len(DEFAULTS) == 15


@pytest.mark.parametrize(("kind", "language", "subject", "body", "internal"), DEFAULTS)
def test_shipped_defaults_pass_their_own_checks(kind, language, subject, body, internal):
    assert template_problems(subject, kind=kind) == []
    assert template_problems(body, kind=kind) == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ number }} {{ secret_key }}", "{{ secret_key }}"),
        ("{% if password %}x{% endif %}", "{{ password }}"),
        ("{{ number|default:settings }}", "{{ settings }}"),
        ("{% for x in users %}{{ x }}{% endfor %}", "{{ users }}"),
        ("{% for r in remedies %}{{ r.type }}{% endfor %}{{ r }}", "{{ r }}"),  # loop variable only inside
    ],
)
def test_unknown_variables_are_named(text, named):
    [problem] = template_problems(text, kind="result")
    assert problem.startswith(f"Unknown variable {named};")
    assert "number, customer_name" in problem


def test_a_variable_of_another_kind_is_unknown():
    [problem] = template_problems("{{ result }}", kind="acknowledgement")
    assert problem.startswith("Unknown variable {{ result }};")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{% load static %}", "'load'"),
        ("{% include 'x.html' %}", "'include'"),
        ("{% extends 'base.html' %}", "'extends'"),
        ("{% now 'Y' %}", "'now'"),
        ("{% url 'admin:index' %}", "'url'"),
        ("{% debug %}", "'debug'"),
        ("{{ number|safe }}", "'safe'"),
        ("{{ number|pprint }}", "'pprint'"),
        ("{% if number %}unclosed", "endif"),
        ("{{ number.__class__ }}", "underscore"),
    ],
)
def test_tags_and_filters_outside_the_sandbox_are_syntax_errors(text, named):
    [problem] = template_problems(text, kind="acknowledgement")
    assert problem.startswith("Template syntax error:")
    assert named in problem


def test_render_is_plain_text_without_escaping():
    assert template_render("{{ customer_name }} <{{ number }}>", {"customer_name": "A&B", "number": "1"}) == "A&B <1>"


def test_variables_cover_every_kind():
    assert set(LETTER_VARIABLES) == set(LetterKind.values)


# --- editing: service ---------------------------------------------------------------------------


def _templates():
    return list(LetterTemplate.objects.order_by("id").values())


def test_saving_an_unknown_variable_is_refused_and_writes_nothing(users, now):
    row = LetterTemplate.objects.get(kind="acknowledgement", language="zh-hans")
    before, audit = _templates(), AuditRecord.objects.count()
    row.body = "您好 {{ customer_name }}，您的密码是 {{ password }}"
    with pytest.raises(ValidationFailed) as error:
        letter_template_save(actor=users["admin"], template=row, now=now)
    assert [(e.field, e.message.split(";")[0]) for e in error.value.errors] == [
        ("body", "Unknown variable {{ password }}")
    ]
    assert (_templates(), AuditRecord.objects.count()) == (before, audit)


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor"])
def test_only_managers_and_administrators_save_templates(users, now, role):
    row = LetterTemplate.objects.get(kind="apology", language="en")
    before, audit = _templates(), AuditRecord.objects.count()
    row.subject = "Sorry {{ number }}"
    with pytest.raises(PermissionDenied):
        letter_template_save(actor=users[role], template=row, now=now)
    assert (_templates(), AuditRecord.objects.count()) == (before, audit)


def test_a_saved_edit_bumps_the_version_and_is_audited(users, now):
    row = LetterTemplate.objects.get(kind="apology", language="en")
    row.subject = "Sorry about {{ number }}"
    letter_template_save(actor=users["admin"], template=row, now=now)
    row.refresh_from_db()
    assert (row.version, row.updated_by, row.subject) == (2, users["admin"], "Sorry about {{ number }}")
    record = AuditRecord.objects.get(action="letter_template.update")
    assert (record.object_id, record.actor, record.data["version"]) == ("apology:en", "admin", 2)


# --- editing: the admin -------------------------------------------------------------------------


@pytest.fixture
def admin_client(users):
    admin = users["admin"]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client


def _form(row: LetterTemplate, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": row.kind,
        "language": row.language,
        "subject": row.subject,
        "body": row.body,
        "internal": "on" if row.internal else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_admin_form_names_the_unknown_variable_and_saves_nothing(admin_client):
    row = LetterTemplate.objects.get(kind="acknowledgement", language="zh-hans")
    before, audit = _templates(), AuditRecord.objects.count()
    response = admin_client.post(
        f"/admin/notifications/lettertemplate/{row.pk}/change/",
        _form(row, body="{{ customer_name }} {{ bank_account }}"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["body"]
    assert errors["body"][0].startswith("Unknown variable {{ bank_account }};")
    assert (_templates(), AuditRecord.objects.count()) == (before, audit)


def test_admin_form_names_the_syntax_error_and_saves_nothing(admin_client):
    row = LetterTemplate.objects.get(kind="result", language="en")
    before = _templates()
    response = admin_client.post(
        f"/admin/notifications/lettertemplate/{row.pk}/change/", _form(row, subject="{% load static %}{{ number }}")
    )
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["subject"]
    assert "Template syntax error" in errors["subject"][0] and "'load'" in errors["subject"][0]
    assert _templates() == before


def test_admin_saves_a_valid_edit_through_the_service(admin_client, users):
    row = LetterTemplate.objects.get(kind="unreachable_sms", language="zh-hans")
    response = admin_client.post(
        f"/admin/notifications/lettertemplate/{row.pk}/change/",
        _form(row, body="{{ customer_name }}您好，请于{{ respond_by }}前回电。"),
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.body, row.version, row.updated_by) == (
        "{{ customer_name }}您好，请于{{ respond_by }}前回电。",
        2,
        users["admin"],
    )
    assert AuditRecord.objects.filter(action="letter_template.update", object_id="unreachable_sms:zh-hans").exists()


def test_admin_page_is_for_administrators_only(users):
    manager = users["manager"]
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(manager)
    row = LetterTemplate.objects.get(kind="result", language="en")
    assert client.get(f"/admin/notifications/lettertemplate/{row.pk}/change/").status_code in (302, 403)
    assert client.post(
        f"/admin/notifications/lettertemplate/{row.pk}/change/", _form(row, subject="x")
    ).status_code in (302, 403)
    row.refresh_from_db()
    assert row.version == 1


def test_templates_cannot_be_deleted_in_the_admin(admin_client):
    row = LetterTemplate.objects.get(kind="result", language="en")
    response = admin_client.post(f"/admin/notifications/lettertemplate/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert LetterTemplate.objects.filter(pk=row.pk).exists()
