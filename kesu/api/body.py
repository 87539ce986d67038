from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kesu.core.errors import FieldError, ValidationFailed


def json_object(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, or a 422 naming the problem."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed([FieldError(None, _("The body is not valid JSON."), "json_invalid")]) from exc
    except RecursionError as exc:  # valid JSON nested deeper than the parser can follow
        raise ValidationFailed([FieldError(None, _("The JSON body is nested too deeply."), "json_too_deep")]) from exc
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError(None, _("Send a JSON object."), "type")])
    return data
