"""Korean: 2026-03-31, 오전 10:00 (오전/오후 before the time, as Korean writes it)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "A g:i"
DATETIME_FORMAT = "Y-m-d A g:i"
SHORT_DATETIME_FORMAT = "Y-m-d A g:i"
YEAR_MONTH_FORMAT = "Y년 n월"
MONTH_DAY_FORMAT = "n월 j일"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
