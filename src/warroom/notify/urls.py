from django.urls import path

from warroom.notify import views

app_name = "notify"
urlpatterns = [
    path("deliveries/", views.deliveries, name="deliveries"),
    path("test/", views.test_page, name="test"),
    path("test/<int:pk>/", views.send_test, name="send-test"),
]
