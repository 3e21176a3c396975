"""Reading ahead: the next pages of a listing are fetched in a thread while this one plans and writes.

An article sync alternates between waiting for eAccounting (each page waits for its slot in the
shared budget, then for the answer) and writing to the shop (a batch of 100 products). Done one
after the other, the run takes the sum of both; with the reading in a thread it takes about the
longer of the two. At most `depth` items wait between them, so memory stays flat.

The thread has its own database connection (the budget's slot is reserved there) and closes it. Inside
a transaction the items are read in line instead: the thread's connection would wait, for good, on rows
the caller's own open transaction holds (e.g. a budget row it made and has not committed).
What the listing raises is raised to the reader at the item where it happened; a reader that stops
early (an error, a lost lease) stops the thread at its next item.
"""

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.db import connection

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def read_ahead(items: Iterable[T], depth: int) -> Iterator[T]:
    """The items of `items`, produced in a thread up to `depth` ahead of the consumer."""
    if connection.in_atomic_block:
        yield from items
        return
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value) -> bool:
        while not stop.is_set():
            try:
                waiting.put(value, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failed(exc))
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            value = waiting.get()
            if value is _DONE:
                return
            if isinstance(value, _Failed):
                raise value.exc
            yield value
    finally:
        stop.set()
        thread.join()
