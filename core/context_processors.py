from django.conf import settings


def site(request):
    return {"shop_phone": settings.SHOP_PHONE, "shop_phone_tel": settings.SHOP_PHONE_TEL}
