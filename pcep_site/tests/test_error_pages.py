"""Error pages in the site's look, saying what happened and what to do next."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_not_found_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html
    assert reverse("home") in html


@pytest.mark.django_db
def test_a_server_error_page_renders_without_touching_the_database(
    django_assert_num_queries,
):
    request = RequestFactory().get("/")
    # The database may be what failed: the page must not need it.
    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_an_expired_form_explains_itself_instead_of_a_bare_csrf_error():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "CSRF verification failed" not in html


@pytest.mark.django_db
def test_a_forbidden_page_gets_the_sites_page():
    request = RequestFactory().get("/")

    response = defaults.permission_denied(request, exception=PermissionError())

    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


@pytest.mark.django_db
def test_every_page_has_a_meta_description(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert '<meta name="description" content="Timed PCEP-30-02 mock exams' in html
