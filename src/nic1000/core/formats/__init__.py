"""Date and time formats per language (settings.FORMAT_MODULE_PATH); what is not set here comes from Django's.

One convention for both languages: dates ISO (2026-03-31), times on the 12-hour clock with the day half in the
reader's language, placed as that language writes it (ko 오전 10:00, en 10:00 AM). Templates use the `day` and
`when` filters of `core.templatetags.nic`, which read these formats.
"""
