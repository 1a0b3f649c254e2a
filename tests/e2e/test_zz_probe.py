from typing import Any
import pytest
from tests.e2e.conftest import shot, sign_in
pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["admin","office","zhangpu","jiaoyu","expert","volunteer","duizhang","resident","weijian"]

def test_probe(new_page: Any, demo_server: Any) -> None:
    for name in ROLES:
        for vp, tag in (((1366, 900), "desktop"), ((390, 844), "phone")):
            page = new_page(viewport=vp)
            sign_in(page, demo_server.url, name)
            page.wait_for_load_state("networkidle")
            print(name, tag, page.url)
            shot(page, f"probe-{name}-{tag}")
            page.context.close()
