from django.urls import path

from .views import organizer

app_name = "flyers"
urlpatterns = [
    path("o/flyers/<slug:kind>/<uuid:target_id>/", organizer.page, name="page"),
    path("o/flyers/<slug:kind>/<uuid:target_id>/flyer.pdf", organizer.flyer_pdf, name="pdf"),
    path("o/flyers/<slug:kind>/<uuid:target_id>/batches/", organizer.batch_new, name="batch_new"),
    path("o/flyers/batches/<uuid:batch_id>/void/", organizer.batch_void, name="batch_void"),
    path("o/flyers/batches/<uuid:batch_id>/sealed.json", organizer.batch_sealed, name="batch_sealed"),
]
