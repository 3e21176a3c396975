"""`{{ row.source|row_source }}`: a planned row's source in the reader's language (integration/orders/row_sources.py)."""

from django import template

from integration.orders.row_sources import in_language

register = template.Library()


@register.filter
def row_source(value):
    return in_language(str(value or ""))
