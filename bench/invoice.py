"""How long making one tax invoice's PDF takes, and how much memory it needs (issue 18: under
150 ms of worker time, under 30 MB more memory). A benchmark, not a test: it prints a table.

    .venv/bin/python bench/invoice.py

It times receipts.layout.invoice_pdf on a typical invoice's data (three lines, a discount,
delivery, the health-fund part), the part of making an invoice that is not a handful of
queries: the first one (fonts loaded and subset) and the median of the next 20, with the
peak of memory allocated by Python while making one (tracemalloc) and the process's resident
size before and after.
"""

import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from receipts.layout import invoice_pdf  # noqa: E402


def _line(description, sku, unit_price, total, discount="0"):
    return {
        "description": description, "sku": sku, "quantity": 1,
        "unit_price": D(unit_price), "total": D(total), "discount": D(discount),
    }  # fmt: skip


CONTEXT = {
    "business": {
        "name": "Bauerfeind Australia Pty Ltd", "abn": "51 824 753 556",
        "address": "Level 2, 1 Example Street, Sydney NSW 2000", "phone": "1300 668 466",
    },
    "title": "Tax invoice", "number_label": "Invoice number", "total_label": "Total paid",
    "number": "INV-000001", "replaces": "", "issued": "7 Dec 2026",
    "issued_at": datetime(2026, 12, 7, tzinfo=UTC), "paid": "7 Dec 2026",
    "order_number": "100001",
    "lines": [
        _line("LumboTrain Back Support, size 3, titanium", "LT-3-TIT", "229.95", "229.95"),
        _line("LumboTrain Back Support, size 2, black", "LT-2-BLK", "229.95", "206.96", "22.99"),
        _line("ViscoSpot heel cushion", "VISCOSPOT", "59.95", "59.95"),
    ],
    "delivery": {"method": "Express delivery", "price": D("19.95")},
    "discounts": [{"name": "10% off a second support", "amount": D("22.99")}],
    "total": D("516.81"), "gst": D("46.98"), "payment": "Bank transfer", "buyer": None,
    "health_fund": {
        "wearer": "Mia Nguyen", "category": "Orthopaedic support / aids and appliances",
        "expert": "Anna Richter", "provider_number": "AB12345", "enquiry": "PHI-7K2Q9M",
    },
    "currency": "AUD",
}  # fmt: skip


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    before = rss_mb()
    start = time.perf_counter()
    pdf = invoice_pdf(CONTEXT)
    first = time.perf_counter() - start
    times = []
    for _ in range(20):
        start = time.perf_counter()
        invoice_pdf(CONTEXT)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    invoice_pdf(CONTEXT)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"load average {os.getloadavg()[0]:.2f}; one PDF is {len(pdf) / 1024:.0f} KB")
    print("| what | figure | target |")
    print("| --- | --- | --- |")
    print(f"| first invoice in a process | {first * 1000:.0f} ms | |")
    print(f"| one invoice (median of 20) | {statistics.median(times) * 1000:.0f} ms | < 150 ms |")
    print(f"| memory allocated making one (peak) | {peak / 2**20:.1f} MB | < 30 MB |")
    print(f"| process peak RSS, before / after | {before:.0f} / {rss_mb():.0f} MB | |")


if __name__ == "__main__":
    main()
