"""Library shared by the four services: settings, database, bus, events, auth, policy, ids."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("enrollment", "medical", "employment", "welfare")
SERVICE_PORTS = {"enrollment": 8001, "medical": 8002, "employment": 8003, "welfare": 8004}
