"""The team pages: naming members and backups (commander, deputy, administrators only), a page
per person, and a person's own contact methods."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from warroom.people import services as people
from warroom.people.models import ContactMethod, TeamMembership, TeamRole

Login = Callable[[AbstractUser], Client]


def membership(person: AbstractUser, role: str) -> TeamMembership:
    return TeamMembership.objects.get(person=person, role__code=role)


def test_team_page_lists_roles_with_holders_and_backups(
    login: Login, outsider: AbstractUser, commander: AbstractUser, ops_rep: AbstractUser
) -> None:
    people.set_backup(membership(commander, "commander"), ops_rep)
    body = login(outsider).get("/team/").content.decode()
    assert (
        f'<td><a href="/team/people/{commander.pk}/">Chen</a></td>\n'
        f'    <td><a href="/team/people/{ops_rep.pk}/">Olga</a></td>'
    ) in body
    assert "not yet named" in body  # the deputy and others are not named in this story


def test_team_page_queries_do_not_grow_with_members(
    login: Login,
    commander: AbstractUser,
    make_person: Callable[..., AbstractUser],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(commander)
    # session, user, can_manage_plan, roles with departments, memberships, their people,
    # their backups, departments, people with profiles and departments; the add form's
    # three choice lists (roles, people, backups)
    with django_assert_max_num_queries(12):
        client.get("/team/")
    for i in range(8):
        make_person(f"member{i}", "development", role="development_rep")
    with django_assert_max_num_queries(12):
        response = client.get("/team/")
    assert response.content.decode().count("/team/people/") > 16


def test_only_plan_managers_see_the_team_controls(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser, outsider: AbstractUser
) -> None:
    remove = reverse("people:member-remove", args=[membership(ops_rep, "operations_rep").pk])
    for user, shown in ((commander, True), (ops_rep, False), (outsider, False)):
        body = login(user).get("/team/").content.decode()
        assert (remove in body, reverse("people:member-add") in body) == (shown, shown), user


def test_commander_names_a_member_with_a_backup(
    login: Login, commander: AbstractUser, outsider: AbstractUser, ops_rep: AbstractUser
) -> None:
    role = TeamRole.objects.get(code="development_rep")
    data = {"role": role.pk, "person": outsider.pk, "backup": ops_rep.pk}
    response = login(commander).post("/team/members/add/", data)
    assert (response.status_code, response["Location"]) == (302, "/team/")
    added = membership(outsider, "development_rep")
    assert added.backup == ops_rep
    assert set(outsider.groups.values_list("name", flat=True)) == {role.group.name}


def test_adding_someone_twice_shows_the_conflict_on_the_person_field(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser
) -> None:
    role = TeamRole.objects.get(code="operations_rep")
    response = login(commander).post(
        "/team/members/add/", {"role": role.pk, "person": ops_rep.pk, "backup": ""}
    )
    assert response.status_code == 200
    assert response.context["add_form"].errors == {"person": ["olga already holds operations_rep"]}
    assert TeamMembership.objects.filter(role=role).count() == 1


def test_the_backup_must_be_someone_else(
    login: Login, commander: AbstractUser, outsider: AbstractUser
) -> None:
    role = TeamRole.objects.get(code="legal_rep")
    response = login(commander).post(
        "/team/members/add/", {"role": role.pk, "person": outsider.pk, "backup": outsider.pk}
    )
    assert response.context["add_form"].errors == {"backup": ["the backup must be someone else"]}
    assert not TeamMembership.objects.filter(role=role).exists()


def test_ops_rep_and_outsider_may_not_change_the_team(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser, outsider: AbstractUser
) -> None:
    role = TeamRole.objects.get(code="legal_rep")
    held = membership(commander, "commander")
    for user in (ops_rep, outsider):
        client = login(user)
        add = client.post("/team/members/add/", {"role": role.pk, "person": outsider.pk})
        backup = client.post(
            reverse("people:member-backup", args=[held.pk]), {"backup": outsider.pk}
        )
        remove = client.post(reverse("people:member-remove", args=[held.pk]))
        assert (add.status_code, backup.status_code, remove.status_code) == (403, 403, 403)
    held.refresh_from_db()
    assert held.backup is None
    assert TeamMembership.objects.count() == 2


def test_commander_changes_and_clears_a_backup(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser, outsider: AbstractUser
) -> None:
    held = membership(ops_rep, "operations_rep")
    url = reverse("people:member-backup", args=[held.pk])
    client = login(commander)
    page = client.get(url)
    assert page.context["title"] == "Backup for Olga as “Operations representative”"
    assert client.post(url, {"backup": outsider.pk}).status_code == 302
    held.refresh_from_db()
    assert held.backup == outsider
    assert client.post(url, {"backup": ""}).status_code == 302
    held.refresh_from_db()
    assert held.backup is None


def test_a_holder_cannot_back_themselves_up(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser
) -> None:
    held = membership(ops_rep, "operations_rep")
    response = login(commander).post(
        reverse("people:member-backup", args=[held.pk]), {"backup": ops_rep.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"backup": ["the backup must be someone else"]}


def test_commander_removes_a_member_after_confirming(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser
) -> None:
    held = membership(ops_rep, "operations_rep")
    url = reverse("people:member-remove", args=[held.pk])
    client = login(commander)
    ask = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Remove Olga from the role “Operations representative”?" in ask
    assert TeamMembership.objects.filter(pk=held.pk).exists()
    assert client.post(url).status_code == 302
    assert not TeamMembership.objects.filter(pk=held.pk).exists()
    assert list(ops_rep.groups.all()) == []


# A page per person


def _with_methods(user: AbstractUser) -> AbstractUser:
    people.set_contact_methods(
        user,
        [
            {"label": "Work mail", "url": "mailto://olga:secret@example.com"},
            {"label": "Pager", "url": "json://hooks.example.com/olga?token=abc"},
        ],
    )
    people.update_person(user, phone="+86 138 0000 0000")
    return user


def test_person_page_shows_department_phone_and_roles(
    login: Login, outsider: AbstractUser, ops_rep: AbstractUser, commander: AbstractUser
) -> None:
    _with_methods(ops_rep)
    people.set_backup(membership(commander, "commander"), ops_rep)
    body = login(outsider).get(f"/team/people/{ops_rep.pk}/").content.decode()
    assert "<dt>Department</dt><dd>Operations team</dd>" in body
    assert "<dt>Phone</dt><dd>+86 138 0000 0000</dd>" in body
    assert "<li>Holds Operations representative (Operations team)</li>" in body
    assert (
        f'<li>Backup for Team leader (IT department): <a href="/team/people/{commander.pk}/">'
        "Chen</a></li>"
    ) in body


def test_others_see_only_labels_and_schemes_of_contact_methods(
    login: Login, outsider: AbstractUser, ops_rep: AbstractUser
) -> None:
    _with_methods(ops_rep)
    response = login(outsider).get(f"/team/people/{ops_rep.pk}/")
    body = response.content.decode()
    assert "<td>Work mail</td><td><code>mailto</code></td></tr>" in body
    assert "<td>Pager</td><td><code>json</code></td></tr>" in body
    assert "secret" not in body
    assert "hooks.example.com" not in body
    assert "Apprise URL" not in body
    assert reverse("people:contact-methods", args=[ops_rep.pk]) not in body


def test_the_person_and_plan_managers_see_the_urls(
    login: Login, commander: AbstractUser, ops_rep: AbstractUser, admin: AbstractUser
) -> None:
    _with_methods(ops_rep)
    for viewer in (ops_rep, commander, admin):
        body = login(viewer).get(f"/team/people/{ops_rep.pk}/").content.decode()
        assert "<code>mailto://olga:secret@example.com</code>" in body, viewer
        assert "<code>json://hooks.example.com/olga?token=abc</code>" in body, viewer
    own = login(ops_rep).get(f"/team/people/{ops_rep.pk}/").content.decode()
    assert f'href="/team/people/{ops_rep.pk}/contact-methods/"' in own


def test_person_page_queries(
    login: Login, outsider: AbstractUser, ops_rep: AbstractUser, django_assert_num_queries: Any
) -> None:
    _with_methods(ops_rep)
    client = login(outsider)
    # session, user, the person, profile, roles held, roles backed up, contact methods,
    # can_manage_plan
    with django_assert_num_queries(8):
        client.get(f"/team/people/{ops_rep.pk}/")


def formset(
    *rows: tuple[str, str], delete: tuple[int, ...] = (), initial: int = 0
) -> dict[str, Any]:
    """What the browser submits: `initial` rows came filled from the stored methods."""
    data: dict[str, Any] = {
        "methods-TOTAL_FORMS": str(len(rows)),
        "methods-INITIAL_FORMS": str(initial),
        "methods-MIN_NUM_FORMS": "0",
        "methods-MAX_NUM_FORMS": "1000",
    }
    for i, (label, url) in enumerate(rows):
        data[f"methods-{i}-label"] = label
        data[f"methods-{i}-url"] = url
        if i in delete:
            data[f"methods-{i}-DELETE"] = "on"
    return data


def test_a_person_edits_their_own_contact_methods(login: Login, ops_rep: AbstractUser) -> None:
    _with_methods(ops_rep)
    client = login(ops_rep)
    url = f"/team/people/{ops_rep.pk}/contact-methods/"
    page = client.get(url)
    assert [f["label"].value() for f in page.context["formset"]] == [
        "Work mail",
        "Pager",
        None,
        None,
    ]
    data = formset(
        ("Work mail", "mailto://olga:secret@example.com"),
        ("Pager", "json://hooks.example.com/olga?token=abc"),
        ("", ""),
        ("Chat", "ntfy://ntfy.example.com/olga"),
        delete=(1,),
        initial=2,
    )
    response = client.post(url, data)
    assert (response.status_code, response["Location"]) == (302, f"/team/people/{ops_rep.pk}/")
    assert list(
        ContactMethod.objects.filter(user=ops_rep).values_list("label", "url", "position")
    ) == [
        ("Work mail", "mailto://olga:secret@example.com", 0),
        ("Chat", "ntfy://ntfy.example.com/olga", 1),
    ]


def test_an_invalid_apprise_url_is_rejected_on_its_row(login: Login, ops_rep: AbstractUser) -> None:
    _with_methods(ops_rep)
    client = login(ops_rep)
    url = f"/team/people/{ops_rep.pk}/contact-methods/"
    data = formset(
        ("Work mail", "mailto://olga@example.com"),
        ("", ""),
        ("Fax", "fax://12345"),
        initial=2,
    )
    response = client.post(url, data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert [f.errors for f in forms] == [
        {},
        {},
        {"url": ["Apprise cannot use this URL (scheme 'fax')"]},
    ]
    assert (
        '<p class="error field-error" id="id_methods-2-url_error">'
        "Apprise cannot use this URL (scheme &#x27;fax&#x27;)</p>"
    ) in response.content.decode()
    assert list(ContactMethod.objects.filter(user=ops_rep).values_list("label", flat=True)) == [
        "Work mail",
        "Pager",
    ]


def test_a_url_without_a_scheme_gets_the_services_hint(login: Login, ops_rep: AbstractUser) -> None:
    response = login(ops_rep).post(
        f"/team/people/{ops_rep.pk}/contact-methods/", formset(("Mail", "olga@example.com"))
    )
    assert response.context["formset"].forms[0].errors == {
        "url": ["an Apprise URL looks like mailto://user@example.com or json://host/path"]
    }


def test_nobody_else_edits_a_persons_contact_methods(
    login: Login, ops_rep: AbstractUser, commander: AbstractUser, outsider: AbstractUser
) -> None:
    _with_methods(ops_rep)
    url = f"/team/people/{ops_rep.pk}/contact-methods/"
    for user in (commander, outsider):
        client = login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, formset(("Mine", "mailto://x@example.com"))).status_code == 403
    assert ContactMethod.objects.filter(user=ops_rep).count() == 2
