"""Actions of the back office's own pages (进入工作台 itself is declared with the organisation domain)."""

from kepu.core.permissions import Action, register
from kepu.core.roles import DataScope as S
from kepu.core.roles import Role as R

register(
    Action("backoffice.review.view", "查看专家审核队列", {R.EXPERT: S.SELF}),
)
