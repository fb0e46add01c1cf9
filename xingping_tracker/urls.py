"""Root URLs: admin, API (with schema and docs), sign-in, the reminder, dashboard, export and offline-filling pages and the portal at the root."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from xingping_tracker.core.permissions import SchemaPermission
from xingping_tracker.core.schema import KeptSchemaGenerator

admin.site.site_header = "兴平市任务分工督办台账"
admin.site.site_title = "督办台账"
admin.site.index_title = "管理"

handler404 = "xingping_tracker.core.exceptions.api_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[SchemaPermission], generator_class=KeptSchemaGenerator),
        name="api-schema",
    ),
    path(
        "api/docs/",
        # Swagger UI's files come from its CDN and its page has an inline stylesheet: allowed on this page only.
        csp_update(
            {"script-src": [settings.SWAGGER_UI_CDN], "style-src": [settings.SWAGGER_UI_CDN, UNSAFE_INLINE]}
        )(SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[SchemaPermission])),
        name="api-docs",
    ),
    path("api/", include("xingping_tracker.api_urls")),
    # Sign in and out only: no password-reset pages (no mail in most installations; the plan office
    # resets a forgotten password in the admin, as the login page says).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("reminders.urls")),
    path("", include("dashboard.urls")),
    path("", include("exports.urls")),
    path("", include("offline.urls")),
    path("", include("drafting.urls")),
    path("", include("indicators.urls")),
    path("", include("assessment.urls")),
    path("", include("evaluation.urls")),
    path("", include("progress.urls")),
]
