from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import formsets


class BasketLineFormSet(formsets.BasketLineFormSet):
    """Oscar's basket formset, refusing a post that does not describe this basket's lines.

    Oscar quietly treats a form whose line it cannot find (no id, another customer's line, a
    line already removed, forms beyond the lines) as a deletion and saves the rest, and its
    BasketView.remove_deleted_forms then reads every management field, so a post without the
    optional MIN/MAX_NUM_FORMS answered 500. Here either is an error of the whole formset,
    which the view answers with 400 before Oscar's code sees it.
    """

    def clean(self):
        super().clean()
        management = self.management_form
        incomplete = any(management.add_prefix(name) not in self.data for name in management.fields)
        if incomplete or any(not form.instance.id for form in self.forms):
            raise ValidationError(
                _("The form does not match the lines in this basket."), code="lines_mismatch"
            )
