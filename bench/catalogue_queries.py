"""SQL queries and response times of the catalogue pages, at the demo catalogue and with
BENCH_PRODUCTS (5,000) products of bench/generate_catalogue.py added. A benchmark, not a test:
it prints a table and never fails because a machine is slow.

    make bench                       # SQLite in a throw-away folder
    DATABASE_URL=postgres://... make bench

It builds its own database (a temporary VAR_DIR for SQLite; for PostgreSQL the test database
name `bench_<name>` next to the one in DATABASE_URL), so it never touches your data.
"""

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "VAR_DIR" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-")
    atexit.register(shutil.rmtree, os.environ["VAR_DIR"], ignore_errors=True)

import django  # noqa: E402

django.setup()

from io import StringIO  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from generate_catalogue import generate  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

from shop.search import documents_rebuild  # noqa: E402

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")

TARGET = int(os.environ.get("BENCH_PRODUCTS", "5000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def pages():
    back = Category.objects.get(slug="back-and-spine")
    lumbotrain = Product.objects.get(upc="LUMBOTRAIN")
    return [
        ("catalogue list", "/catalogue/"),
        ("category: Back and spine", back.get_absolute_url()),
        ("LumboTrain page", lumbotrain.get_absolute_url()),
        ("search 'back support'", "/search/?q=back+support"),
    ]


def measure(client, url):
    client.get(url)  # warm: per-process caches (thumbnails, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # now: the log it reads is emptied by the next request
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return count, statistics.median(times)


def grow_catalogue(total):
    """The side-by-side benchmark's generated supports (bench/generate_catalogue.py), then
    their search documents: bulk inserts send no signals."""
    generate(total)
    documents_rebuild()


def main():
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    db = connection.settings_dict
    postgres = db["ENGINE"].endswith("postgresql")
    if postgres:
        original_name = db["NAME"]
        db["NAME"] = f"bench_{original_name}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    client = Client()

    rows = []
    for label, size in (("demo", None), (f"{TARGET:,}", TARGET)):
        if size:
            grow_catalogue(size)
        count = Product.objects.browsable().count()
        for page, url in pages():
            queries, ms = measure(client, url)
            rows.append((f"{label} ({count:,} products)", page, queries, ms))

    from django.core.cache import cache

    article = "/blog/causes-of-back-spasms-and-cramps/"
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(article)
    cold_count = len(cold)
    cached_count, cached_ms = measure(client, article)
    rows.append(("blog", "article page, cold", cold_count, float("nan")))
    rows.append(("blog", "article page, cached body", cached_count, cached_ms))

    print(f"\nCatalogue pages, {connection.vendor}, median of {RUNS} requests (Django test client)")
    print(f"{'catalogue':<24} {'page':<26} {'SQL queries':>11} {'median ms':>10}")
    for catalogue, page, queries, ms in rows:
        print(f"{catalogue:<24} {page:<26} {queries:>11} {ms:>10.1f}")
    if postgres:
        print_search_plan("back support")
        connection.creation.destroy_test_db(original_name, verbosity=0)


def print_search_plan(query):
    """PostgreSQL's plan for the search: it must read the GIN index, not every document."""
    from shop.search import matching_product_ids, query_words

    found = Product.objects.filter(pk__in=matching_product_ids(query_words(query)))
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]
    print(f"\nEXPLAIN ANALYZE of the search for {query!r} ({found.count()} products):")
    print("\n".join(f"    {line}" for line in plan))


if __name__ == "__main__":
    main()
