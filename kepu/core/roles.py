"""The roles people hold and the data scopes that limit which rows a role may reach.

Both are fixed by the platform (they are the policy's vocabulary), so they live in code; which role
may do which action in which scope is declared by each domain in its `permissions.py`.
"""

from django.db import models


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    OFFICE = "office", "纲要办"
    AREA_ADMIN = "area_admin", "区县/乡镇管理员"
    LIAISON = "liaison", "成员单位联络员"
    EXPERT = "expert", "专家"
    VOLUNTEER = "volunteer", "志愿者"
    PUBLIC = "public", "公众"


class DataScope(models.TextChoices):
    """Which rows an action reaches. Ordered from widest to narrowest.

    The team scopes depend on the user's memberships, not on the account's unit or region: a domain
    registers how to read them (`kepu.core.access.register_scope`); a model says how its rows lead to a
    team with `ScopeRule(team=…)`.
    """

    ALL = "all", "全部"
    REGION_TREE = "region_tree", "本区域及下级"
    UNIT_TREE = "unit_tree", "本单位及下级"
    UNIT = "unit", "本单位"
    TEAM_LED = "team_led", "本人带领的队伍及下级队伍"
    TEAM = "team", "本队"
    SELF = "self", "本人"


def scope_label(scopes: str | tuple[str, ...]) -> str:
    """The Chinese name of a grant: one scope, or several joined (本人 + 本队)."""
    values = (scopes,) if isinstance(scopes, str) else scopes
    return " + ".join(DataScope(s).label for s in values)


# Roles allowed to turn on a second login factor (and encouraged to).
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.OFFICE, Role.AREA_ADMIN})
