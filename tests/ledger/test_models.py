"""KpiRow's figure columns are written out; they must stay the figures of metrics.md, in order and typed by kind."""
from ledger.models import COLUMN_TYPES, HELPER_FIELDS, KPI_FIELDS, KpiRow


def test_the_kpi_row_has_one_nullable_column_of_the_right_type_per_figure_in_order():
    columns = list(KpiRow.__table__.columns)
    names = [c.name for c in columns]
    figures = KPI_FIELDS + HELPER_FIELDS
    start = names.index(figures[0][0])
    assert names[start:] == [name for name, _ in figures]
    for column, (name, kind) in zip(columns[start:], figures):
        assert column.nullable, name
        assert type(column.type) is COLUMN_TYPES[kind], (name, kind, column.type)
