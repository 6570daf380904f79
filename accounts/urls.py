from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("health-fund-enquiries/", views.EnquiriesView.as_view(), name="enquiries"),
    path("video-calls/", views.CallsView.as_view(), name="calls"),
    path("verify-email/", views.VerifyRequestView.as_view(), name="verify-request"),
    path("verify-email/<str:token>/", views.VerifyConfirmView.as_view(), name="verify-confirm"),
    path("recommendation/<str:token>/", views.RecommendationView.as_view(), name="recommendation"),
    path("sign-in-by-email/", views.SignInRequestView.as_view(), name="sign-in"),
    path("sign-in-by-email/code/", views.SignInCodeView.as_view(), name="sign-in-code"),
    path("sign-in-by-email/<str:token>/", views.SignInLinkView.as_view(), name="sign-in-link"),
]
