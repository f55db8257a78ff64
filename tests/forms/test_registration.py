"""A form registers its three functions when its class is defined, or says clearly why not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User

from mizan.client import client
from mizan.definitions import Kind
from mizan.exceptions import RegistrationError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from mizan.setup.registry import Registry, use_registry
from tests.app.models import Member


def line_of(statement: str) -> int:
    """The line of this file where ``statement`` starts."""
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(statement))


def test_registers_schema_validate_and_submit(registry: Registry) -> None:
    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact", title="Contact Us")
        name = forms.CharField()

        def on_submit_success(self, request: Any) -> dict[str, bool]:
            return {"sent": True}

    by_name = {d.name: d for d in registry}
    assert sorted(by_name) == ["contact.schema", "contact.submit", "contact.validate"]
    schema, validate, submit = (by_name[f"contact.{r}"] for r in ("schema", "validate", "submit"))
    assert (schema.kind, validate.kind, submit.kind) == (Kind.QUERY, Kind.QUERY, Kind.MUTATION)
    assert (schema.field_name, validate.field_name, submit.field_name) == (
        "contactSchema",
        "contactValidate",
        "contactSubmit",
    )
    assert [p.name for p in validate.params] == ["data", "fields"]
    assert [p.name for p in submit.params] == ["data"]
    assert validate.post_only and not schema.post_only and not submit.post_only
    assert schema.public is True
    for definition in (schema, validate, submit):
        assert definition.form is not None
        assert definition.form.spec.form_class is ContactForm
        assert definition.form.spec.title == "Contact Us"
        assert definition.source.qualname.endswith("ContactForm")
    assert [d.form.role for d in (schema, validate, submit) if d.form] == [
        "schema",
        "validate",
        "submit",
    ]


def test_fields_are_read_after_the_form_metaclass_built_them(registry: Registry) -> None:
    class Base(mizanFormMixin, forms.Form):
        mizan = None  # a base class: registers nothing
        name = forms.CharField()

    class Child(Base):
        mizan = mizanFormMeta(name="child")
        email = forms.EmailField()

        def on_submit_success(self, request: Any) -> None:
            return None

    class MemberForm(mizanFormMixin, forms.ModelForm):  # fields made by ModelFormMetaclass
        mizan = mizanFormMeta(name="member")

        class Meta:
            model = Member
            fields = ["handle", "email"]

    names = {d.name: d for d in registry}
    assert sorted(names) == [
        f"{form}.{role}"
        for form in ("child", "member")
        for role in ("schema", "submit", "validate")
    ]
    child = names["child.submit"].form
    member = names["member.submit"].form
    assert child is not None and member is not None
    assert [f.name for f in child.spec.fields] == ["name", "email"]
    assert [f.name for f in member.spec.fields] == ["handle", "email"]


def test_missing_name_names_the_class_and_its_file_and_line() -> None:
    with pytest.raises(RegistrationError) as caught:

        class NamelessForm(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(title="No name")

            def on_submit_success(self, request: Any) -> None:
                return None

    message = str(caught.value)
    assert "NamelessForm" in message
    assert f"{__file__}:{line_of('class NamelessForm(')}" in message
    assert "MizanFormMeta(name='contact'" in message


def test_missing_meta_is_an_error_that_suggests_none_for_a_base() -> None:
    with pytest.raises(RegistrationError, match=r"declares no `mizan = MizanFormMeta") as caught:

        class Forgotten(mizanFormMixin, forms.Form):
            def on_submit_success(self, request: Any) -> None:
                return None

    assert "`mizan = None`" in str(caught.value)


def test_duplicate_name_names_both_classes() -> None:
    class First(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact")

        def on_submit_success(self, request: Any) -> None:
            return None

    with pytest.raises(RegistrationError) as caught:

        class Second(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="contact")

            def on_submit_success(self, request: Any) -> None:
                return None

    message = str(caught.value)
    assert "'contact' is taken" in message
    assert f"Second ({__file__}:{line_of('class Second(')})" in message
    assert f"First ({__file__}:{line_of('class First(')})" in message


def test_same_name_in_another_registry_is_not_a_duplicate() -> None:
    for _ in range(2):
        with use_registry() as fresh:

            class ContactForm(mizanFormMixin, forms.Form):
                mizan = mizanFormMeta(name="contact")

                def on_submit_success(self, request: Any) -> None:
                    return None

            assert len(list(fresh)) == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"mizan": {"name": "x"}},
            r"`mizan` must be MizanFormMeta\(name=\.\.\., title=\.\.\.\), not \{'name': 'x'\}",
        ),
        (
            {"mizan": mizanFormMeta(name="bad name")},
            r"'bad name' is not a valid mizan function name",
        ),
        ({"mizan": mizanFormMeta(name="x", auth="admin")}, r"auth='admin' is not understood"),
        ({"mizan": mizanFormMeta(name="x", update=True)}, r"update=True needs a ModelForm"),
    ],
)
def test_declaration_mistakes(body: dict[str, Any], message: str) -> None:
    def on_submit_success(self: Any, request: Any) -> None:
        return None

    with pytest.raises(RegistrationError, match=message):
        type(
            "BadForm",
            (mizanFormMixin, forms.Form),
            {**body, "on_submit_success": on_submit_success},
        )


def test_a_plain_form_needs_on_submit_success() -> None:
    with pytest.raises(RegistrationError, match=r"defines no on_submit_success\(self, request\)"):

        class Silent(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="silent")


def test_on_submit_success_must_be_sync() -> None:
    with pytest.raises(
        RegistrationError, match="must be a plain `def`: it runs inside a database transaction"
    ):

        class Eager(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="eager")

            async def on_submit_success(self, request: Any) -> None:
                return None


def test_the_mixin_needs_a_django_form() -> None:
    with pytest.raises(
        RegistrationError,
        match=r"goes on a Django form: class NotAForm\(MizanFormMixin, forms.Form\)",
    ):

        class NotAForm(mizanFormMixin):
            mizan = mizanFormMeta(name="nope")


def test_unsupported_field_is_reported_when_the_schema_is_built() -> None:
    class PhoneField(forms.Field):
        pass

    class CallMeForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="call_me")
        phone = PhoneField()

        def on_submit_success(self, request: Any) -> None:
            return None

    with pytest.raises(RegistrationError) as caught:
        get_schema()
    message = str(caught.value)
    assert "CallMeForm" in message
    assert "field 'phone' (PhoneField)" in message
    assert "does not know which GraphQL type it takes" in message
    # A failed build is not forgotten: the next attempt fails the same way.
    with pytest.raises(RegistrationError, match="PhoneField"):
        get_schema()


def test_a_widget_reading_several_inputs_is_refused() -> None:
    class When(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="when")
        at = forms.SplitDateTimeField()

        def on_submit_success(self, request: Any) -> None:
            return None

    with pytest.raises(RegistrationError, match=r"SplitDateTimeWidget reads several inputs"):
        get_schema()


def test_form_names_and_function_names_share_one_namespace() -> None:
    @client(read_only=True)
    def contact_schema(request: Any) -> bool:
        return True

    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact")

        def on_submit_success(self, request: Any) -> None:
            return None

    with pytest.raises(RegistrationError, match=r"both be the root field 'contactSchema'"):
        get_schema()


def test_a_form_defined_after_the_schema_was_built_is_refused() -> None:
    @client(read_only=True)
    def ping(request: Any) -> bool:
        return True

    get_schema()
    with pytest.raises(RegistrationError, match=r"registered after the mizan schema was built"):

        class Late(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="late")

            def on_submit_success(self, request: Any) -> None:
                return None


def test_auth_and_affects_are_recorded_on_the_definitions(registry: Registry) -> None:
    class ProfileForm(mizanFormMixin, forms.ModelForm):
        mizan = mizanFormMeta(name="profile", auth=True, affects=["user", "members"], update=True)

        class Meta:
            model = Member
            fields = ["handle"]

    by_role = {d.form.role: d for d in registry if d.form}
    assert {role: d.auth for role, d in by_role.items()} == {
        "schema": True,
        "validate": True,
        "submit": True,
    }
    assert by_role["submit"].affects == ("user", "members")
    assert by_role["validate"].affects == () and by_role["schema"].affects == ()
    # The edge cannot check auth, so a guarded form's schema is not public.
    assert by_role["schema"].public is False
    assert [p.name for p in by_role["validate"].params] == ["data", "fields", "id"]
    assert [p.name for p in by_role["submit"].params] == ["data", "id"]


def test_title_defaults_to_the_name_and_docstring_is_the_description(registry: Registry) -> None:
    class Feedback(mizanFormMixin, forms.Form):
        """Tell us what you think."""

        mizan = mizanFormMeta(name="feedback")
        text = forms.CharField()

        def on_submit_success(self, request: Any) -> None:
            return None

    spec = registry.get("feedback.schema").form
    assert spec is not None
    assert spec.spec.title == "feedback"
    assert spec.spec.description == "Tell us what you think."


def test_model_form_without_on_submit_success_is_fine(registry: Registry) -> None:
    class UserForm(mizanFormMixin, forms.ModelForm):
        mizan = mizanFormMeta(name="user")

        class Meta:
            model = User
            fields = ["username"]

    assert len(list(registry)) == 3


class Opaque:
    """Not a type a result can have."""


def test_a_result_annotation_with_no_graphql_form_is_reported() -> None:
    class Odd(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="odd")

        def on_submit_success(self, request: Any) -> Opaque:
            return Opaque()

    with pytest.raises(RegistrationError, match=r"Odd .*on_submit_success returns .*Opaque"):
        get_schema()
