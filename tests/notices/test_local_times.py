"""Times in the names staff read (choosers, delete confirmations, history)
are the centre's local time, as on every screen, not the stored UTC."""

import datetime

from notices.models import SealUse


def test_names_show_local_time():
    at = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Asia/Shanghai
    assert str(SealUse(doc_number="BJ商管〔2026〕005号", used_at=at)).endswith("2026-12-02 18:00")
