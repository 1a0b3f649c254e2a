from ninja import Router

router = Router(tags=["基层科普服务"])
