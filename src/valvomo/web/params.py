"""Query parameter types shared by the API routers.

``IsoDate``: a calendar date written ``YYYY-MM-DD`` and nothing else. Pydantic's lax date parsing
also takes a number as seconds since 1970 (``from=0`` would be 1 January 1970), which a caller who
mistyped a date would never notice; the API refuses it with 422 instead (found by the negative
Schemathesis run, tests/web/test_api_schemathesis.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]
