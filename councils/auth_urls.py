from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from councils import views_mfa

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    # Two-step sign-in (ASVS 6.3.3).
    path("mfa/", views_mfa.mfa_overview, name="mfa-overview"),
    path("mfa/setup/", views_mfa.mfa_setup, name="mfa-setup"),
    path("mfa/setup/qr.svg", views_mfa.mfa_qr, name="mfa-qr"),
    path("mfa/verify/", views_mfa.mfa_verify, name="mfa-verify"),
    path("mfa/recovery/", views_mfa.mfa_recovery_renew, name="mfa-recovery"),
]
