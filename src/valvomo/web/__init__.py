"""Web dashboard and JSON API (FastAPI, server-rendered Jinja2 pages, SVG charts).

``valvomo.web.app.create_app`` builds the application; ``deps`` is the contract
pages are written against (user, language, rendering, audit); ``auth`` holds
accounts, sessions, API tokens and the audit log; ``security`` the headers,
CSRF and login rate limit; ``pages`` the dashboard pages themselves.
"""
