"""Public verification: anyone holding a letter can check it is genuine."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from notices.forms import VerifyForm
from notices.services.verification import letter_verify


@require_http_methods(["GET", "POST"])
def verify(request):
    # GET /verify/?sha256=… (the receipt certificate's address and QR code)
    # checks at once; it reads nothing but the hash, so it needs no POST.
    checking = request.method == "POST" or "sha256" in request.GET
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    else:
        form = VerifyForm(request.GET) if checking else VerifyForm()
    result = None
    if checking and form.is_valid():
        upload = form.cleaned_data.get("pdf")
        if upload:
            result = letter_verify(data=upload.read())
        else:
            result = letter_verify(sha256=form.cleaned_data["sha256"])
    status = 200 if not checking or form.is_valid() else 400
    return render(request, "notices/verify.html", {"form": form, "result": result}, status=status)
