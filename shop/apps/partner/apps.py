import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app, forked only for `strategy.py` (AUD prices including GST).

    The models are Oscar's unchanged, so their migrations stay Oscar's too (MIGRATION_MODULES
    in settings): upgrading Oscar brings its partner migrations with it.
    """

    name = "shop.apps.partner"
