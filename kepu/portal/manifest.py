"""What the portal shell registers: it is the landing page of residents (and of anyone without a role)."""

from __future__ import annotations

from kepu.core.registry import Landing, add_landing
from kepu.core.roles import Role

add_landing(Landing(Role.PUBLIC, "portal:home", "公众门户", order=90))
