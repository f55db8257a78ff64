from django.urls import include, path

urlpatterns = [path("v2/graphql-api/", include("mizan.urls"))]
