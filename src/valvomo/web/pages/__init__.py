"""Dashboard pages: one router module per page group (overview, stations, indicators, quality,
patients, downloads). ``valvomo.web.app`` includes every module here that defines ``router``;
``context`` is the shared helper that turns a request into a ``ViewContext``."""
