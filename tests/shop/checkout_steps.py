"""A guest's way through checkout, step by step, for the checkout tests."""

from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")

ADDRESS = {
    "first_name": "Mia",
    "last_name": "Nguyen",
    "line1": "12 Harbour Street",
    "line4": "Sydney",
    "state": "NSW",
    "postcode": "2000",
    "phone_number": "0412 345 678",
}


def add_to_basket(client, upc, quantity=1):
    product = Product.objects.get(upc=upc)
    if product.is_child:
        data = {"child_id": product.pk, "quantity": quantity}
        response = client.post(f"/basket/add/{product.parent_id}/", data)
    else:
        response = client.post(f"/basket/add/{product.pk}/", {"quantity": quantity})
    assert response.status_code == 302, response
    return product


def checkout_as_guest(client, *, email="mia@example.com.au", address=None, method="standard"):
    """Gateway, address, delivery and payment steps; returns the preview response."""
    assert client.post("/checkout/", {"username": email, "options": "anonymous"}).status_code == 302
    response = client.post("/checkout/shipping-address/", address or ADDRESS)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.post("/checkout/shipping-method/", {"method_code": method}).status_code == 302
    response = client.post("/checkout/payment-method/", {"method": "bank-transfer"})
    assert response.status_code == 302
    return client.get("/checkout/preview/")


def place_order(client):
    return client.post("/checkout/preview/", {"action": "place_order"})
