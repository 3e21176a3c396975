"""Web orders into eAccounting: pure planning of the customer and the sales document."""
