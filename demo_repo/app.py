"""Daily order-feed report for a small online shop.

Every evening the warehouse exports the day's orders as a small CSV feed
(sku, quantity, unit price).  Items that have not been priced yet are
exported with a unit price of "N/A" or with the field left blank: those
lines cannot be billed, so the report holds them back and lists their SKUs
for someone to price by hand.
"""

from dataclasses import dataclass

# Values the warehouse export uses for "no price set yet" (compared
# case-insensitively, after surrounding whitespace and "$" are removed).
MISSING_PRICE_MARKERS = ("", "N/A", "NA", "-")

SAMPLE_FEED = """\
sku,quantity,unit_price
MUG-RED,2,12.50
TEE-BLK-M,1,$19.99
POSTER-A2,3,N/A
STICKER-PACK,10,2.25
TOTE-NAT,1,
"""


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: float

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


def parse_price(raw: str) -> float | None:
    """Parse a unit price such as "12.50" or "$19.99".

    Returns None when the price is missing (blank, or one of
    MISSING_PRICE_MARKERS); raises ValueError for any other text that is
    not a number, because that means the export itself is broken.
    """
    text = raw.strip().lstrip("$").strip()
    return round(float(text), 2)


def load_orders(feed: str) -> tuple[list[OrderLine], list[str]]:
    """Parse a feed into (billable order lines, SKUs held back for a missing price)."""
    orders: list[OrderLine] = []
    held_back: list[str] = []
    rows = [row for row in feed.splitlines() if row.strip()]
    for row in rows[1:]:  # the first row is the header
        sku, quantity, price = (field.strip() for field in row.split(","))
        unit_price = parse_price(price)
        if unit_price is None:
            held_back.append(sku)
            continue
        orders.append(OrderLine(sku, int(quantity), unit_price))
    return orders, held_back


def order_total(orders: list[OrderLine]) -> float:
    return round(sum(order.amount for order in orders), 2)


def build_report(feed: str) -> str:
    orders, held_back = load_orders(feed)
    lines = [
        f"{order.sku:<14}{order.quantity:>4} x {order.unit_price:>7.2f} = {order.amount:>8.2f}"
        for order in orders
    ]
    lines.append(f"TOTAL {order_total(orders):.2f} ({len(orders)} billable lines)")
    if held_back:
        lines.append("Held back (missing price): " + ", ".join(held_back))
    return "\n".join(lines)


def main() -> None:
    print(build_report(SAMPLE_FEED))


if __name__ == "__main__":
    main()
