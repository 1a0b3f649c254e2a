from ninja import Router

router = Router(tags=["科技志愿服务"])
