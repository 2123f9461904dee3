"""Monthly subscription billing for a small SaaS business.

The module loads the plan catalogue, the customer list and the metered usage
ledger, builds one invoice per billable customer for a calendar month
(prorating the plan fee for customers who joined or cancelled during the
month, charging overage above the plan's included units, applying discount
codes and regional sales tax), and prints the invoices followed by a
per-plan revenue summary and the top customers by amount billed.

All money is kept as integer cents; rounding is half-up to the cent.

Usage:  python3 app.py [--month YYYY-MM] [--top N] [--quiet]
"""

from __future__ import annotations

import argparse
import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Optional

CURRENCY_SYMBOL = "$"
DEFAULT_MONTH = "2024-03"
DEFAULT_TAX_REGION = "US-OR"

# Sales tax in basis points (1/100 of a percent) per tax region.
TAX_RATES_BP = {
    "US-CA": 725,
    "US-NY": 400,
    "US-OR": 0,
    "EU-DE": 1900,
    "EU-FR": 2000,
}

# Discount codes: percent off the invoice subtotal (fee + overage).
DISCOUNT_CODES = {
    "SPRING10": 10,
    "LOYAL20": 20,
    "NONPROFIT50": 50,
}


class BillingError(Exception):
    """Base class for billing problems that an operator has to look at."""


class UnknownPlanError(BillingError):
    pass


class UnknownDiscountError(BillingError):
    pass


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def divide_round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up, for non-negative numerators."""
    return (2 * numerator + denominator) // (2 * denominator)


def format_cents(cents: int) -> str:
    """Format an amount of cents as e.g. "$1,234.56" or "-$3.10"."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{CURRENCY_SYMBOL}{whole:,}.{frac:02d}"


def parse_date(text: str) -> date:
    """Parse an ISO date ("2024-03-01")."""
    return date.fromisoformat(text.strip())


def parse_month(text: str) -> tuple[int, int]:
    """Parse "YYYY-MM" into (year, month)."""
    year_text, _, month_text = text.strip().partition("-")
    year, month = int(year_text), int(month_text)
    if not 1 <= month <= 12:
        raise ValueError(f"invalid month: {text!r}")
    return year, month


# --------------------------------------------------------------------------
# Domain model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingPeriod:
    start: date
    end: date  # inclusive

    @classmethod
    def for_month(cls, year: int, month: int) -> "BillingPeriod":
        last_day = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last_day))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlap_days(self, active_from: date, active_to: Optional[date]) -> int:
        """Days of this period during which a subscription was active."""
        first = max(self.start, active_from)
        last = self.end if active_to is None else min(self.end, active_to)
        return max(0, (last - first).days + 1)


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    monthly_fee_cents: int
    included_units: int
    overage_cents_per_unit: int


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    plan_code: str
    signup_date: date
    tax_region: str = DEFAULT_TAX_REGION
    cancelled_on: Optional[date] = None
    discount_code: Optional[str] = None

    def is_active_during(self, period: BillingPeriod) -> bool:
        return period.overlap_days(self.signup_date, self.cancelled_on) > 0


@dataclass(frozen=True)
class UsageRecord:
    customer_id: str
    day: date
    units: int


@dataclass(frozen=True)
class LineItem:
    description: str
    amount_cents: int


@dataclass
class Invoice:
    customer_id: str
    plan_code: str
    period: BillingPeriod
    units: int
    lines: list[LineItem] = field(default_factory=list)
    tax_cents: int = 0

    @property
    def subtotal_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.tax_cents


@dataclass(frozen=True)
class PlanSummary:
    plan_code: str
    plan_name: str
    customers: int
    units: int
    revenue_cents: int
    average_cents: int


@dataclass
class BillingRun:
    period: BillingPeriod
    invoices: list[Invoice]
    not_billed: list[str]
    summaries: list[PlanSummary]


# --------------------------------------------------------------------------
# Catalogue, discounts and usage
# --------------------------------------------------------------------------


