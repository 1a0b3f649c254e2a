from ninja import Router

router = Router(tags=["纲要实施"])
