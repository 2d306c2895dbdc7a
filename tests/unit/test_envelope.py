import json
from datetime import date

import pytest

from shared.domain import PovertyStatus
from shared.events import Envelope, MalformedEvent, parse_data
from shared.events.registry import PersonRegistered
from shared.ids import make_resident_id


def person() -> PersonRegistered:
    return PersonRegistered(
        person_id="p-1",
        household_id="H-1",
        id_number=make_resident_id("532325", date(1970, 1, 1), 3, "M"),
        name="李四",
        sex="M",
        birth_date=date(1970, 1, 1),
        county_code="532325",
        township_code="532325100",
        village_code="532325100201",
        poverty_status=PovertyStatus.not_exited,
    )


def test_binary_mode_round_trip() -> None:
    env = Envelope.wrap(
        person(), source="/services/enrollment", subject="p-1", key="H-1", correlation_id="c-1"
    )
    key, value, headers = env.to_kafka()
    names = dict(headers)
    assert key == b"H-1"
    assert names["ce_type"] == b"person.registered"
    assert names["ce_correlationid"] == b"c-1"
    assert names["content-type"] == b"application/json"
    assert b"\xe6\x9d\x8e" in value  # the name as UTF-8, not an escape
    back = Envelope.from_kafka(key, value, headers)
    assert back == env
    assert parse_data(back.type, back.data) == person()
    assert back.dataschema == "urn:poverty-security:event:person.registered:v1"


@pytest.mark.parametrize(
    ("subject", "key", "correlation_id"),
    [("p-1", "H-1", "c-1"), (None, None, None), ("p-2", "户-2", None)],
)
def test_stored_envelope_gives_the_same_kafka_message(
    subject: str | None, key: str | None, correlation_id: str | None
) -> None:
    """What the outbox stores (as outbox.publish writes it) goes to Kafka unchanged."""
    env = Envelope.wrap(
        person(),
        source="/services/enrollment",
        subject=subject,
        key=key,
        correlation_id=correlation_id,
    )
    stored = env.model_dump(mode="json", exclude={"data"}, exclude_none=True)
    payload = json.dumps(env.data, ensure_ascii=False, separators=(",", ":"))
    assert Envelope.stored_to_kafka(stored, payload) == env.to_kafka()


def test_a_message_with_other_headers_is_read_by_the_sdk() -> None:
    """Not exactly our own layout (here an extension attribute more): the generic path reads
    it, to the same envelope."""
    env = Envelope.wrap(person(), source="/services/enrollment", subject="p-1", key="H-1")
    key, value, headers = env.to_kafka()
    assert Envelope.from_kafka(key, value, [*headers, ("ce_traceparent", b"00-1-2-01")]) == env
    assert Envelope.from_kafka(key, value, headers) == env


@pytest.mark.parametrize(
    ("value", "headers"),
    [
        (b"not json", [("ce_id", b"1"), ("ce_type", b"x"), ("ce_source", b"/s")]),
        (b"{}", []),
        (b"[1, 2]", [("ce_id", b"1"), ("ce_type", b"x"), ("ce_source", b"/s"),
                     ("ce_specversion", b"1.0")]),
    ],
)  # fmt: skip
def test_malformed_messages_raise_one_error_type(value: bytes, headers: list) -> None:
    with pytest.raises(MalformedEvent):
        Envelope.from_kafka(None, value, headers)


def test_stay_admitted_before_birth_is_refused() -> None:
    """A stay cannot begin before the patient was born (read from the ID number): a 4xx, never
    a rule failing later on an impossible age."""
    from datetime import date

    import pytest
    from pydantic import ValidationError

    from shared.events.medical import StayData
    from shared.ids import make_resident_id

    number = make_resident_id("532325", date(2018, 5, 1), 7, "F")
    body = {
        "claim_id": "C-1", "id_number": number, "county_code": "532325", "hospital_level": 2,
        "admin_level": "county", "admission": "2018-04-20", "discharge": "2018-05-03",
        "referral_compliant": True, "total_cost": "1000.00", "covered_cost": "800.00",
        "diagnosis_codes": ["P07.3"],
    }  # fmt: skip
    with pytest.raises(ValidationError, match="birth date"):
        StayData.model_validate(body)
    StayData.model_validate({**body, "admission": "2018-05-01"})


def test_an_events_day_is_its_own_in_china_time() -> None:
    """Consumers judge "today" by the event (a replay next year decides the same)."""
    from datetime import UTC, date, datetime

    from shared.events.envelope import Envelope

    env = Envelope(source="s", type="t", data={}, time=datetime(2020, 12, 31, 17, 0, tzinfo=UTC))
    assert env.day() == date(2021, 1, 1)
    assert env.model_copy(update={"time": datetime(2020, 12, 31, 15, 59, tzinfo=UTC)}).day() == (
        date(2020, 12, 31)
    )
