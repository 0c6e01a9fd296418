"""The health check of pooled PostgreSQL connections, skipped for a connection that was in use a moment ago.

Checking a connection before lending it costs a round trip to PostgreSQL on every request. A connection returned
to the pool within the last CHECK_AFTER_IDLE_SECONDS was working then, so it is lent unchecked (HikariCP's
"alive bypass window" does the same); one that sat idle longer, which PostgreSQL may have dropped meanwhile, is
checked and replaced if dead.
"""

import time
import weakref

from psycopg_pool import ConnectionPool

CHECK_AFTER_IDLE_SECONDS = 2.0

_returned_at = weakref.WeakKeyDictionary()


def connection_returned(connection):
    """The pool's reset callback: runs as each connection comes back."""
    _returned_at[connection] = time.monotonic()


def connection_check(connection):
    """The pool's check callback: raises for a dead connection, which the pool then replaces."""
    returned = _returned_at.get(connection)
    if returned is not None and time.monotonic() - returned < CHECK_AFTER_IDLE_SECONDS:
        return
    ConnectionPool.check_connection(connection)
