"""Run inside one project's Python (ours, or stock Oscar's venv): find the benchmark's pages in
its database and count each page's SQL queries with Django's test client, on the second request
after a warm one (POSTs: a second visitor after a first).

    DJANGO_SETTINGS_MODULE=frobshop.settings PYTHONPATH=bench/stock \\
        var/bench/stock-venv-.../bin/python bench/probe.py home,product,add

Prints one JSON line: the paths the load generator needs (`targets`) and, per page, the status,
the queries and, for listings, how many products it shows.
"""

import json
import sys

import django

django.setup()

import pages  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from generate_catalogue import ROOTS, product_upc  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class TestClientVisitor(pages.Visitor):
    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    def get(self, path):
        response = self._forget_deleted_cookies(self.client.get(path))
        return response.status_code, response.content.decode()

    def post(self, path, content_type, body):
        response = self.client.post(path, data=body, content_type=content_type)
        response = self._forget_deleted_cookies(response)
        return response.status_code, response.content.decode()

    def _forget_deleted_cookies(self, response):
        """Drop the cookies a response deletes, as a browser (and wrk, which sends the
        cookies the bench gives it) would: Django's test client keeps them, and a deleted
        messages cookie kept made every later page bypass the page cache."""
        for name, morsel in response.cookies.items():
            if morsel["max-age"] == 0 or morsel.value == "":
                self.client.cookies.pop(name, None)
        return response

    def send(self, request: pages.Request):
        if request.method == "POST":
            return self.post(request.path, request.content_type, request.body)
        return self.get(request.path)


def targets() -> dict:
    product = Product.objects.get(upc=product_upc(2))
    found = {
        "product": product.get_absolute_url(),
        "product_pk": product.pk,
        "category": Category.get_root_nodes().get(slug=ROOTS[0][0]).get_absolute_url(),
        "products": Product.objects.browsable().count(),
    }
    lumbotrain = Product.objects.filter(upc="LUMBOTRAIN").first()
    if lumbotrain:
        found["lumbotrain"] = lumbotrain.get_absolute_url()
    return found


def measure(key: str, where: dict) -> dict:
    page = pages.BY_KEY[key]
    visitor = TestClientVisitor()
    request = pages.prepare(key, where, visitor)
    if request.method == "POST":  # the warm one is another visitor's
        visitor.send(request)
        visitor = TestClientVisitor()
        request = pages.prepare(key, where, visitor)
    else:
        visitor.send(request)
    with CaptureQueriesContext(connection) as queries:
        status, html = visitor.send(request)
    result = {"status": status, "queries": len(queries), "path": request.path}
    if page.listing:
        result["products_shown"] = pages.products_shown(html)
    return result


def main():
    where = targets()
    results = {}
    for key in filter(None, sys.argv[1].split(",")):
        try:
            results[key] = measure(key, where)
        except Exception as error:  # a page that fails is reported, the others still counted
            results[key] = {"error": f"{type(error).__name__}: {error}"[:500]}
    print("BENCH_JSON " + json.dumps({"targets": where, "pages": results}))


if __name__ == "__main__":
    main()
