"""Rows every install needs before its first order, in production as much as in the demo:
Australia as the one shipping country (so checkout's address form hides the country field)
and the "order placed" e-mail type, whose CommunicationEvent records that the confirmation of
an order was sent (shop.services.order_confirmation_send relies on it to never send twice)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    Country.objects.update_or_create(
        iso_3166_1_a2="AU",
        defaults={
            "iso_3166_1_a3": "AUS",
            "iso_3166_1_numeric": "036",
            "printable_name": "Australia",
            "name": "Commonwealth of Australia",
            "is_shipping_country": True,
        },
    )
    CommunicationEventType = apps.get_model("communication", "CommunicationEventType")
    CommunicationEventType.objects.get_or_create(
        code="ORDER_PLACED", defaults={"name": "Order placed", "category": "Order related"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("address", "0007_useraddress_code"),
        ("communication", "0004_auto_20200801_0817"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
