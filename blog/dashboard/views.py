"""The editors' part of the dashboard: every article with where it stands, and a form to write
one beside a live preview, then publish, schedule or unpublish it. The preview is made by the
public page's own rendering, so product cards show as readers will see them."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, ListView, UpdateView, View

from blog.dashboard.access import can_edit_articles
from blog.dashboard.forms import (
    DRAFT,
    PUBLISHED,
    SCHEDULED,
    ArticleForm,
    ArticleSearchForm,
    article_state,
)
from blog.models import Article
from blog.rendering import render_body
from blog.selectors import article_funnel
from core import clock
from core.dashboard import RoleRequiredMixin


class EditorRequiredMixin(RoleRequiredMixin):
    role_check = staticmethod(can_edit_articles)


def render_preview(request, data) -> str:
    """The title, standfirst and body in `data` as the public page shows them: the same markup
    and the same body rendering, product cards included. Never cached, never saved."""
    html = render_body(data.get("body", ""), request)
    context = {
        "title": data.get("title", ""),
        "standfirst": data.get("standfirst", ""),
        # render_body cleans the Markdown's HTML with nh3 (an allow-list) before any product card
        # (a template rendered with autoescape) is put in.
        "body": mark_safe(html),  # noqa: S308  # nosec B308 B703
    }
    return render_to_string("blog/dashboard/partials/article_preview.html", context, request)


@method_decorator(never_cache, name="dispatch")
class ArticleListView(EditorRequiredMixin, ListView):
    template_name = "blog/dashboard/article_list.html"
    context_object_name = "articles"
    paginate_by = 25

    def get_queryset(self):
        self.form = ArticleSearchForm(self.request.GET or None)
        state = Case(
            When(status=Article.Status.DRAFT, then=Value(DRAFT)),
            When(published_at__gt=clock.now(), then=Value(SCHEDULED)),
            default=Value(PUBLISHED),
        )
        articles = Article.objects.annotate(state=state).order_by("-created_at", "-pk")
        return self.form.filter(articles)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, funnel=article_funnel(), **kwargs)


@method_decorator(never_cache, name="dispatch")
class ArticleFormMixin(EditorRequiredMixin):
    """Create and update. The "Preview" button (for browsers without JavaScript) shows the
    preview of what is typed on the page, saving nothing; bad input answers 400 with the
    errors beside their fields and the preview of what was typed."""

    model = Article
    form_class = ArticleForm
    template_name = "blog/dashboard/article_form.html"
    success_url = reverse_lazy("blog-dashboard:article-list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        if form.is_bound or self.object:
            context["preview"] = render_preview(
                self.request, form.data if form.is_bound else form.initial
            )
        return context

    def form_valid(self, form):
        if "preview" in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, _saved_message(self.object))
        return response

    def form_invalid(self, form):
        status = 200 if "preview" in self.request.POST else 400
        return self.render_to_response(self.get_context_data(form=form), status=status)


def _saved_message(article) -> str:
    state = article_state(article)
    if state == DRAFT:
        return f"“{article.title}” is saved as a draft; the public cannot see it."
    if state == SCHEDULED:
        when = date_format(timezone.localtime(article.published_at), "j F Y, g:i a")
        return f"“{article.title}” is scheduled: it appears on the blog on {when}."
    return f"“{article.title}” is published on the blog."


class ArticleCreateView(ArticleFormMixin, CreateView):
    def form_valid(self, form):
        form.instance.author = self.request.user
        return super().form_valid(form)


class ArticleUpdateView(ArticleFormMixin, UpdateView):
    pass


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(EditorRequiredMixin, View):
    """The preview pane's HTML for what the editor has typed: article-preview.js posts the
    form here as they type."""

    http_method_names = ["post"]

    def post(self, request):
        return HttpResponse(render_preview(request, request.POST))
