"""Catalogue, category and search pages that query the database, not haystack.

Stock Oscar 4.2 builds these pages on haystack. With the simple backend of its quick-start they
list no products at all (django-oscar issue 4366: the backend flattens Oscar's category filter
into one string that matches nothing) and search counts only the last word; with Whoosh each
product card costs about six queries. A shop of a few thousand supports needs neither: the
database lists them in a fixed number of queries (shop.selectors.product_cards).
"""

from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.search.signals import user_search
from oscar.core.loading import get_model

from shop.selectors import product_listing, product_search

Category = get_model("catalogue", "Category")

MAX_QUERY_LENGTH = 200


class CatalogueView(ListView):
    """All products."""

    context_object_name = "products"
    template_name = "oscar/catalogue/browse.html"
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    summary = _("All products")

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(self.first_page_url())

    def first_page_url(self):
        params = self.request.GET.copy()
        params.pop("page", None)
        return f"{self.request.path}?{params.urlencode()}" if params else self.request.path

    def get_queryset(self):
        return product_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(summary=self.summary, **kwargs)


class ProductCategoryView(CatalogueView):
    """The products of one category and its sub-categories."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404
        expected_path = self.category.get_absolute_url()
        if unquote(expected_path) != unquote(request.path):
            # Categories are found by primary key, so a renamed one redirects to its new slug.
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return product_listing(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class FacetedSearchView(CatalogueView):
    """Products matching every word of `q`. (The name is Oscar's, which its urls load.)"""

    template_name = "oscar/search/results.html"

    def get(self, request, *args, **kwargs):
        self.query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
        user_search.send(sender=self, session=request.session, user=request.user, query=self.query)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return product_search(query=self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)
