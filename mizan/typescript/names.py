"""Every name the generated TypeScript client exports, derived in one place.

The seed names them: ``@client(context="global") def current_user`` becomes
``useCurrentUser()``; context ``user`` becomes ``<UserProvider userId={5}>`` with
``useUserProfile()``; a mutation ``rename`` becomes ``useRename()``; form ``contact``
becomes ``useContactForm()``; channel ``ChatChannel`` becomes ``useChatChannel()``.
Two things that would get one name are an error naming both (:class:`Names`).
"""

from __future__ import annotations

from mizan import naming
from mizan.exceptions import RegistrationError

#: What the generated index module exports besides the derived names.
RESERVED = naming.RESERVED_EXPORTS

# Each name is mizan.naming's: the start-up clash check (naming.check_names) and the
# generator can never disagree on what a thing is called.
pascal = naming.pascal
camel = naming.camel
hook = naming.hook_name
form_hook = naming.form_hook_name
form_schema = naming.form_schema_name
provider = naming.provider_name


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
