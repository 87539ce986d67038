from kesu.complaints.models import Complaint


def test_public_complaint_keeps_the_language_it_was_filed_in(api, db):
    english = api(None, language="en")
    response = english.post(
        "/api/v1/public/complaints",
        {"channel": "web", "customer": {"name": "Ann", "email": "ann@example.com"}, "description": "Parcel lost"},
    )
    assert response.status_code == 201
    assert Complaint.objects.get(number=response.json()["number"]).language == "en"


def test_staff_intake_takes_the_customers_language_or_defaults_to_simplified_chinese(api, db):
    agent = api("agent")
    base = {"channel": "phone", "customer": {"name": "陳先生", "phone": "13800138123"}, "description": "貨品破損"}
    hant = agent.post("/api/v1/complaints", {**base, "language": "zh-hant"}).json()["number"]
    default = agent.post("/api/v1/complaints", base).json()["number"]
    assert Complaint.objects.get(number=hant).language == "zh-hant"
    assert Complaint.objects.get(number=default).language == "zh-hans"


def test_unknown_language_is_a_field_error(api, db):
    response = api("agent").post(
        "/api/v1/complaints",
        {"channel": "phone", "customer": {"name": "x", "phone": "13800138124"}, "description": "y", "language": "fr"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "language"
