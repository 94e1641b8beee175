"""REST API for record linkage: candidate pairs (with their evidence) and reviewers' decisions,
the model versions and the runs. Reads through the scope (a pair only when both records are
visible); decisions through ``linkage.services``."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.core.api import ScopedReadOnlyViewSet
from marsad.core.roles import Capability
from marsad.linkage import selectors, services
from marsad.linkage.models import CandidatePair, LinkageRun, ModelVersion, PairStatus
from marsad.registry.api import PersonSerializer


class PairSerializer(serializers.ModelSerializer):
    left = PersonSerializer(read_only=True)
    right = PersonSerializer(read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    household_merge = serializers.SerializerMethodField(
        help_text="The household merge that followed this pair's merge: the merged record's "
        "household had no member of its own left (null when none)."
    )

    class Meta:
        model = CandidatePair
        fields = [
            "id",
            "left",
            "right",
            "match_probability",
            "match_weight",
            "evidence",
            "status",
            "decided_by",
            "decided_at",
            "note",
            "merge",
            "household_merge",
            "run",
        ]

    def get_household_merge(self, pair: CandidatePair) -> int | None:
        found = selectors.household_merge_of(pair) if pair.merge_id else None
        return found.pk if found is not None else None


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(v, label) for v, label in PairStatus.choices if v in services.DECISIONS]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ModelVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = [
            "version",
            "auto_link_threshold",
            "review_threshold",
            "records",
            "labels",
            "notes",
            "is_active",
            "created_at",
        ]


class RunSerializer(serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="version", read_only=True)

    class Meta:
        model = LinkageRun
        fields = [
            "id",
            "kind",
            "model",
            "status",
            "records",
            "pairs_scored",
            "auto_linked",
            "to_review",
            "seconds",
            "message",
            "created_at",
        ]


class PairViewSet(ScopedReadOnlyViewSet):
    """Candidate pairs; ``?status=review`` (the default queue), ``same``, ``different``,
    ``unsure`` or ``auto_linked``. ``POST pairs/{id}/decide/`` records a decision; "same"
    merges the two records (undone if the decision changes)."""

    queryset = CandidatePair.objects.all()
    serializer_class = PairSerializer
    required_capability = Capability.VIEW_PII

    def get_queryset(self) -> QuerySet:
        status = self.request.query_params.get("status") or None
        if self.action == "list" and status is None:
            status = PairStatus.REVIEW
        return selectors.pairs(self.request.user, status=status).order_by(
            "-match_probability", "pk"
        )

    @extend_schema(request=DecisionSerializer, responses=PairSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        pair = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pair = services.pair_decide(
            actor=request.user,
            pair=pair,
            decision=body.validated_data["decision"],
            note=body.validated_data.get("note", ""),
        )
        fresh = selectors.pairs(request.user, status=None).get(pk=pair.pk)
        return Response(PairSerializer(fresh, context=self.get_serializer_context()).data)


class ModelVersionViewSet(ScopedReadOnlyViewSet):
    """Trained linkage models (the settings themselves are kept out of the listing)."""

    queryset = ModelVersion.objects.all()
    serializer_class = ModelVersionSerializer
    required_capability = Capability.VIEW_PII
    lookup_field = "version"


class RunViewSet(ScopedReadOnlyViewSet):
    queryset = LinkageRun.objects.select_related("model")
    serializer_class = RunSerializer
    required_capability = Capability.VIEW_PII


ROUTES = [
    ("linkage/pairs", PairViewSet, "candidate-pair"),
    ("linkage/models", ModelVersionViewSet, "linkage-model"),
    ("linkage/runs", RunViewSet, "linkage-run"),
]
