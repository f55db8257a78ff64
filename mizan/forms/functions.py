"""A form's three server functions: ``<name>.schema``, ``<name>.validate``, ``<name>.submit``.

They are ordinary :class:`~mizan.definitions.FunctionDef` s whose parameters
and results are pydantic models built from the form's fields, so the schema
compiler, resolvers, auth and errors treat them like any other function.
"""

from __future__ import annotations

import json
import typing
import warnings
from typing import Any

import pydantic
import strawberry
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.http import Http404, HttpRequest

from mizan.definitions import FunctionDef, Kind, Param
from mizan.exceptions import BadInput, RegistrationError
from mizan.forms.describe import describe
from mizan.forms.fields import FieldSpec, ValueKind
from mizan.forms.json_schema import json_schema
from mizan.forms.payloads import FormFieldError, schema_model, submit_model, validation_model
from mizan.forms.spec import FormPart, FormRole, FormSpec
from mizan.naming import form_context_name, form_function_name


def input_model(
    prefix: str, title: str, module: str, fields: list[FieldSpec]
) -> type[pydantic.BaseModel]:
    """``<Form>Input``: every field nullable, so the form reports a missing value itself."""
    with warnings.catch_warnings():
        # A form field called "json" or "copy" shadows a BaseModel method; this model is
        # data only, and its values are read as attributes, which the field wins.
        warnings.filterwarnings("ignore", "Field name .* shadows an attribute", UserWarning)
        return pydantic.create_model(  # type: ignore[call-overload,no-any-return]
            f"{prefix}Input",
            __doc__=f"The data of the {title} form.",
            __module__=module,
            __config__=pydantic.ConfigDict(arbitrary_types_allowed=True, protected_namespaces=()),
            **{
                spec.name: (
                    spec.annotation | None,
                    pydantic.Field(default=None, description=spec.description),
                )
                for spec in fields
            },
        )


def _submitted(kwargs: dict[str, Any], result: Any) -> dict[str, Any] | None:
    """What scopes a submit's ``affects=``: the form's fields are its params; a submission
    refused as invalid changed nothing."""
    if getattr(result, "ok", True) is False:
        return None
    return {**kwargs, **dict(kwargs["data"])}


