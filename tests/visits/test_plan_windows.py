"""The window arithmetic of the visit plan, without the database."""

from datetime import date

from visits.models import TierChange
from visits.services.plans import cadence_windows, presence_segments, tenant_windows

TIERS = {"1": 12, "2": 4, "3": 1, "special": 6}


def windows(tier="1", lease_start=None, lease_end=None, changes=()):
    segments = presence_segments(year=2025, tier=tier, lease_start=lease_start, lease_end=lease_end, changes=changes)
    return tenant_windows(segments, year=2025, per_year_for=TIERS.__getitem__)


def test_cadences_cover_the_year_without_gaps():
    for per_year in (1, 2, 4, 6, 12):
        rows = cadence_windows(2025, per_year)
        assert len(rows) == per_year
        assert rows[0][1] == date(2025, 1, 1) and rows[-1][2] == date(2025, 12, 31)
        for (_p, _s, end), (_q, start, _e) in zip(rows, rows[1:], strict=False):
            assert (start - end).days == 1


def test_each_tier_gets_its_frequency():
    assert len(windows("1")) == 12
    assert [w.period for w in windows("2")] == ["Q1", "Q2", "Q3", "Q4"]
    assert [(w.period, w.start, w.end) for w in windows("3")] == [("Y", date(2025, 1, 1), date(2025, 12, 31))]
    assert len(windows("special")) == 6


def test_a_tier_change_mid_year_replans_pro_rata():
    change = TierChange(from_tier="2", to_tier="1", effective=date(2025, 5, 10))
    rows = windows("1", changes=[change])
    # Q1 at tier 2; Q2 was tier 2 for only 39 of 91 days, so it is not planned;
    # May from the 10th (22 of 31 days) and every month after at tier 1.
    assert [w.period for w in rows] == ["Q1", "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12"]
    assert rows[0].tier == "2" and rows[1].tier == "1"
    assert (rows[1].start, rows[1].end) == (date(2025, 5, 10), date(2025, 5, 31))


def test_a_tenant_who_leaves_is_planned_until_they_go():
    rows = windows("1", lease_end=date(2025, 3, 20))
    assert [w.period for w in rows] == ["M01", "M02", "M03"]
    assert rows[-1].end == date(2025, 3, 20)
    left = TierChange(from_tier="1", to_tier=TierChange.LEFT, effective=date(2025, 3, 10))
    assert [w.period for w in windows("1", changes=[left])] == ["M01", "M02"]  # 9 of 31 days in March


def test_a_tenant_who_moves_in_late_is_planned_pro_rata():
    assert windows("3", lease_start=date(2025, 10, 1)) == []  # visited next year
    assert [w.period for w in windows("2", lease_start=date(2025, 8, 1))] == ["Q3", "Q4"]