class PlanCatalog:
    def __init__(self, plans: Iterable[Plan] = ()):
        self._plans: dict[str, Plan] = {}
        for plan in plans:
            self.add(plan)

    def add(self, plan: Plan) -> None:
        if plan.code in self._plans:
            raise BillingError(f"duplicate plan code {plan.code!r}")
        self._plans[plan.code] = plan

    def get(self, code: str) -> Plan:
        try:
            return self._plans[code]
        except KeyError:
            raise UnknownPlanError(f"unknown plan {code!r}") from None

    def all(self) -> list[Plan]:
        """Plans in the order they were added (cheapest first in the sample data)."""
        return list(self._plans.values())


class DiscountBook:
    def __init__(self, codes: dict[str, int]):
        self._codes = {code.upper(): percent for code, percent in codes.items()}

    def percent_for(self, code: Optional[str]) -> int:
        if not code:
            return 0
        try:
            return self._codes[code.upper()]
        except KeyError:
            raise UnknownDiscountError(f"unknown discount code {code!r}") from None

    def discount_cents(self, code: Optional[str], subtotal_cents: int) -> int:
        """The (positive) amount taken off subtotal_cents by code."""
        percent = self.percent_for(code)
        return divide_round_half_up(subtotal_cents * percent, 100)


class UsageLedger:
    def __init__(self, records: Iterable[UsageRecord] = ()):
        self._by_customer: dict[str, list[UsageRecord]] = defaultdict(list)
        for record in records:
            self.add(record)

    def add(self, record: UsageRecord) -> None:
        if record.units < 0:
            raise BillingError(f"negative usage for {record.customer_id} on {record.day}")
        self._by_customer[record.customer_id].append(record)

    def units_for(self, customer_id: str, period: BillingPeriod) -> int:
        return sum(
            record.units
            for record in self._by_customer.get(customer_id, [])
            if period.contains(record.day)
        )

    def daily_totals(self, period: BillingPeriod) -> dict[date, int]:
        totals: dict[date, int] = defaultdict(int)
        for records in self._by_customer.values():
            for record in records:
                if period.contains(record.day):
                    totals[record.day] += record.units
        return dict(sorted(totals.items()))


# --------------------------------------------------------------------------
# Charges
# --------------------------------------------------------------------------


def prorate_fee(fee_cents: int, period: BillingPeriod, active_days: int) -> int:
    """The share of a monthly fee for active_days out of the period's days."""
    if active_days >= period.days:
        return fee_cents
    return divide_round_half_up(fee_cents * active_days, period.days)


def compute_overage(units: int, plan: Plan) -> tuple[int, int]:
    """Return (units above the plan allowance, overage charge in cents)."""
    extra = max(0, units - plan.included_units)
    return extra, extra * plan.overage_cents_per_unit


def tax_for(region: str, taxable_cents: int) -> int:
    rate_bp = TAX_RATES_BP.get(region, 0)
    return divide_round_half_up(taxable_cents * rate_bp, 10_000)


class InvoiceBuilder:
    def __init__(self, catalog: PlanCatalog, ledger: UsageLedger, discounts: DiscountBook):
        self.catalog = catalog
        self.ledger = ledger
        self.discounts = discounts

    def build(self, customer: Customer, period: BillingPeriod) -> Optional[Invoice]:
        """The customer's invoice for period, or None if they were not active in it."""
        active_days = period.overlap_days(customer.signup_date, customer.cancelled_on)
        if active_days == 0:
            return None
        plan = self.catalog.get(customer.plan_code)
        units = self.ledger.units_for(customer.customer_id, period)
        invoice = Invoice(customer.customer_id, plan.code, period, units)

        fee = prorate_fee(plan.monthly_fee_cents, period, active_days)
        invoice.lines.append(
            LineItem(f"{plan.name} plan ({active_days}/{period.days} days)", fee)
        )
        extra_units, overage = compute_overage(units, plan)
        if extra_units:
            invoice.lines.append(
                LineItem(
                    f"Overage: {extra_units:,} units @ {format_cents(plan.overage_cents_per_unit)}",
                    overage,
                )
            )
        discount = self.discounts.discount_cents(customer.discount_code, invoice.subtotal_cents)
        if discount:
            percent = self.discounts.percent_for(customer.discount_code)
            invoice.lines.append(
                LineItem(f"Discount {customer.discount_code.upper()} ({percent}%)", -discount)
            )
        invoice.tax_cents = tax_for(customer.tax_region, invoice.subtotal_cents)
        return invoice


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


