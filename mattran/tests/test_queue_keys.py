"""Pending work is kept one row per distinct call."""
from mattran.queue import _key


def test_two_long_emails_that_differ_only_at_the_end_are_two_rows():
    body = "x" * 400
    first = _key("mattran.send_mail", ("[MTTQ] Báo cáo", body + "A", ["a@example.org"]))
    second = _key("mattran.send_mail", ("[MTTQ] Báo cáo", body + "B", ["a@example.org"]))
    assert first != second and len(first) <= 255
    assert _key("reports.compute_targets", (2019,)) == _key("reports.compute_targets", (2019,))
