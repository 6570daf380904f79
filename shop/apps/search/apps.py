import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    """Oscar's search app, forked for `views.py`: the catalogue, category and search pages
    query the database instead of haystack (see that module for why)."""

    name = "shop.apps.search"
