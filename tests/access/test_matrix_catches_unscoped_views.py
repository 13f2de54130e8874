"""The role matrix must notice a view that nobody declared."""

from django.http import HttpResponse
from django.test import override_settings
from django.urls import clear_url_caches, get_resolver, include, path

from nic1000 import urls as project_urls
from tests.access.spec import load_specs
from tests.access.test_role_matrix import _url_names


def _leaky_view(request):  # type: ignore[no-untyped-def]
    return HttpResponse("everything, for everyone")


urlpatterns = [
    *project_urls.urlpatterns,
    path("leak/", include(([path("all/", _leaky_view, name="everything")], "leak"))),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_new_unscoped_url_is_reported() -> None:
    clear_url_caches()
    try:
        cases, _ = load_specs()
        missing = _url_names(get_resolver()) - {c.url_name for c in cases}
        assert missing == {"leak:everything"}
    finally:
        clear_url_caches()
