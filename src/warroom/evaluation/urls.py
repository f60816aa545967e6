from django.urls import path

from warroom.evaluation import views

# Mounted at the site root: the dashboard under /evaluation/, the scrape target at /metrics
# where Prometheus looks for it by default.
app_name = "evaluation"
urlpatterns = [
    path("evaluation/", views.dashboard, name="dashboard"),
    path("evaluation/export.csv", views.export_csv, name="export"),
    path("evaluation/feedback/<str:token>/", views.feedback, name="feedback"),
    path("metrics", views.metrics, name="metrics"),
]
