"""The festival's indicators measure Chương trình 1's festival entry, not the NTM campaign of Chương trình 2."""
from django.db import migrations

FESTIVAL = ["ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_le_va_hoi", "ngay_hoi_bua_com"]


def move(apps, schema_editor):
    from campaigns.loaders import link_indicators, load_campaigns

    load_campaigns(apps)
    Campaign = apps.get_model("campaigns", "Campaign")
    Indicator = apps.get_model("programs", "Indicator")
    festival = Indicator.objects.filter(code__in=FESTIVAL)
    for campaign in Campaign.objects.filter(code="nong_thon_moi"):
        campaign.indicators.remove(*festival)
    link_indicators({"ngay_hoi_dai_doan_ket": FESTIVAL}, apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_vietnamese_labels"), ("campaigns", "0002_load_campaigns")]
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
