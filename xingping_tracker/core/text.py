"""People's text as the product stores and writes it.

Every text a person saves (report narratives, target notes, review comments; typed in the portal,
sent to the API or read from an uploaded template) and every text written into a workbook passes
through :func:`clean_text`, so no stored string can make an export fail.
"""

from __future__ import annotations

import re

# Everything outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets): the C0
# control characters other than tab, newline and carriage return, lone surrogates (a JSON body may
# carry "\ud800"; UTF-8 cannot encode it) and the non-characters U+FFFE and U+FFFF. An .xlsx part,
# the API's JSON and PostgreSQL all refuse some of them.
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """``text`` without the characters an XML file cannot hold (nothing else changes)."""
    return _XML_UNSAFE.sub("", text)
