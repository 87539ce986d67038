"""The text a complaint is found by (`q`). A simple normalised blob; a later issue adds
jieba segmentation and traditional/simplified folding."""

from __future__ import annotations

from kesu.complaints.models import Complaint


def build_search_text(complaint: Complaint) -> str:
    parts = [
        complaint.number, complaint.title, complaint.description, complaint.contact_name,
        complaint.product_name, complaint.product_sku, complaint.order_no, complaint.location,
        complaint.demand, complaint.external_ref,
    ]
    return " ".join(p for p in parts if p).lower()
