"""Every name the generated TypeScript client exports, derived in one place.

The seed names them: ``@client(context="global") def current_user`` becomes
``useCurrentUser()``; context ``user`` becomes ``<UserProvider userId={5}>`` with
``useUserProfile()``; a mutation ``rename`` becomes ``useRename()``; form ``contact``
becomes ``useContactForm()``; channel ``ChatChannel`` becomes ``useChatChannel()``.
Two things that would get one name are an error naming both (:class:`Names`).
"""

from __future__ import annotations

import re

from mizan.exceptions import RegistrationError

#: What the generated index module exports besides the derived names.
RESERVED = {
    "MizanProvider": "the provider every generated client exports (mizan's own)",
    "useMizan": "mizan's own hook reading the provider",
    "MizanRequestError": "the error class mizan's runtime throws",
    "schema": "the generated client's schema description",
}


def pascal(name: str) -> str:
    """``contact.submit`` / ``user_profile`` / ``chatChannel`` → ``ContactSubmit`` /
    ``UserProfile`` / ``ChatChannel``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]+", name) if part)


def camel(name: str) -> str:
    """``user_id`` → ``userId``: a prop or variable name as GraphQL spells arguments."""
    word = pascal(name)
    return word[:1].lower() + word[1:]


def hook(name: str) -> str:
    """``current_user`` → ``useCurrentUser``: the hook of a function or channel."""
    return "use" + pascal(name)


def form_hook(form: str) -> str:
    """``contact`` → ``useContactForm``."""
    return "use" + pascal(form) + "Form"


def form_schema(form: str) -> str:
    """``contact`` → ``contactFormSchema``: the form's Zod schema."""
    return camel(form) + "FormSchema"


def provider(context: str) -> str:
    """``user`` → ``UserProvider``: the component that fetches a named context."""
    return pascal(context) + "Provider"


class Names:
    """The names one generated module exports, each with what it was derived from;
    :meth:`claim` refuses a second claimant of a name."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = dict(RESERVED)

    def claim(self, name: str, owner: str) -> str:
        other = self.owners.setdefault(name, owner)
        if other != owner:
            raise RegistrationError(
                f"The generated client would export {name!r} twice: for {other} and for "
                f"{owner}. Rename one of them (register(fn, 'name'), the form's "
                "mizanFormMeta(name=...), or the context's name)."
            )
        return name
