from ninja import Router

router = Router(tags=["素质监测"])
