"""The county dashboard (县级指标看板): one page a county leader opens to see, per township, the
indicators the county is judged on (policy-rules.md, Indicators), at a date, with charts.

Design. A static page (HTML, one script, one stylesheet; no build step, no third-party code, the
charts drawn as inline SVG by the page itself) that reads each service's own indicator endpoints
over HTTP with the reader's bearer token:

    enrollment  GET /v1/reconciliation/{pension,medical}?year=&division=&group_by=township
    medical     GET /v1/indicators/guarantee?county=&year=
    employment  GET /v1/reports/monthly?county=&month=
    welfare     GET /v1/crosscheck/runs?county=          (the latest run on or before the date)
                GET /v1/dibao/reviews/overdue?on=

Why not an aggregating endpoint in one of the services: no service may read another's database
(architecture principle 6), so an aggregator would be a fifth HTTP client of all four, would tie
one service's availability and deployment to the others', and would have to forward or mint
tokens. The page instead asks each service with the reader's own token, so every figure is
exactly what that service answers to that person (jurisdiction and role checks included), and a
service that is down blanks only its own charts. The cost is CORS: the services allow GET from
the dashboard's origin (`CORS_ORIGINS`, default the local dashboard only; shared/app.py).

The server here is deliberately tiny (standard library, loopback): it serves `static/` and a
`config.json` naming the county, its townships (deploy/seed/divisions.py) and the services'
base URLs, with a Content-Security-Policy that lets the page talk to those services only.
The token travels in the URL fragment (`#token=...`), which browsers never send to a server; the
page keeps it in sessionStorage and removes it from the address bar.

    python -m deploy.dashboard --port 8000 --base-port 8001   # `make run` starts it as well
"""

from deploy.dashboard.server import DashboardServer, dashboard_url

__all__ = ["DashboardServer", "dashboard_url"]
