from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.stages.dates import parse_calendar_day, parse_date, parse_printed_date

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 17:00 in Astana


def local(text, **kwargs):
    outcome = parse_date(text, now=NOW, **kwargs)
    return outcome.value.local_iso if outcome.value else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T14:35:00+05:00", "2026-11-26T14:35:00+05:00"),
        ("2026-11-26T09:35:00Z", "2026-11-26T14:35:00+05:00"),
        ("2026-11-26", "2026-11-26T00:00:00+05:00"),
        ("26.11.2026 14:35", "2026-11-26T14:35:00+05:00"),
        ("26 ноября 2026, 14:35", "2026-11-26T14:35:00+05:00"),
        ("26 ноября 2026 года в 14:35", "2026-11-26T14:35:00+05:00"),
        ("14:35, 26 ноября 2026", "2026-11-26T14:35:00+05:00"),
        ("3 октября 2026", "2026-10-03T00:00:00+05:00"),
        ("2025 жылғы 18 қараша, 09:30", "2025-11-18T09:30:00+05:00"),
        ("18 қарашада", "2026-11-18T00:00:00+05:00"),
        ("26 қараша 2026 ж.", "2026-11-26T00:00:00+05:00"),
        ("17 November 2026, 15:20", "2026-11-17T15:20:00+05:00"),
        ("November 17, 2026", "2026-11-17T00:00:00+05:00"),
        ("Tue, 24 Nov 2026 06:13:48 +0000", "2026-11-24T11:13:48+05:00"),
        ("Опубликовано: 26 ноября 2026", "2026-11-26T00:00:00+05:00"),
        ("Обновлено: 26.11.2026, 14:35", "2026-11-26T14:35:00+05:00"),
        ("Жарияланды: 25.11.2026", "2026-11-25T00:00:00+05:00"),
        ("November 19, 2026, 9:02 PM", "2026-11-19T21:02:00+05:00"),
        ("12:00 AM, 5 November 2026", "2026-11-05T00:00:00+05:00"),
        ("19 Nov 2026 07:09 GMT", "2026-11-19T12:09:00+05:00"),
    ],
)
def test_fast_path_formats(text, expected):
    assert local(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Сегодня, 10:15", "2026-11-26T10:15:00+05:00"),
        ("сегодня в 10:15", "2026-11-26T10:15:00+05:00"),
        ("Вчера, 18:40", "2026-11-25T18:40:00+05:00"),
        ("вчера", "2026-11-25T00:00:00+05:00"),
        ("2 часа назад", "2026-11-26T15:00:00+05:00"),
        ("5 минут назад", "2026-11-26T16:55:00+05:00"),
        ("Бүгін, 10:15", "2026-11-26T10:15:00+05:00"),
        ("Кеше", "2026-11-25T00:00:00+05:00"),
        ("2 сағат бұрын", "2026-11-26T15:00:00+05:00"),
    ],
)
def test_relative_dates_resolve_against_the_fetch_time(text, expected):
    assert local(text) == expected


def test_almaty_was_utc_plus_6_before_march_2024():
    before = parse_date("15.01.2024 14:35", now=NOW).value
    after = parse_date("15.03.2024 14:35", now=NOW).value
    assert (before.local_iso, before.utc_iso) == (
        "2024-01-15T14:35:00+06:00",
        "2024-01-15T08:35:00Z",
    )
    assert (after.local_iso, after.utc_iso) == ("2024-03-15T14:35:00+05:00", "2024-03-15T09:35:00Z")


def test_kazakhstan_zone_names_follow_the_zone_history():
    # dateparser reads "ALMT" as a fixed +06:00, wrong since March 2024.
    assert local("26.11.2026 14:35 ALMT") == "2026-11-26T14:35:00+05:00"
    assert local("15.01.2024 14:35 ALMT") == "2024-01-15T14:35:00+06:00"


def test_utc_instant_is_given_beside_the_local_form():
    value = parse_date("26.11.2026 14:35", now=NOW).value
    assert value.utc_iso == "2026-11-26T09:35:00Z"


def test_other_site_zones_apply():
    assert local("26.11.2026 14:35", timezone="Europe/Moscow") == "2026-11-26T14:35:00+03:00"


def test_without_a_site_zone_an_explicit_offset_is_kept():
    assert local("2023-06-07T09:15:00+03:00", timezone=None) == "2023-06-07T09:15:00+03:00"


def test_dateparser_handles_what_the_fast_paths_do_not():
    assert local("в понедельник, 23 ноября 2026 г., 14:35") == "2026-11-23T14:35:00+05:00"


def test_dates_after_tomorrow_are_rejected_with_a_warning():
    outcome = parse_date("1 декабря 2026", now=NOW)
    assert outcome.value is None
    assert "after the fetch time" in outcome.warning


def test_dates_before_1990_are_rejected_with_a_warning():
    outcome = parse_date("12.03.1985", now=NOW)
    assert outcome.value is None
    assert "before 1990" in outcome.warning


def test_a_date_without_year_takes_the_latest_past_year():
    # On 26 November, "20 декабря" can only mean last December.
    assert local("20 декабря") == "2025-12-20T00:00:00+05:00"


def test_impossible_dates_and_words_are_not_dates():
    assert parse_date("31.02.2026", now=NOW).value is None
    assert parse_date("марафон", now=NOW).value is None
    assert parse_date("", now=NOW).value is None


def test_calendar_days_for_registration_issue_dates():
    assert str(parse_calendar_day("19.10.2023")) == "2023-10-19"
    assert str(parse_calendar_day("05 мая 2017")) == "2017-05-05"
    assert str(parse_calendar_day("2021 жылғы 5 наурызда")) == "2021-03-05"
    assert parse_calendar_day("5 мая") is None


@given(st.text(max_size=60))
def test_parsing_never_raises(text):
    for parse in (parse_date, parse_printed_date):
        outcome = parse(text, now=NOW)
        if outcome.value is not None:
            assert outcome.value.moment <= datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_a_printed_date_ends_a_short_line_after_a_label_or_byline():
    def printed(text: str) -> str | None:
        outcome = parse_printed_date(text, now=NOW, timezone="UTC")
        return outcome.value.local_iso if outcome.value else None

    assert printed("publiziert am 25. September 2018") == "2018-09-25T00:00:00+00:00"
    assert printed("기사입력 :[ 2018-08-25 15:24 ]") == "2018-08-25T15:24:00+00:00"
    assert printed("By Carrie Arnold November 15, 2019") == "2019-11-15T00:00:00+00:00"
    assert printed("on Monday, November 18th, 2019 at 11:08 a.m.") == "2019-11-18T11:08:00+00:00"
    # Text after the date, or a whole sentence before it: not a date line.
    assert printed("Photo taken 12 May 2015 in Almaty") is None
    assert printed("An MSC cargo ship leaves PortMiami, on Aug. 31, 2019") is None
    assert printed("Просмотров: 12 345") is None
