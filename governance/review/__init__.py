"""Change review: the governance rules applied to lineage that has not run yet.

A proposal (``proposal.py``) holds a job's lineage as the store has it and as a change would make
it; the overlay (``overlay.py``) lays the change over the lineage index without writing; the
comparison (``compare.py``) answers what the change does to edges, tags, downstream columns,
schedules and violations; ``verdict.py`` says which CI rules it trips.
"""
