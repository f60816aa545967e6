from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.api.common import get_or_404, require
from warroom.lib.errors import DomainError
from warroom.people import services
from warroom.people.access import can_manage_plan
from warroom.people.models import Department, TeamMembership, TeamRole

router = Router(tags=["organisation"])


class DepartmentOut(Schema):
    code: str
    name_en: str
    name_zh: str
    duties_en: str
    duties_zh: str
    in_plan: bool


class ContactMethodIO(Schema):
    label: str = Field(min_length=1, max_length=80)
    url: str = Field(min_length=1, max_length=1000)


class PersonOut(Schema):
    id: int
    username: str
    name: str
    email: str
    department: str | None
    phone: str
    language: str
    contact_methods: list[ContactMethodIO] | None = None

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_department(obj: User) -> str | None:
        profile = getattr(obj, "profile", None)
        return profile.department.code if profile and profile.department else None

    @staticmethod
    def resolve_phone(obj: User) -> str:
        profile = getattr(obj, "profile", None)
        return profile.phone if profile else ""

    @staticmethod
    def resolve_language(obj: User) -> str:
        profile = getattr(obj, "profile", None)
        return profile.language if profile else "zh-hans"

    @staticmethod
    def resolve_contact_methods(obj: User, context: Any) -> list[dict[str, str]] | None:
        # Apprise URLs can carry channel tokens: only the person and plan managers see them.
        request = context["request"]
        if request.user.pk != obj.pk and not can_manage_plan(request.user):
            return None
        return [{"label": m.label, "url": m.url} for m in obj.contact_methods.all()]


class PersonIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    department: str | None = None
    phone: str = ""
    language: str = "zh-hans"
    contact_methods: list[ContactMethodIO] = []


class PersonPatch(Schema):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    department: str | None = None
    phone: str | None = None
    language: str | None = None
    contact_methods: list[ContactMethodIO] | None = None


class MembershipOut(Schema):
    id: int
    role: str = Field(alias="role.code")
    department: str = Field(alias="role.department.code")
    person: str = Field(alias="person.username")
    backup: str | None

    @staticmethod
    def resolve_backup(obj: TeamMembership) -> str | None:
        return obj.backup.username if obj.backup else None


class MembershipIn(Schema):
    role: str
    person: str
    backup: str | None = None


class MembershipPatch(Schema):
    backup: str | None


def _dept(code: str | None) -> Department | None:
    if code is None:
        return None
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise DomainError("department", f"unknown department {code!r}")
    return dept


def _person(username: str | None, field: str) -> Any:
    if username is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DomainError(field, f"unknown person {username!r}")
    return user


def _people() -> Any:
    return User.objects.select_related("profile__department").prefetch_related("contact_methods")


@router.get("/departments", response=list[DepartmentOut])
@paginate(LimitOffsetPagination)
def list_departments(request: HttpRequest) -> Any:
    return Department.objects.all()


@router.get("/people", response=list[PersonOut])
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest) -> Any:
    return _people().filter(is_active=True).order_by("username")


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> Any:
    return get_or_404(_people(), "person", pk=person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may add people",
    )
    user = services.create_person(
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        department=_dept(payload.department),
        phone=payload.phone,
        language=payload.language,
        contact_methods=[m.dict() for m in payload.contact_methods],
    )
    return Status(201, get_or_404(_people(), "person", pk=user.pk))


@router.patch("/people/{person_id}", response=PersonOut)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = get_or_404(User.objects, "person", pk=person_id)
    require(
        request.user.pk == person.pk or can_manage_plan(request.user),
        "you may change only your own details",
    )
    data = payload.dict(exclude_unset=True)
    if "department" in data:
        # Moving someone between departments changes what they may edit: managers only.
        require(can_manage_plan(request.user), "only plan managers may change a department")
        data["department"] = _dept(data["department"])
    methods = data.pop("contact_methods", None)
    services.update_person(person, contact_methods=methods, **data)
    return get_or_404(_people(), "person", pk=person.pk)


@router.get("/team", response=list[MembershipOut])
@paginate(LimitOffsetPagination)
def list_team(request: HttpRequest) -> Any:
    return TeamMembership.objects.select_related("role__department", "person", "backup")


@router.post("/team", response={201: MembershipOut})
def add_member(request: HttpRequest, payload: MembershipIn) -> Any:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may change the team",
    )
    role = TeamRole.objects.filter(code=payload.role).first()
    if role is None:
        raise DomainError("role", f"unknown role {payload.role!r}")
    membership = services.add_team_member(
        role, _person(payload.person, "person"), backup=_person(payload.backup, "backup")
    )
    return Status(201, membership)


@router.patch("/team/{membership_id}", response=MembershipOut)
def change_backup(request: HttpRequest, membership_id: int, payload: MembershipPatch) -> Any:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may change the team",
    )
    membership = get_or_404(TeamMembership.objects, "team membership", pk=membership_id)
    return services.set_backup(membership, _person(payload.backup, "backup"))


@router.delete("/team/{membership_id}", response={204: None})
def remove_member(request: HttpRequest, membership_id: int) -> Any:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may change the team",
    )
    membership = get_or_404(TeamMembership.objects, "team membership", pk=membership_id)
    services.remove_team_member(membership)
    return Status(204, None)


@router.get("/me", response=PersonOut)
def me(request: HttpRequest) -> Any:
    return get_or_404(_people(), "person", pk=request.user.pk)
