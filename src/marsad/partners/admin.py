"""Back-office maintenance of organisations, programmes, funding and focal points: scoped like
everywhere else, checked by the domain rules and saved through the partners services."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marsad.core.admin import ScopedAdmin
from marsad.partners import services
from marsad.partners.models import Contact, Funding, Organisation, Programme
from marsad.partners.rules import LEAD_UNIT_KINDS
from marsad.partners.selectors import usage_of


class RuleCheckedForm(forms.ModelForm):
    """Shows the services' domain rules on the admin form, next to the fields they name."""

    def domain_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, messages in self.domain_errors(cleaned).items():
            self.add_error(name if name in self.fields else None, messages)
        return cleaned


class OrganisationAdminForm(RuleCheckedForm):
    website = forms.URLField(
        label=_("website"), required=False, assume_scheme="https", max_length=200
    )

    def domain_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return services.organisation_errors(values, self.instance.pk)


class ProgrammeAdminForm(RuleCheckedForm):
    def domain_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return services.programme_errors(values)


class FundingAdminForm(RuleCheckedForm):
    def domain_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        if values.get("programme") is None:
            return {}
        return services.funding_errors(values, self.instance.pk)


class PartnersAdmin(ScopedAdmin):
    """Saves and deletes through the domain services named on the subclass."""

    create_service: Any = None
    update_service: Any = None
    delete_service: Any = None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        model = type(obj)
        editable = {f.name for f in model._meta.concrete_fields if f.editable} | {
            f.name for f in model._meta.many_to_many
        }
        data = {name: value for name, value in form.cleaned_data.items() if name in editable}
        if change:
            data = {name: value for name, value in data.items() if name in form.changed_data}
            saved = self.update_service(
                actor=request.user, instance=model.objects.get(pk=obj.pk), data=data
            )
        else:
            saved = self.create_service(actor=request.user, data=data)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_service(actor=request.user, instance=obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Also list many-to-many uses as protecting the record (the services refuse them)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not protected:
            for obj in objs:
                for usage in usage_of(obj):
                    protected.append(f"{obj}: {usage.count} {usage.label}")
        return deleted, counts, perms_needed, protected


@admin.register(Organisation)
class OrganisationAdmin(PartnersAdmin):
    form = OrganisationAdminForm
    list_display = [
        "code",
        "acronym",
        "name_en",
        "name_ar",
        "kind",
        "parent",
        "country",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "country"]
    search_fields = ["code", "acronym", "name_en", "name_ar", "name_ku"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
    readonly_fields = ["created_at", "updated_at"]
    create_service = staticmethod(services.organisation_create)
    update_service = staticmethod(services.organisation_update)
    delete_service = staticmethod(services.organisation_delete)


@admin.register(Programme)
class ProgrammeAdmin(PartnersAdmin):
    form = ProgrammeAdminForm
    list_display = ["code", "name_en", "name_ar", "lead_unit", "start_date", "end_date"]
    list_filter = ["lead_unit", "donors", "partner_ministries"]
    search_fields = ["code", "name_en", "name_ar", "name_ku", "description"]
    list_select_related = ["lead_unit"]
    filter_horizontal = ["partner_ministries", "donors"]
    ordering = ["code"]
    readonly_fields = ["created_at", "updated_at"]
    create_service = staticmethod(services.programme_create)
    update_service = staticmethod(services.programme_update)
    delete_service = staticmethod(services.programme_delete)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "lead_unit":
            kwargs["queryset"] = Organisation.objects.filter(
                kind__in=list(LEAD_UNIT_KINDS)
            ).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kinds = {"partner_ministries": "government_ministry", "donors": "donor"}
        if db_field.name in kinds:
            kwargs["queryset"] = Organisation.objects.filter(kind=kinds[db_field.name]).order_by(
                "code"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Funding)
class FundingAdmin(PartnersAdmin):
    form = FundingAdminForm
    list_display = [
        "programme",
        "kind",
        "donor",
        "amount",
        "currency",
        "period_start",
        "appeal_line",
    ]
    list_filter = ["kind", "currency", "programme", "donor"]
    search_fields = ["appeal_line", "source_note", "programme__code", "donor__code"]
    list_select_related = ["programme", "donor"]
    autocomplete_fields = ["donor"]
    readonly_fields = ["created_at", "updated_at"]
    create_service = staticmethod(services.funding_create)
    update_service = staticmethod(services.funding_update)
    delete_service = staticmethod(services.funding_delete)


@admin.register(Contact)
class ContactAdmin(PartnersAdmin):
    list_display = ["full_name", "organisation", "title", "programme", "area", "sensitivity"]
    list_filter = ["sensitivity", "organisation", "programme"]
    search_fields = ["full_name", "title", "email", "phone", "organisation__code"]
    list_select_related = ["organisation", "programme", "area"]
    autocomplete_fields = ["organisation", "area"]
    readonly_fields = ["created_at", "updated_at"]
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    delete_service = staticmethod(services.contact_delete)