class FormFunctions:
    """The code behind a form's three functions, one instance per registered form."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        module = spec.source.module
        self.result_adapter: pydantic.TypeAdapter[Any] | None = None
        if not _is_json(spec.result):
            try:
                self.result_adapter = pydantic.TypeAdapter(spec.result)
            except pydantic.PydanticUserError as exc:
                raise RegistrationError(
                    f"{spec.source}: on_submit_success returns {spec.result!r}, which cannot be "
                    f"a result: {exc}"
                ) from exc
        self.schema_model = schema_model(spec.type_prefix, spec.title, module)
        self.validation_model = validation_model(spec.type_prefix, spec.title, module)
        self.submit_model = submit_model(spec.type_prefix, spec.title, module, spec.result)
        self.graphql_names = [f.graphql_name for f in spec.fields]

    def definitions(self) -> list[FunctionDef]:
        spec = self.spec
        data = Param("data", spec.input_model)
        ids = (Param("id", strawberry.ID | None, None),) if spec.update else ()
        common: dict[str, Any] = {"source": spec.source, "is_async": False, "auth": spec.auth}
        return [
            FunctionDef(
                fn=self.schema,
                name=form_function_name(spec.name, "schema"),
                params=(),
                returns=self.schema_model,
                kind=Kind.QUERY,
                description=f"The {spec.title} form: its fields, their rules and a "
                "JSON Schema of its input.",
                # It describes the form, the same for everyone unless auth= hides it: a
                # context of its own, so invalidate("contact_form") refreshes changed choices.
                context=form_context_name(spec.name),
                public=spec.auth is None,
                form=FormPart(spec, "schema"),
                **common,
            ),
            FunctionDef(
                fn=self.validate,
                name=form_function_name(spec.name, "validate"),
                params=(data, Param("fields", list[str] | None, None), *ids),
                returns=self.validation_model,
                kind=Kind.QUERY,
                description=f"Check {spec.title} data with the form's own rules, without "
                "submitting it. With `fields`, only those fields' errors are reported.",
                post_only=True,
                form=FormPart(spec, "validate"),
                **common,
            ),
            FunctionDef(
                fn=self.submit,
                name=form_function_name(spec.name, "submit"),
                params=(data, *ids),
                returns=self.submit_model,
                kind=Kind.MUTATION,
                description=f"Submit the {spec.title} form: validate, then act on it. "
                "Nothing is done with invalid data.",
                affects=spec.affects,
                affected_params=_submitted,
                form=FormPart(spec, "submit"),
                rate=spec.rate,
                rate_key=spec.rate_key,
                **common,
            ),
        ]

    # --- the three functions -------------------------------------------------------

    def schema(self, request: HttpRequest) -> pydantic.BaseModel:
        form = self.form(request, role="schema")
        spec = self.spec
        return self.schema_model(
            name=spec.name,
            title=spec.title,
            description=spec.description,
            fields=[describe(form, field) for field in spec.fields],
            json_schema=json_schema(form, list(spec.fields), spec.title, spec.description),
        )

    def validate(
        self,
        request: HttpRequest,
        data: pydantic.BaseModel,
        fields: list[str] | None = None,
        id: str | None = None,
    ) -> pydantic.BaseModel:
        only = None
        if fields is not None:
            unknown = [name for name in fields if name not in self.graphql_names]
            if unknown:
                raise BadInput(
                    f"Unknown field(s) {', '.join(unknown)} in 'fields'; the {self.spec.title} "
                    f"form has {', '.join(self.graphql_names)}.",
                    extensions={"argument": "fields"},
                )
            only = set(fields)
        form = self.form(request, data, id, role="validate")
        form.is_valid()
        return self.validation_model(**self.outcome(form, only))

    def submit(
        self, request: HttpRequest, data: pydantic.BaseModel, id: str | None = None
    ) -> pydantic.BaseModel:
        form = self.form(request, data, id, role="submit")
        try:
            with transaction.atomic(using=self.database()):
                if not form.is_valid():
                    return self.submit_model(**self.outcome(form))
                # Converted inside the transaction: a result that cannot be sent rolls back.
                result = self.result(form.on_submit_success(request))  # type: ignore[attr-defined]
        except ValidationError as exc:
            # Raised by on_submit_success: data after all, like the form's own errors.
            form.add_error(None, exc)
            return self.submit_model(**self.outcome(form))
        return self.submit_model(ok=True, errors=[], non_field_errors=[], result=result)

    # --- helpers -------------------------------------------------------------------

    def form(
        self,
        request: HttpRequest,
        data: pydantic.BaseModel | None = None,
        id: str | None = None,
        *,
        role: FormRole,
    ) -> forms.BaseForm:
        kwargs: dict[str, Any] = dict(self.spec.form_class.get_form_kwargs(request))  # type: ignore[attr-defined]
        if id is not None:
            kwargs["instance"] = self.instance(request, id)
        if data is not None:
            kwargs["data"], kwargs["files"] = self.form_data(data)
        form = self.spec.form_class(**kwargs)
        form.request = request  # type: ignore[attr-defined]
        form.mizan_role = role  # type: ignore[attr-defined]
        return form

    def form_data(self, data: pydantic.BaseModel) -> tuple[dict[str, Any], dict[str, Any]]:
        """GraphQL input → ``(data, files)`` as the form's widgets read them."""
        prefix = self.spec.form_class.prefix
        values: dict[str, Any] = {}
        files: dict[str, Any] = {}
        for field in self.spec.fields:
            value = getattr(data, field.name)
            if value is None:  # absent: the form decides whether that is allowed
                continue
            key = f"{prefix}-{field.name}" if prefix else field.name
            if field.kind is ValueKind.FILE:
                files[key] = value
            else:
                values[key] = field.form_value(value)
        return values, files

    def instance(self, request: HttpRequest, id: str) -> Any:
        queryset = self.spec.form_class.get_queryset(request)  # type: ignore[attr-defined]
        try:
            return queryset.get(pk=id)
        except (ObjectDoesNotExist, ValueError, ValidationError):
            # The same answer whether the row is missing or not the caller's to change.
            raise Http404(
                f"No {queryset.model._meta.verbose_name} with id {id!r} that you may change."
            ) from None

    def database(self) -> str:
        if self.spec.is_model_form:
            model = self.spec.form_class._meta.model  # type: ignore[attr-defined]
            return router.db_for_write(model)
        return DEFAULT_DB_ALIAS

    def result(self, value: Any) -> Any:
        if self.result_adapter is not None:
            return self.result_adapter.validate_python(value)
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))

    def outcome(self, form: forms.BaseForm, only: set[str] | None = None) -> dict[str, Any]:
        """Errors keyed by GraphQL field name, in form order; only the listed ones if given."""
        found = form.errors.get_json_data()
        names = {f.name: f.graphql_name for f in self.spec.fields}
        order = {f.name: i for i, f in enumerate(self.spec.fields)}
        errors = []
        for name in sorted(found, key=lambda n: order.get(n, len(order))):
            graphql_name = names.get(name, name)
            if name == NON_FIELD_ERRORS or (only is not None and graphql_name not in only):
                continue
            errors.append(
                FormFieldError(
                    field=graphql_name,
                    messages=[e["message"] for e in found[name]],
                    codes=[e["code"] for e in found[name]],
                )
            )
        non_field = (
            [] if only is not None else [e["message"] for e in found.get(NON_FIELD_ERRORS, [])]
        )
        return {"ok": not errors and not non_field, "errors": errors, "non_field_errors": non_field}


def _is_json(annotation: Any) -> bool:
    return annotation is Any or annotation is dict or typing.get_origin(annotation) is dict
