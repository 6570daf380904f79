"""The Australian Business Number's checksum (the ATO's published method): subtract 1 from
the first digit, weight the eleven digits 10, 1, 3, 5, ..., 19, and the sum divides by 89."""

WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)


def abn_digits(value: str) -> str:
    return "".join(ch for ch in value if not ch.isspace())


def abn_is_valid(value: str) -> bool:
    digits = abn_digits(value)
    if len(digits) != 11 or not digits.isdigit() or digits[0] == "0":
        return False
    numbers = [int(d) for d in digits]
    numbers[0] -= 1
    return sum(w * n for w, n in zip(WEIGHTS, numbers, strict=True)) % 89 == 0


def abn_display(value: str) -> str:
    """ "51824753556" -> "51 824 753 556", as the ATO writes it."""
    d = abn_digits(value)
    return f"{d[:2]} {d[2:5]} {d[5:8]} {d[8:]}"
