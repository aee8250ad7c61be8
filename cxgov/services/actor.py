"""Who is acting: the one value every service receives from its caller."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    email: str | None
    role: str
    team_id: int | None = None
    request_id: str | None = None

    @property
    def is_admin(self):
        return self.role == "admin"


#: Used by the command line (migrations, demo loading, create-admin).
SYSTEM = Actor(user_id=None, email="system@cxgov", role="admin")
