import logging

from infoway_widgets._secrets import install_log_filter, redact, register_key
from infoway_widgets.errors import AuthError


def test_registered_key_is_masked_everywhere(caplog):
    key = "sk-live-7f3a9c0d1e2b"
    register_key(key)
    install_log_filter()
    assert key not in redact(f"wss://data.infoway.io/ws?business=stock&apikey={key}")
    assert key not in redact(f"plain {key} text")
    assert key not in str(AuthError(f"refused {key}"))
    with caplog.at_level(logging.DEBUG, logger="infoway_widgets"):
        logging.getLogger("infoway_widgets.test").debug("url %s", f"wss://x/ws?apikey={key}")
    assert caplog.records and all(key not in r.getMessage() for r in caplog.records)


def test_unregistered_key_in_url_or_header_is_masked():
    assert "abc123secret" not in redact("GET /ws?business=stock&apikey=abc123secret&x=1")
    assert "abc123secret" not in redact('{"apiKey": "abc123secret"}')
    assert "business=stock" in redact("GET /ws?business=stock&apikey=abc123secret")
