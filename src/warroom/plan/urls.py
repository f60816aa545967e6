from django.urls import path

from warroom.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.current, name="current"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("diff/", views.diff, name="diff"),
    path("revisions/", views.revisions_list, name="revisions"),
    path("revisions/new/", views.propose, name="propose"),
    path("revisions/<int:pk>/", views.revision_detail, name="revision"),
    path("revisions/<int:pk>/edit/", views.edit_revision, name="edit-revision"),
    path("revisions/<int:pk>/submit/", views.submit_revision, name="submit-revision"),
    path("revisions/<int:pk>/approve/", views.approve_revision, name="approve-revision"),
    path("revisions/<int:pk>/reject/", views.reject_revision, name="reject-revision"),
]
