"""Public verification: anyone holding a letter can check it is genuine."""

import hashlib

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .forms import VerifyForm
from .models import Letter, LetterStatus, SealUse
from .pdf.sign import validate_pdf


@require_http_methods(["GET", "POST"])
def verify(request):
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("pdf")
        data = upload.read() if upload else None
        digest = hashlib.sha256(data).hexdigest() if data is not None else form.cleaned_data["sha256"].strip().lower()
        letter = Letter.objects.filter(pdf_sha256=digest, status=LetterStatus.STAMPED).select_related("centre").first()
        result = {"sha256": digest, "letter": letter, "validation": None}
        if letter is not None:
            # Counts only: who the recipients are is not public.
            result["delivered"] = letter.deliveries.count()
            result["signed"] = letter.receipts.count()
        if letter is not None and data is not None:
            seal_use = SealUse.objects.filter(letter=letter).first()
            result["validation"] = validate_pdf(data, trust_cert_pem=seal_use.certificate_pem.encode())
        result["genuine"] = letter is not None and (data is None or bool(
            result["validation"] and result["validation"].intact and result["validation"].trusted
        ))
    status = 200 if request.method == "GET" or form.is_valid() else 400
    return render(request, "notices/verify.html", {"form": form, "result": result}, status=status)
