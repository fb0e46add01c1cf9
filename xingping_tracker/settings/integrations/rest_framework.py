"""Django REST Framework and drf-spectacular."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with a WWW-Authenticate header.
        # DRF's token, refused once expired (API_TOKEN_TTL_HOURS) or its user inactive, in Chinese.
        "xingping_tracker.core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "xingping_tracker.core.filters.FilterBackend",  # django-filter's, with the product's 400
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "xingping_tracker.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "xingping_tracker.core.exceptions.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "兴平任务分工督办台账 API",
    "DESCRIPTION": "任务分工方案、任务、部门与进展的接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field named "state" with different choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "PlanStateEnum": "tasks.models.PlanState",
        "AssessmentStateEnum": "assessment.models.AssessmentState",
        "ActualStateEnum": "progress.models.ActualState",
    },
}
