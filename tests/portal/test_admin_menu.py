"""An admin screen declared beside its views leads each URL to the view as
its module finally holds it, whatever the order of its decorators."""

import pytest
from django.test import RequestFactory
from django.views.decorators.http import require_POST

from portal.admin_menu import AdminScreen

screen = AdminScreen("example/", "example")


@screen.route("above/", "above")
@require_POST
def above(request):
    return "answered"


@require_POST
@screen.route("below/", "below")
def below(request):
    return "answered"


@pytest.mark.parametrize("name", ["above", "below"])
def test_a_post_only_view_refuses_a_get_wherever_the_route_decorator_stands(name):
    pattern = next(p for p in screen.urls() if p.name == name)
    assert str(pattern.pattern) == f"{name}/"
    assert pattern.callback(RequestFactory().get("/")).status_code == 405
    assert pattern.callback(RequestFactory().post("/")) == "answered"


def test_a_view_that_is_not_at_module_level_is_refused():
    def nested(request):
        return None

    with pytest.raises(TypeError):
        screen.route("nested/", "nested")(nested)
