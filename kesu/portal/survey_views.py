"""The customer's side of a questionnaire survey (SPEC FU-5): opened from the signed link in the
SMS or e-mail, answered once, without an account (kesu/desk/voice.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.desk import voice
from kesu.portal.views import _limited
from kesu.web.desk_forms import SurveyAnswerForm
from kesu.web.forms import apply_errors


def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = voice.invitation_for_token(token)
    if invitation is None:
        return render(request, "portal/survey.html", {"invalid": True}, status=404)
    campaign = invitation.campaign
    if invitation.answered_at is not None:
        # Answered once per link: a second answer is refused (409), the first one stays.
        status = 409 if request.method == "POST" else 200
        return render(request, "portal/survey.html", {"campaign": campaign, "answered": True}, status=status)
    if request.method != "POST":
        form = SurveyAnswerForm(questions=campaign.questions)
        return render(request, "portal/survey.html", {"campaign": campaign, "form": form})
    form = SurveyAnswerForm(request.POST, questions=campaign.questions)
    limited = _limited(request, "public_survey")
    if limited:
        form.add_error(None, limited)
        return render(request, "portal/survey.html", {"campaign": campaign, "form": form}, status=429)
    try:
        voice.survey_answer(
            token=token,
            answers={k: request.POST.get(k) for k in request.POST if k.startswith("q")},
            comment=str(request.POST.get("comment", "")),
            now=clock.now(),
        )
    except DomainError as exc:
        if exc.status == 409:
            return render(request, "portal/survey.html", {"campaign": campaign, "answered": True}, status=409)
        apply_errors(form, exc.errors)
        return render(request, "portal/survey.html", {"campaign": campaign, "form": form}, status=exc.status)
    return render(request, "portal/survey.html", {"campaign": campaign, "thanks": True})
