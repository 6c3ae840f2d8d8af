"""Redis replies are parsed by hiredis (a declared dependency): redis-py picks
its C parser when the module is installed, and the counting script, which every
API request runs, is measurably cheaper with it."""

from tests.ratelimit_fixtures import require_redis


def test_redis_connections_parse_with_hiredis():
    require_redis()
    import redis

    pool = redis.ConnectionPool.from_url("redis://127.0.0.1:6379/0")
    connection = pool.make_connection()
    try:
        assert "Hiredis" in type(connection._parser).__name__
    finally:
        connection.disconnect()
        pool.disconnect()
