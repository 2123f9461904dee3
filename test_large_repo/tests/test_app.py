from datetime import date

import pytest

import app
from app import (
    BillingPeriod,
    Customer,
    DiscountBook,
    Invoice,
    LineItem,
    Plan,
    PlanCatalog,
    PlanSummary,
    UnknownDiscountError,
    UnknownPlanError,
    UsageLedger,
    UsageRecord,
)

MARCH = BillingPeriod.for_month(2024, 3)
STARTER = Plan("starter", "Starter", 1_900, 1_000, 5)
PRO = Plan("pro", "Pro", 7_900, 10_000, 2)
ENTERPRISE = Plan("enterprise", "Enterprise", 49_900, 100_000, 1)


def make_builder(records=()):
    return app.InvoiceBuilder(
        PlanCatalog([STARTER, PRO, ENTERPRISE]),
        UsageLedger(records),
        DiscountBook(app.DISCOUNT_CODES),
    )


def test_format_cents():
    assert app.format_cents(0) == "$0.00"
    assert app.format_cents(5) == "$0.05"
    assert app.format_cents(123_456_78) == "$123,456.78"
    assert app.format_cents(-310) == "-$3.10"


def test_parse_month_and_period_bounds():
    assert app.parse_month("2024-02") == (2024, 2)
    with pytest.raises(ValueError):
        app.parse_month("2024-13")
    feb = BillingPeriod.for_month(2024, 2)
    assert (feb.start, feb.end, feb.days, feb.label) == (date(2024, 2, 1), date(2024, 2, 29), 29, "2024-02")
    assert MARCH.contains(date(2024, 3, 31))
    assert not MARCH.contains(date(2024, 4, 1))


def test_overlap_days():
    assert MARCH.overlap_days(date(2023, 1, 1), None) == 31
    assert MARCH.overlap_days(date(2024, 3, 11), None) == 21
    assert MARCH.overlap_days(date(2022, 9, 9), date(2024, 3, 15)) == 15
    assert MARCH.overlap_days(date(2023, 6, 1), date(2024, 2, 20)) == 0
    assert MARCH.overlap_days(date(2024, 4, 2), None) == 0


def test_plan_catalog_lookup_and_duplicates():
    catalog = PlanCatalog([STARTER, PRO])
    assert catalog.get("pro") is PRO
    assert [plan.code for plan in catalog.all()] == ["starter", "pro"]
    with pytest.raises(UnknownPlanError):
        catalog.get("platinum")
    with pytest.raises(app.BillingError):
        catalog.add(Plan("pro", "Pro again", 1, 1, 1))


def test_discount_book():
    book = DiscountBook(app.DISCOUNT_CODES)
    assert book.percent_for(None) == 0
    assert book.percent_for("spring10") == 10
    assert book.discount_cents("LOYAL20", 15_044) == 3_009
    with pytest.raises(UnknownDiscountError):
        book.percent_for("FREEBIE")


def test_usage_ledger_filters_by_customer_and_period():
    ledger = UsageLedger(
        [
            UsageRecord("C1", date(2024, 2, 29), 100),
            UsageRecord("C1", date(2024, 3, 1), 40),
            UsageRecord("C1", date(2024, 3, 31), 2),
            UsageRecord("C2", date(2024, 3, 5), 7),
        ]
    )
    assert ledger.units_for("C1", MARCH) == 42
    assert ledger.units_for("nobody", MARCH) == 0
    assert ledger.daily_totals(MARCH) == {date(2024, 3, 1): 40, date(2024, 3, 5): 7, date(2024, 3, 31): 2}
    with pytest.raises(app.BillingError):
        ledger.add(UsageRecord("C1", date(2024, 3, 2), -1))


def test_prorate_and_overage():
    assert app.prorate_fee(7_900, MARCH, 31) == 7_900
    assert app.prorate_fee(7_900, MARCH, 21) == 5_352
    assert app.prorate_fee(1_900, MARCH, 15) == 919
    assert app.compute_overage(999, STARTER) == (0, 0)
    assert app.compute_overage(1_488, STARTER) == (488, 2_440)


