"""What other domains may use of the organisation domain (checked by the import contracts in
.importlinter): the region and unit registry, people, and the few writes other domains' demo data
and registrations need. Everything else in kepu.org is private to it."""

from kepu.org.demo import DEMO_PASSWORD
from kepu.org.forms import membership_field, unit_kind_field
from kepu.org.models import Region, RegionLevel, Unit, UnitKind, User
from kepu.org.selectors import (
    UnitFilters,
    member_units,
    resolve_unit_name,
    unit_list,
    unit_name_index,
    unit_search,
)
from kepu.org.services import (
    alias_add,
    region_create,
    token_authenticate,
    unit_create,
    user_create,
    user_set_roles,
)

LOGIN_BACKEND = "kepu.org.auth.KepuModelBackend"

__all__ = [
    "DEMO_PASSWORD",
    "LOGIN_BACKEND",
    "Region",
    "RegionLevel",
    "Unit",
    "UnitFilters",
    "UnitKind",
    "User",
    "alias_add",
    "member_units",
    "membership_field",
    "region_create",
    "resolve_unit_name",
    "token_authenticate",
    "unit_create",
    "unit_kind_field",
    "unit_list",
    "unit_name_index",
    "unit_search",
    "user_create",
    "user_set_roles",
]
