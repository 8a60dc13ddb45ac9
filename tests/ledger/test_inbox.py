"""Where a message leads (ledger.inbox.paper_link): every paper, to every account delivery.md sends
it to (ledger.inbox.recipients, in the test city), leads to a page that account's role may open,
for the paper's month."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from ledger import inbox, permissions
from ledger.models import Paper
from ledger.vocab import PAPER_KINDS


def test_a_paper_leads_each_reader_to_a_page_it_may_open(city):
    asked = {"bulletin": [{}, {"region": "990102"}], "weekly": [{}, {"region": "990102"}],
             "interview": [{"dept": "D1"}], "rectify": [{"dept": "D1"}]}
    assert set(asked) == set(PAPER_KINDS)
    roles_reached = set()
    with city.connect() as conn:
        for kind, versions in asked.items():
            for version in versions:
                for reader in inbox.recipients(conn, kind, **version):
                    link = inbox.paper_link(Paper(kind=kind, month="2026-10"), reader.role)
                    address = urlsplit(link)
                    assert permissions.may_open(reader.role, address.path), (kind, reader.role, link)
                    query = parse_qs(address.query)
                    assert query.get("month") == ["2026-10"] or query == {"tab": ["weekly"]}, link
                    roles_reached.add(reader.role)
    assert roles_reached == {"leader", "supervisor", "admin", "department", "county"}


def test_a_link_carries_its_query_quoted():
    assert inbox.link("/warnings", state="returned") == "/warnings?state=returned"
    assert inbox.link("/reporting", tab="weekly", week="2026-W47") == "/reporting?tab=weekly&week=2026-W47"
    assert inbox.link("/interviews") == "/interviews"
    assert inbox.link("/unit", code="U 1&x") == "/unit?code=U+1%26x"