def test_parse_customer_optional_fields():
    minimal = app.parse_customer({"id": "C9", "name": "Nine", "plan": "pro", "signup": "2024-01-02"})
    assert minimal == Customer("C9", "Nine", "pro", date(2024, 1, 2), "US-OR", None, None)
    full = app.parse_customer(
        {"id": "C8", "name": "Eight", "plan": "starter", "signup": "2023-05-06",
         "region": "EU-DE", "cancelled": "2024-03-15", "discount": "SPRING10"}
    )
    assert (full.tax_region, full.cancelled_on, full.discount_code) == ("EU-DE", date(2024, 3, 15), "SPRING10")


def test_invoice_with_overage_discount_and_tax():
    customer = Customer("C6", "Fjord", "pro", date(2023, 12, 1), "EU-FR", discount_code="LOYAL20")
    invoice = make_builder([UsageRecord("C6", date(2024, 3, 3), 13_572)]).build(customer, MARCH)
    assert invoice.lines == [
        LineItem("Pro plan (31/31 days)", 7_900),
        LineItem("Overage: 3,572 units @ $0.02", 7_144),
        LineItem("Discount LOYAL20 (20%)", -3_009),
    ]
    assert (invoice.units, invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (
        13_572, 12_035, 2_407, 14_442,
    )


def test_invoice_prorated_and_inactive_customers():
    builder = make_builder()
    joined = Customer("C3", "Cobalt", "pro", date(2024, 3, 11), "EU-DE")
    invoice = builder.build(joined, MARCH)
    assert invoice.lines == [LineItem("Pro plan (21/31 days)", 5_352)]
    assert invoice.tax_cents == 1_017
    gone = Customer("C4", "Dunmore", "enterprise", date(2023, 6, 1), "US-CA", cancelled_on=date(2024, 2, 20))
    assert builder.build(gone, MARCH) is None


def test_top_customers_orders_by_total_then_id():
    period = MARCH
    invoices = [
        Invoice("B", "pro", period, 0, [LineItem("fee", 500)]),
        Invoice("A", "pro", period, 0, [LineItem("fee", 500)]),
        Invoice("C", "pro", period, 0, [LineItem("fee", 900)]),
    ]
    assert app.top_customers(invoices, 2) == [("C", 900), ("A", 500)]


def test_summarize_plans_when_every_plan_has_customers():
    invoices = [
        Invoice("C1", "starter", MARCH, 10, [LineItem("fee", 1_900)]),
        Invoice("C2", "starter", MARCH, 20, [LineItem("fee", 2_001)]),
        Invoice("C3", "pro", MARCH, 300, [LineItem("fee", 7_900)], tax_cents=316),
    ]
    summaries = app.summarize_plans(invoices, PlanCatalog([STARTER, PRO]))
    assert summaries == [
        PlanSummary("starter", "Starter", 2, 30, 3_901, 1_950),
        PlanSummary("pro", "Pro", 1, 300, 8_216, 8_216),
    ]


def test_run_billing_january():
    run = app.run_billing("2024-01")
    assert [invoice.customer_id for invoice in run.invoices] == ["C001", "C002", "C004", "C005", "C006"]
    assert run.not_billed == ["C003"]
    assert [(s.plan_code, s.customers, s.revenue_cents) for s in run.summaries] == [
        ("starter", 2, 6_555),
        ("pro", 2, 18_497),
        ("enterprise", 1, 61_658),
    ]


def test_summarize_plans_keeps_plans_without_customers():
    invoices = [Invoice("C1", "starter", MARCH, 10, [LineItem("fee", 1_900)])]
    summaries = app.summarize_plans(invoices, PlanCatalog([STARTER, ENTERPRISE]))
    assert summaries == [
        PlanSummary("starter", "Starter", 1, 10, 1_900, 1_900),
        PlanSummary("enterprise", "Enterprise", 0, 0, 0, 0),
    ]


def test_run_billing_march_after_enterprise_churn():
    run = app.run_billing("2024-03")
    assert run.not_billed == ["C004"]
    assert [(s.plan_code, s.customers, s.revenue_cents, s.average_cents) for s in run.summaries] == [
        ("starter", 2, 5_574, 2_787),
        ("pro", 3, 38_468, 12_823),
        ("enterprise", 0, 0, 0),
    ]


def test_main_prints_march_summary(capsys):
    app.main(["--quiet"])
    out = capsys.readouterr().out
    assert "Plan summary for 2024-03" in out
    assert "  enterprise           0         0         $0.00       $0.00" in out
    assert "  all plans                              $440.42" in out
    assert "  1. C006 Fjord Analytics          $144.42" in out
