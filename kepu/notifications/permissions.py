from kepu.core.permissions import Action, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R

register(
    Action("notifications.view", "查看本人消息", {role: S.SELF for role in R.values}),
)