def summarize_plans(invoices: list[Invoice], catalog: PlanCatalog) -> list[PlanSummary]:
    """One row per catalogue plan (including plans nobody was billed for)."""
    summaries = []
    for plan in catalog.all():
        plan_invoices = [invoice for invoice in invoices if invoice.plan_code == plan.code]
        revenue = sum(invoice.total_cents for invoice in plan_invoices)
        units = sum(invoice.units for invoice in plan_invoices)
        average = round(revenue / len(plan_invoices))
        summaries.append(
            PlanSummary(plan.code, plan.name, len(plan_invoices), units, revenue, average)
        )
    return summaries


def top_customers(invoices: list[Invoice], count: int) -> list[tuple[str, int]]:
    """The count largest invoices as (customer_id, total_cents), biggest first."""
    ranked = sorted(invoices, key=lambda invoice: (-invoice.total_cents, invoice.customer_id))
    return [(invoice.customer_id, invoice.total_cents) for invoice in ranked[:count]]


def render_invoice(invoice: Invoice, customer: Customer) -> str:
    width = 58
    out = [f"Invoice {invoice.period.label}-{invoice.customer_id}  {customer.name}"]
    for line in invoice.lines:
        amount = format_cents(line.amount_cents)
        out.append(f"  {line.description:<{width - 14}}{amount:>12}")
    out.append(f"  {'Subtotal':<{width - 14}}{format_cents(invoice.subtotal_cents):>12}")
    out.append(f"  {'Tax (' + customer.tax_region + ')':<{width - 14}}{format_cents(invoice.tax_cents):>12}")
    out.append(f"  {'Total':<{width - 14}}{format_cents(invoice.total_cents):>12}")
    return "\n".join(out)


def render_summary(run: BillingRun) -> str:
    out = [f"Plan summary for {run.period.label}"]
    out.append(f"  {'plan':<12}{'customers':>10}{'units':>10}{'revenue':>14}{'average':>12}")
    for row in run.summaries:
        out.append(
            f"  {row.plan_code:<12}{row.customers:>10}{row.units:>10,}"
            f"{format_cents(row.revenue_cents):>14}{format_cents(row.average_cents):>12}"
        )
    total = sum(row.revenue_cents for row in run.summaries)
    out.append(f"  {'all plans':<32}{format_cents(total):>14}")
    if run.not_billed:
        out.append("  not billed this month: " + ", ".join(run.not_billed))
    return "\n".join(out)


# --------------------------------------------------------------------------
# Data loading and the billing run
# --------------------------------------------------------------------------

SAMPLE_PLANS = [
    Plan("starter", "Starter", 1_900, 1_000, 5),
    Plan("pro", "Pro", 7_900, 10_000, 2),
    Plan("enterprise", "Enterprise", 49_900, 100_000, 1),
]

