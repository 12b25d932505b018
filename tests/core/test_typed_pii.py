"""Personal data in typed text (recording paths, alert notes) goes; what only looks like a number stays."""

from __future__ import annotations

import re

import pytest

from core.typed_pii import redact_note, redact_path


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/rec/2026-10-26_0915_+385915550101.wav", "/rec/2026-10-26_0915_[PHONE].wav"),
        ("/rec/call_00385915550101.wav", "/rec/call_[PHONE].wav"),
        ("/rec/ivan.horvat@example.com/x.wav", "/rec/[EMAIL]/x.wav"),
        ("/rec/4111111111111111.wav", "/rec/[CARD].wav"),
        # as dialled: national, E.164 without its +, formatted (Asterisk and FreePBX name files this way)
        (
            "/rec/out-0915550101-20261026-091500-1698312345.123.wav",
            "/rec/out-[PHONE]-20261026-091500-1698312345.123.wav",
        ),
        ("/rec/385915550101.wav", "/rec/[PHONE].wav"),
        ("/rec/call-(212) 555-0199.wav", "/rec/call-[PHONE].wav"),
        ("/rec/call 091 555 0101.wav", "/rec/call [PHONE].wav"),
        ("/rec/2026-10-26 09-15-00.wav", "/rec/2026-10-26 09-15-00.wav"),
        ("/rec/1698312345123.wav", "/rec/1698312345123.wav"),  # Unix milliseconds
        ("/rec/212-555-0199.wav", "/rec/[PHONE].wav"),
        ("/rec/1-212-555-0199.wav", "/rec/[PHONE].wav"),
        ("/rec/tel0915550101.wav", "/rec/tel[PHONE].wav"),
        # the naming schemes of recorders: dates and times with separators, sequences, UUIDs stay
        ("/rec/2024-01-15_14-30-22_1001.wav", "/rec/2024-01-15_14-30-22_1001.wav"),
        ("/rec/15-01-2024_14-30-22.wav", "/rec/15-01-2024_14-30-22.wav"),
        ("/rec/2024.01.15-09.30.22.wav", "/rec/2024.01.15-09.30.22.wav"),
        ("/rec/2024-11-02_0930_0101.wav", "/rec/2024-11-02_0930_0101.wav"),
        ("/rec/150120241430_1001.wav", "/rec/150120241430_1001.wav"),
        ("/rec/recording_0000000123_1001.wav", "/rec/recording_0000000123_1001.wav"),
        ("/rec/9f1c2d3e-4b5a-4c6d-9abc-123456789012.wav", "/rec/9f1c2d3e-4b5a-4c6d-9abc-123456789012.wav"),
        ("/rec/20240115-143022-1705329022.45.wav", "/rec/20240115-143022-1705329022.45.wav"),
        # formats a first version missed
        ("/rec/030 12345678.wav", "/rec/[PHONE].wav"),
        ("/rec/07700 900123.wav", "/rec/[PHONE].wav"),
        ("/rec/external-149-098 374 2878-20261217-101500-1765966500.12.wav", None),
        ("/rec/ccx_20241028014526_106_(640) 524-7733.wav", "/rec/ccx_20241028014526_106_[PHONE].wav"),
        ("/rec/x_1-647-858-3427_4345-20240131.wav", None),
        ("/rec/091/555-0101.wav", "/rec/[PHONE].wav"),
        ("/rec/01.23.45.67.89.wav", "/rec/[PHONE].wav"),
        ("/rec/(212)555-0199.wav", "/rec/[PHONE].wav"),
        ("/rec/ccx_20240119134643_3791_7041_4785-5197-0451-1064.wav", "/rec/ccx_20240119134643_3791_7041_[CARD].wav"),
        ("/rec/callee4111111111111111.wav", "/rec/callee[CARD].wav"),
        ("/rec/HR1210010051863000160.wav", "/rec/[IBAN].wav"),
        # and things a first version took for numbers
        ("/rec/q-600-20261026-001500-1761469500.4.wav", "/rec/q-600-20261026-001500-1761469500.4.wav"),
        ("/rec/RE0123456789abcdef0123456789abcdef.wav", "/rec/RE0123456789abcdef0123456789abcdef.wav"),
        ("/rec/conf-1001-1002-1003-20261026.wav", "/rec/conf-1001-1002-1003-20261026.wav"),
        ("/rec/10-26-2026_09-15.wav", "/rec/10-26-2026_09-15.wav"),
        ("/rec/Oct 26 2026 09-15.wav", "/rec/Oct 26 2026 09-15.wav"),
        ("/rec/[Reception]_318-52957_20260622200117(71).wav", "/rec/[Reception]_318-52957_20260622200117(71).wav"),
        ("/x/92014_20241118_141111_35132_63117699.wav", "/x/92014_20241118_141111_35132_63117699.wav"),
        ("/x/q-4139-76116-20251129.wav", "/x/q-4139-76116-20251129.wav"),
        # date and time stamps are not personal, nor is a 16-digit number that is not a card (Luhn)
        ("/rec/call-20261026-000213.wav", "/rec/call-20261026-000213.wav"),
        ("/rec/20261026091500.wav", "/rec/20261026091500.wav"),
        ("/rec/4561234567890123.wav", "/rec/4561234567890123.wav"),
    ],
)
def test_paths_keep_their_shape_without_personal_data(path: str, shown: str | None) -> None:
    redacted = redact_path(path)
    if shown is None:  # only that no digit of the number is left
        assert "[PHONE]" in redacted and not re.search(r"098 374|3742878|858-3427", redacted), redacted
    else:
        assert redacted == shown


