"""Letter figures for Prometheus, read from the database at each scrape:
every web and worker process agrees on them, whichever one is scraped, and
nothing has to be counted on the way (portal/operations/metrics.py)."""

from django.db.models import Sum
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from notices.models import Delivery, Letter, LetterStatus, SignCode


class LetterFigures:
    """A prometheus_client collector: three cheap queries, two of them on
    indexed columns, the third a sum over the one-time codes."""

    def collect(self):
        yield CounterMetricFamily(
            "atrium_letters_stamped", "Letters stamped (numbered, sealed and signed) since the start.",
            value=Letter.objects.filter(status=LetterStatus.STAMPED).count(),
        )
        yield GaugeMetricFamily(
            "atrium_deliveries_awaiting_receipt", "Deliveries of letters that ask for a receipt and have none yet.",
            value=Delivery.objects.filter(awaiting_receipt=True).count(),
        )
        yield CounterMetricFamily(
            "atrium_sign_code_failures", "Wrong one-time signing codes entered since the start.",
            value=SignCode.objects.aggregate(n=Sum("attempts"))["n"] or 0,
        )