# Customer records as exported from the CRM; optional fields may be absent.
SAMPLE_CUSTOMERS = [
    {"id": "C001", "name": "Acme Bakery", "plan": "starter", "signup": "2023-11-02",
     "region": "US-CA"},
    {"id": "C002", "name": "Birchwood Labs", "plan": "pro", "signup": "2024-01-15",
     "region": "US-NY", "discount": "spring10"},
    {"id": "C003", "name": "Cobalt Freight", "plan": "pro", "signup": "2024-03-11",
     "region": "EU-DE"},
    {"id": "C004", "name": "Dunmore Legal", "plan": "enterprise", "signup": "2023-06-01",
     "region": "US-CA", "cancelled": "2024-02-20"},
    {"id": "C005", "name": "Elm Street Dental", "plan": "starter", "signup": "2022-09-09",
     "cancelled": "2024-03-15"},
    {"id": "C006", "name": "Fjord Analytics", "plan": "pro", "signup": "2023-12-01",
     "region": "EU-FR", "discount": "LOYAL20"},
]

# Typical metered units per active day, per customer.
SAMPLE_DAILY_UNITS = {"C001": 40, "C002": 310, "C003": 520, "C004": 2_900, "C005": 25, "C006": 365}


def parse_customer(record: dict) -> Customer:
    cancelled = record.get("cancelled")
    return Customer(
        customer_id=record["id"],
        name=record["name"],
        plan_code=record["plan"],
        signup_date=parse_date(record["signup"]),
        tax_region=record.get("region", DEFAULT_TAX_REGION),
        cancelled_on=parse_date(cancelled) if cancelled else None,
        discount_code=record.get("discount"),
    )


def sample_usage(customers: list[Customer], first: date, last: date) -> list[UsageRecord]:
    """Deterministic synthetic usage: one record per customer per active day."""
    records = []
    day = first
    while day <= last:
        for index, customer in enumerate(customers):
            active = customer.signup_date <= day and (
                customer.cancelled_on is None or day <= customer.cancelled_on
            )
            if active:
                base = SAMPLE_DAILY_UNITS.get(customer.customer_id, 0)
                wobble = (day.toordinal() * 7 + index * 3) % 5  # 0..4
                records.append(UsageRecord(customer.customer_id, day, base + wobble * base // 10))
        day += timedelta(days=1)
    return records


def load_sample_data() -> tuple[PlanCatalog, list[Customer], UsageLedger, DiscountBook]:
    catalog = PlanCatalog(SAMPLE_PLANS)
    customers = [parse_customer(record) for record in SAMPLE_CUSTOMERS]
    ledger = UsageLedger(sample_usage(customers, date(2024, 1, 1), date(2024, 3, 31)))
    return catalog, customers, ledger, DiscountBook(DISCOUNT_CODES)


def run_billing(month: str, data=None) -> BillingRun:
    """Bill every customer for month ("YYYY-MM")."""
    catalog, customers, ledger, discounts = data if data is not None else load_sample_data()
    period = BillingPeriod.for_month(*parse_month(month))
    builder = InvoiceBuilder(catalog, ledger, discounts)
    invoices, not_billed = [], []
    for customer in customers:
        invoice = builder.build(customer, period)
        if invoice is None:
            not_billed.append(customer.customer_id)
        else:
            invoices.append(invoice)
    return BillingRun(period, invoices, not_billed, summarize_plans(invoices, catalog))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Run monthly subscription billing.")
    parser.add_argument("--month", default=DEFAULT_MONTH, help="billing month, YYYY-MM")
    parser.add_argument("--top", type=int, default=3, help="how many top customers to list")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def main(argv: Optional[list[str]] = None) -> None:
    args = build_parser().parse_args(argv)
    data = load_sample_data()
    customers_by_id = {customer.customer_id: customer for customer in data[1]}
    run = run_billing(args.month, data)
    if not args.quiet:
        for invoice in run.invoices:
            print(render_invoice(invoice, customers_by_id[invoice.customer_id]))
            print()
    print(render_summary(run))
    print()
    print(f"Top {args.top} customers for {run.period.label}:")
    for rank, (customer_id, total) in enumerate(top_customers(run.invoices, args.top), start=1):
        print(f"  {rank}. {customer_id} {customers_by_id[customer_id].name:<20}{format_cents(total):>12}")


if __name__ == "__main__":
    main()
