from django.urls import path

from blog.dashboard import views

app_name = "blog-dashboard"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article-list"),
    path("new/", views.ArticleCreateView.as_view(), name="article-create"),
    path("preview/", views.ArticlePreviewView.as_view(), name="article-preview"),
    path("<int:pk>/", views.ArticleUpdateView.as_view(), name="article-update"),
]
