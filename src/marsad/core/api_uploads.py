"""What the API's upload endpoints share: the file checked by the rule the upload pages use
(kind and size, in the same words), the import queued in the background exactly as a page
queues it, and ``202 Accepted`` with the task run, whose address (``Location``, and ``url`` in
the body) a script polls until ``status`` is ``succeeded`` or ``failed``; the run's ``result``
holds the import's report, its row errors included."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from marsad.core.api_views import TaskRunSerializer
from marsad.core.forms import TABLE_SUFFIXES, check_upload
from marsad.core.models import TaskRun


class UploadField(serializers.FileField):
    """An uploaded file of one of ``suffixes`` and at most the upload limit; ``too_large``
    words the second refusal with the way to split that kind of list (see
    ``core.forms.check_upload``)."""

    def __init__(
        self, *, suffixes: tuple[str, ...] = TABLE_SUFFIXES, too_large: Any = None, **kwargs: Any
    ) -> None:
        self.suffixes = suffixes
        self.too_large = too_large
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        upload = super().to_internal_value(data)
        try:
            check_upload(upload, self.suffixes, too_large=self.too_large)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return upload


class StartedImportSerializer(TaskRunSerializer):
    url = serializers.SerializerMethodField(help_text="Where to follow the run: GET it.")

    class Meta(TaskRunSerializer.Meta):
        fields = [*TaskRunSerializer.Meta.fields, "url"]
        read_only_fields = fields

    def get_url(self, run: TaskRun) -> str:
        return reverse("task-detail", args=[run.pk], request=self.context.get("request"))


#: The responses of an upload endpoint, for ``extend_schema``.
IMPORT_RESPONSES = {
    202: OpenApiResponse(
        StartedImportSerializer,
        description="The file was accepted and its import queued: follow the task run.",
    ),
    400: OpenApiResponse(
        description="The request names no file, a file of the wrong kind or "
        "size, or an organisation or programme you may not import for."
    ),
    403: OpenApiResponse(description="Your role does not let you import this kind of list."),
}


def upload_action(
    url_path: str,
    body: type[serializers.Serializer],
    *,
    detail: bool = True,
    responses: dict[int, Any] | None = None,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A viewset action taking a multipart upload at ``url_path`` (also its URL name), with
    ``body`` as its documented request and ``IMPORT_RESPONSES`` unless told otherwise."""

    def decorate(method: Callable[..., Response]) -> Callable[..., Response]:
        method = action(
            detail=detail,
            methods=["post"],
            url_path=url_path,
            url_name=url_path,
            parser_classes=[MultiPartParser, FormParser],
        )(method)
        return extend_schema(
            request={"multipart/form-data": body}, responses=responses or IMPORT_RESPONSES
        )(method)

    return decorate


def accepted(request: Request, run: TaskRun) -> Response:
    """``202 Accepted`` with ``run`` and where to follow it."""
    data = StartedImportSerializer(run, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
