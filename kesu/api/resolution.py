"""Staff endpoints of the resolution domain, one module per sub-resource: investigation
(kesu/api/investigation.py), department tasks (tasks.py), solutions and callbacks (solutions.py),
returns and allowances (returns.py), follow-up visits (followups.py), validity rulings and appeals
(adjudication.py). Their routes and operation ids are those of the single module they came from."""

from __future__ import annotations

from kesu.api import adjudication, followups, investigation, returns, solutions, tasks

routers = (investigation.router, tasks.router, solutions.router, returns.router, followups.router, adjudication.router)
