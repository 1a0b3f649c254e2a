"""What the back-office shell registers itself: the landing pages of the staff roles and of experts, and
the experts' review queue in the navigation (its sources arrive with the library and rumour domains)."""

from __future__ import annotations

from kepu.core.registry import Landing, NavItem, add_landing, add_nav
from kepu.core.roles import Role

for _role in (Role.SYSTEM_ADMIN, Role.OFFICE, Role.AREA_ADMIN, Role.LIAISON):
    add_landing(Landing(_role, "backoffice:home", "工作台", order=10))
add_landing(Landing(Role.EXPERT, "backoffice:reviews", "审核队列", order=20))

add_nav(NavItem("专家审核", "审核队列", "backoffice:reviews", "backoffice.review.view", icon="clipboard-check",
                order=10, section_order=50))
