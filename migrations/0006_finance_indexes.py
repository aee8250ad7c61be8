"""A covering index for the finance reports: actual_entry (initiative_id, amount).

Hand-written.  Every report sums the ledger per initiative
(``SELECT initiative_id, SUM(amount) FROM actual_entry GROUP BY initiative_id``); with the
foreign key's index alone each of the entries costs a table lookup for its amount, with this
one the sum is read from the index alone (SQLite: COVERING INDEX; PostgreSQL: Index Only
Scan).  Measured by bench/bench_finance_reports.py (100,000 approved initiatives, 300,000
entries): see BENCHMARKS.md, "Finance reports".
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('actual_entry', ('initiative_id', 'amount')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('actual_entry', 'actual_entry_initiative_id_amount'))
