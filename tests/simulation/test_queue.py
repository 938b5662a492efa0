"""The booking queue: a hand-computed case and a property test against a plain one-need-at-a-time queue."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from valvomo.simulation.queue import CohortQueue, WaitLog


def test_hand_computed_cohorts_are_served_first_come_first_served() -> None:
    line, log = CohortQueue(), WaitLog()
    line.push(0, 3, origin=1)
    line.push(1, 2, origin=2)
    line.push(1, 0, origin=3)  # an empty cohort is not kept
    assert len(line) == 5
    assert line.serve(2, 2, log) == 2  # two of the day-0 cohort, waited 2 days
    assert line.serve(4, 3, log) == 3  # the last of day 0 (3 days), both of day 1 (2 days)
    assert line.serve(1, 4, log) == 0 and len(line) == 0
    waits, weights, origins = log.arrays()
    assert waits.tolist() == [2, 3, 2] and weights.tolist() == [2, 1, 2] and origins.tolist() == [1, 1, 2]


def test_fallback_cohorts_go_back_to_the_head() -> None:
    named, shared = CohortQueue(), CohortQueue()
    named.push(0, 2, tag=1)
    named.push(5, 1, tag=1)
    shared.push(3, 4)
    shared.push_front(named.take_older_than(1))
    assert len(named) == 1 and len(shared) == 6 and shared.count_tagged(1) == 2
    assert shared.oldest() == 0 and shared.waiting_by_origin() == {0: 6}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=40))
def test_same_waits_as_a_queue_of_single_needs(days) -> None:
    """Each day ``arrivals`` needs arrive and ``slots`` are served; the waits, in service order, equal
    those of a plain FIFO list of individual needs."""
    line, log = CohortQueue(), WaitLog()
    plain: deque[int] = deque()
    expected: list[int] = []
    for day, (arrivals, slots) in enumerate(days):
        line.push(day, arrivals)
        plain.extend([day] * arrivals)
        line.serve(slots, day, log)
        for _ in range(min(slots, len(plain))):
            expected.append(day - plain.popleft())
        assert len(line) == len(plain)
    waits, weights, _ = log.arrays()
    # In service order, need by need: first come, first served.
    got = [w for wait, weight in zip(waits, weights, strict=True) for w in [int(wait)] * int(weight)]
    assert got == expected
