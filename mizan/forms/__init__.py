"""Django forms as server functions: one form, validated the same on both sides.

    from mizan.forms import MizanFormMixin, MizanFormMeta

    class ContactForm(MizanFormMixin, forms.Form):
        mizan = MizanFormMeta(name="contact", title="Contact Us")
        name = forms.CharField()
        email = forms.EmailField()

        def on_submit_success(self, request):
            return {"sent": True}

registers ``contact.schema`` (query), ``contact.validate`` (query, POST only)
and ``contact.submit`` (mutation): the root fields ``contactSchema``,
``contactValidate`` and ``contactSubmit``. ``mizanFormMixin`` and
``mizanFormMeta``, the seed's spellings, are the same classes.
"""

from mizan.forms.mixin import MizanFormMixin
from mizan.forms.spec import FormPart, FormSpec, MizanFormMeta

# The seed's spellings, kept working: the same classes under their first names.
mizanFormMixin = MizanFormMixin
mizanFormMeta = MizanFormMeta

__all__ = [
    "FormPart",
    "FormSpec",
    "MizanFormMeta",
    "MizanFormMixin",
    "mizanFormMeta",
    "mizanFormMixin",
]
