"""``JSON.stringify`` as Node computes it, for emulating servers written in JavaScript.

smee.io parses a delivery with ``JSON.parse`` and re-serialises it with ``JSON.stringify``
(https://github.com/probot/smee.io, lib/server.js), so what a relay client receives is not
GitHub's bytes: numbers are re-printed (``1.0`` becomes ``1``, which breaks signatures:
https://github.com/probot/probot/issues/2235) and the output is compact. The emulation must
do exactly the same, or tests would pass on payloads that fail through the real relay.

Number printing follows ECMAScript Number::toString
(https://tc39.es/ecma262/#sec-numeric-types-number-tostring); strings are escaped as
``JSON.stringify`` does (https://tc39.es/ecma262/#sec-quotejsonstring), which for well-formed
strings is what ``json.dumps(..., ensure_ascii=False)`` writes.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

_SAFE_INTEGER = 2**53


def js_number(value: float) -> str:
    """How JavaScript prints a double (integers beyond 2**53 lose precision, as in JS)."""
    if math.isnan(value) or math.isinf(value):
        return "null"  # JSON.stringify writes non-finite numbers as null
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(float(value)))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    k = len(digits)
    n = exponent + len(digit_tuple)  # value = 0.DIGITS × 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"
    return sign + text


def stringify(value: Any) -> str:
    """``JSON.stringify(value)`` for JSON-shaped Python data (dict keys are strings)."""
    if value is None or value is True or value is False:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if abs(value) <= _SAFE_INTEGER else js_number(float(value))
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        members = (f"{stringify(str(k))}:{stringify(v)}" for k, v in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(stringify(item) for item in value) + "]"
    raise TypeError(f"{type(value).__name__} is not JSON data")