@pytest.mark.parametrize(
    ("note", "stored"),
    [
        ("call him back on 091 555 0123 or ivan@example.com", "call him back on [PHONE] or [EMAIL]"),
        ("customer 212-555-0199 was charged on 4111 1111 1111 1111", "customer [PHONE] was charged on [CARD]"),
        # what ops write that only looks like a number
        ("ticket INC0012345678 fixed in release 2026.11.02", "ticket INC0012345678 fixed in release 2026.11.02"),
        (
            "rolled back CHG0031234 on 192.168.100.200 at 14:30:22",
            "rolled back CHG0031234 on 192.168.100.200 at 14:30:22",
        ),
        ("asked to be called back on 174.225.113.151.", "asked to be called back on 174.225.113.151."),
        # formats a first version missed
        ("card 4111 1111 1111 1111 123", "card [CARD]"),
        ("card 5555555555554444 exp 12/27 cvv 123", "card [CARD] [EXPIRY] [CVV]"),
        ("amex 3782 822463 10005 charged", "amex [CARD] charged"),
        ("spoke to caller (0928522737) - escalated", "spoke to caller ([PHONE]) - escalated"),
        ("caller 091 5550101 and 091/555-0101", "caller [PHONE] and [PHONE]"),
        ("+385 (0)91 555 0101 called", "[PHONE] called"),
        ("IBAN HR1210010051863000160 was debited", "IBAN [IBAN] was debited"),
        ("mail ivan at example dot com", "mail [EMAIL]"),
        ("IBAN HR12-1001-0051-8630-0016-0 and iban hr1210010051863000160", "IBAN [IBAN] and iban [IBAN]"),
        ("CVV is 123, exp date 12/27, expires 1227, exp Dec 2027", "[CVV], [EXPIRY], [EXPIRY], [EXPIRY]"),
        ("call +49 30 20110218", "call [PHONE]"),
        (
            "agents 3251 8393 8605, exts 10011 10012, queues 600 601 602",
            "agents 3251 8393 8605, exts 10011 10012, queues 600 601 602",
        ),
    ],
)
def test_notes_lose_personal_data_and_keep_ticket_numbers(note: str, stored: str) -> None:
    assert redact_note(note) == stored
