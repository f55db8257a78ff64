"""mizan.naming: every derived name from one function, and every clash refused at start-up
with a message naming both sides."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from pydantic import BaseModel

from mizan import naming
from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from mizan.setup.registry import register


class Outer:
    class Inner(BaseModel):
        x: int


@pytest.mark.parametrize(
    ("derive", "given", "expected"),
    [
        (naming.field_name, "contact.submit", "contactSubmit"),
        (naming.field_name, "user_profile", "userProfile"),
        (naming.field_name, "shop.contact_us.send", "shopContactUsSend"),
        (naming.field_name, "getHTTPStatus", "getHTTPStatus"),
        (naming.operation_name, "contact.submit", "ContactSubmit"),
        (naming.operation_name, "user_profile", "UserProfile"),
        (naming.argument_name, "user_id", "userId"),
        (naming.argument_name, "limit", "limit"),
        (naming.context_operation_name, "user", "UserContext"),
        (naming.context_operation_name, "user_profile", "UserProfileContext"),
        (naming.context_subscription_name, "user_profile", "userProfileContext"),
        (naming.context_bundle_type_name, "user", "UserContextBundle"),
        (naming.local_context_name, "Shop.greet", "shop_greet"),
        (naming.arguments_model_name, "contact.submit", "ContactSubmitArguments"),
        (naming.input_type_name, "Note", "NoteInput"),
        (naming.input_type_name, "NoteInput", "NoteInput"),
        (naming.form_function_name, "contact", "contact.schema"),
        (naming.form_type_prefix, "shop.contact_us", "ShopContactUs"),
        (naming.form_context_name, "shop.contact", "shop_contact_form"),
        (naming.channel_send_name, "chatChannel", "chatChannel.send"),
        (naming.hook_name, "current_user", "useCurrentUser"),
        (naming.hook_name, "rename", "useRename"),
        (naming.provider_name, "user", "UserProvider"),
        (naming.provider_name, "user_settings", "UserSettingsProvider"),
        (naming.prop_name, "user_id", "userId"),
        (naming.form_hook_name, "contact", "useContactForm"),
        (naming.channel_hook_name, "chatChannel", "useChatChannel"),
    ],
)
def test_each_name_has_one_derivation(derive: Any, given: str, expected: str) -> None:
    if derive is naming.form_function_name:
        assert derive(given, "schema") == expected
    else:
        assert derive(given) == expected


def test_type_names() -> None:
    class ChatChannel:
        class DjangoMessage(BaseModel):
            text: str

    assert naming.type_name(Outer.Inner) == "OuterInner"
    assert naming.message_type_name(ChatChannel.DjangoMessage) == "ChatChannelMessage"
    assert naming.message_type_name(Outer.Inner) is None
    assert naming.choice_type_name("Contact", "topic_area") == "ContactTopicAreaChoice"

    class ChatRoom:
        pass

    assert naming.channel_name(ChatRoom) == "chatRoom"


def test_a_clash_names_both_sides() -> None:
    names = naming.Names()
    names.claim("operation", "UserContext", "the context 'user''s bundle")
    names.claim("operation", "UserContext", "the context 'user''s bundle")  # the same owner
    with pytest.raises(RegistrationError) as caught:
        names.claim("operation", "UserContext", "f (x.py:3) registered as 'user_context'")
    message = str(caught.value)
    assert "the operation 'UserContext'" in message
    assert "the context 'user''s bundle" in message and "user_context" in message


def test_a_function_operation_and_a_context_bundle_clash() -> None:
    @client(context="user")
    def user_profile(request, user_id: int) -> str:
        return ""

    @client(read_only=True)
    def user_context(request) -> str:
        return ""

    with pytest.raises(RegistrationError, match="operation 'UserContext'") as caught:
        get_schema()
    assert "the context 'user'" in str(caught.value) and "'user_context'" in str(caught.value)


def test_two_parameters_that_are_one_argument_clash() -> None:
    @client
    def echo(request, user_id: int, userId: int) -> bool:
        return True

    with pytest.raises(RegistrationError, match="argument of echo 'userId'") as caught:
        get_schema()
    assert "parameter 'user_id'" in str(caught.value)
    assert "parameter 'userId'" in str(caught.value)


def test_a_function_hook_and_a_form_hook_clash() -> None:
    @client
    def contact_form(request) -> bool:
        return True

    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact")
        name = forms.CharField()

        def on_submit_success(self, request: Any) -> None:
            return None

    with pytest.raises(RegistrationError, match="export 'useContactForm'") as caught:
        get_schema()
    assert "the form 'contact'" in str(caught.value) and "'contact_form'" in str(caught.value)


def test_a_context_named_mizan_clashes_with_the_root_provider() -> None:
    @client(context="mizan")
    def settings(request) -> str:
        return ""

    with pytest.raises(RegistrationError, match="export 'MizanProvider'") as caught:
        get_schema()
    assert "the context 'mizan'" in str(caught.value)


def test_renamed_functions_are_judged_by_their_final_names() -> None:
    @client
    def contact_submit(request) -> bool:
        return True

    @client
    def other(request) -> bool:
        return True

    register(contact_submit, "send")
    register(other, "contact.submit")  # contactSubmit is free once the first is renamed
    assert {"send", "contactSubmit"} <= set(get_schema().functions)
