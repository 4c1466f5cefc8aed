from __future__ import annotations

from rest_framework.routers import DefaultRouter

from classifiers import api

router = DefaultRouter()
router.register("editions", api.EditionViewSet, basename="classifier-edition")
router.register("nodes", api.NodeViewSet, basename="classifier-node")
router.register("crosswalk", api.CrosswalkViewSet, basename="classifier-crosswalk")
urlpatterns = router.urls
