import pytest

from app import OrderLine, build_report, load_orders, order_total, parse_price

VALID_FEED = """\
sku,quantity,unit_price
PEN-BLU,4,1.25
NOTEBOOK-A5,2,$6.40
"""

FEED_WITH_GAPS = """\
sku,quantity,unit_price
PEN-BLU,4,1.25
LAMP-DESK,1,N/A
NOTEBOOK-A5,2,$6.40
CABLE-USB,3,
"""


def test_parse_price_plain_and_currency_symbol():
    assert parse_price("19.99") == 19.99
    assert parse_price("$5.50") == 5.5
    assert parse_price(" 3 ") == 3.0


def test_parse_price_rejects_non_numeric_text():
    # A price that is present but garbled means the export is broken: fail loudly.
    with pytest.raises(ValueError):
        parse_price("twelve")
    with pytest.raises(ValueError):
        parse_price("1O.00")


def test_load_orders_valid_feed():
    assert load_orders(VALID_FEED) == (
        [OrderLine("PEN-BLU", 4, 1.25), OrderLine("NOTEBOOK-A5", 2, 6.40)],
        [],
    )


def test_order_total():
    orders = [OrderLine("PEN-BLU", 4, 1.25), OrderLine("NOTEBOOK-A5", 2, 6.40)]
    assert order_total(orders) == 17.80
    assert order_total([]) == 0


def test_build_report_valid_feed():
    assert build_report(VALID_FEED) == (
        "PEN-BLU          4 x    1.25 =     5.00\n"
        "NOTEBOOK-A5      2 x    6.40 =    12.80\n"
        "TOTAL 17.80 (2 billable lines)"
    )


def test_load_orders_holds_back_lines_without_price():
    assert load_orders(FEED_WITH_GAPS) == (
        [OrderLine("PEN-BLU", 4, 1.25), OrderLine("NOTEBOOK-A5", 2, 6.40)],
        ["LAMP-DESK", "CABLE-USB"],
    )


def test_build_report_lists_held_back_skus():
    assert build_report(FEED_WITH_GAPS) == (
        "PEN-BLU          4 x    1.25 =     5.00\n"
        "NOTEBOOK-A5      2 x    6.40 =    12.80\n"
        "TOTAL 17.80 (2 billable lines)\n"
        "Held back (missing price): LAMP-DESK, CABLE-USB"
    )
