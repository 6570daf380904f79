from django.urls import path

from shop.dashboard import views

app_name = "shop-dashboard"

urlpatterns = [
    path("", views.ReturnListView.as_view(), name="return-list"),
    path("<int:pk>/", views.ReturnDetailView.as_view(), name="return-detail"),
]
