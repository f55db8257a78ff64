from django.urls import include, path

urlpatterns = [path("api/mizan/", include("mizan.urls"))]
