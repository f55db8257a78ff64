"""Django forms as server functions: one form, validated the same on both sides.

    from mizan.forms import mizanFormMixin, mizanFormMeta

    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact", title="Contact Us")
        name = forms.CharField()
        email = forms.EmailField()

        def on_submit_success(self, request):
            return {"sent": True}

registers ``contact.schema`` (query), ``contact.validate`` (query, POST only)
and ``contact.submit`` (mutation): the root fields ``contactSchema``,
``contactValidate`` and ``contactSubmit``.
"""

from mizan.forms.mixin import mizanFormMixin
from mizan.forms.spec import FormPart, FormSpec, mizanFormMeta

__all__ = ["FormPart", "FormSpec", "mizanFormMeta", "mizanFormMixin"]
