"""A page opened from its address (a reload, Back, a copied link) shows the filters the address
names; what is not a valid filter is dropped, never passed on."""
import json

from tests.dashboard.callbacks import components, layout_as, page


def values(layout: str) -> dict:
    """Each control's first value in a layout, by id."""
    found = components(json.loads(layout), lambda node: "id" in node.get("props", {}))
    return {n["props"]["id"]: n["props"].get("value") for n in found if isinstance(n["props"]["id"], str)}


def test_the_overdue_list_opens_with_the_addresses_filters(shared_app):
    shown = values(layout_as(shared_app, "supervisor", page("overdue").layout, month="2026-09", region="990102",
                             category="general_equipment", band="12-23", min_value="1500"))
    assert (shown["overdue-month"], shown["overdue-region"], shown["overdue-category"], shown["overdue-band"],
            shown["overdue-min-value"]) == ("2026-09", "990102", "general_equipment", "12-23", 1500.0)
    junk = values(layout_as(shared_app, "supervisor", page("overdue").layout, region="1 OR 1=1", category="<b>",
                            band="99+", min_value="-5"))
    assert [junk[f"overdue-{k}"] for k in ("region", "category", "band", "min-value")] == [None] * 4


def test_the_rankings_open_on_the_addresses_region(shared_app):
    assert values(layout_as(shared_app, "leader", page("rankings").layout, region="990102"))["rankings-region"] == "990102"
    assert values(layout_as(shared_app, "leader", page("rankings").layout, region="nowhere"))["rankings-region"] == "990100"
    # a county's ranking is its own region's, whatever the address says
    assert values(layout_as(shared_app, "county", page("rankings").layout, region="990100"))["rankings-region"] == "990102"


def test_the_purchase_review_opens_on_the_addresses_year_and_view(shared_app):
    shown = values(layout_as(shared_app, "supervisor", page("allocation").layout, show="decided"))
    assert shown["allocation-show"] == "decided"
    year = shown["allocation-year"]
    assert values(layout_as(shared_app, "supervisor", page("allocation").layout, year=str(year)))["allocation-year"] == year
    fallback = values(layout_as(shared_app, "supervisor", page("allocation").layout, year="1900", show="everything"))
    assert (fallback["allocation-year"], fallback["allocation-show"]) == (year, "open")
