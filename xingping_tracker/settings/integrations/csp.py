"""Content-Security-Policy (django-csp; Django 5.2 has none of its own).

The pages load only their own static files: scripts from /static/ (the dashboard's vendored
ECharts among them; no inline script, data for scripts travels in ``json_script`` blocks, which are
JSON, not script), stylesheets from /static/. ``style`` attributes stay allowed
(``style-src-attr``): ECharts positions its tooltips with them and two admin tables use one; a
``<style>`` element or a stylesheet from elsewhere is blocked. Nothing may frame the pages.

/api/docs/ (Swagger UI, served from its CDN with an inline stylesheet) widens the policy for that
page only (xingping_tracker.urls).
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SWAGGER_UI_CDN = "https://cdn.jsdelivr.net"
