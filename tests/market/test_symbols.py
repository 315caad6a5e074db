import pytest

from infoway_widgets.errors import InvalidSymbolError
from infoway_widgets.market import parse_symbol, parse_symbols


@pytest.mark.parametrize(
    "code,market,business,tz,limit,board",
    [
        ("600519.SH", "CN", "stock", "Asia/Shanghai", 0.10, "main"),
        ("000001.SZ", "CN", "stock", "Asia/Shanghai", 0.10, "main"),
        ("300750.SZ", "CN", "stock", "Asia/Shanghai", 0.20, "chinext"),
        ("301001.SZ", "CN", "stock", "Asia/Shanghai", 0.20, "chinext"),
        ("688981.SH", "CN", "stock", "Asia/Shanghai", 0.20, "star"),
        ("00700.HK", "HK", "stock", "Asia/Hong_Kong", None, "main"),
        ("AAPL.US", "US", "stock", "America/New_York", None, ""),
        ("BTCUSDT", "CRYPTO", "crypto", "UTC", None, ""),
        ("USDCNY", "FX", "common", "UTC", None, ""),
        ("XAUUSD", "FX", "common", "UTC", None, ""),
    ],
)
def test_descriptors(code, market, business, tz, limit, board):
    inst = parse_symbol(code)
    assert inst.code == code
    assert (inst.market, inst.business, inst.rest_prefix, inst.tz) == (
        market,
        business,
        business,
        tz,
    )
    assert inst.price_limit == limit
    assert inst.board == board


def test_colours_follow_market_convention():
    assert parse_symbol("600519.SH").up_color == "red"
    assert parse_symbol("600519.SH").red_up
    for code in ("00700.HK", "AAPL.US", "BTCUSDT", "USDCNY"):
        assert parse_symbol(code).up_color == "green"


def test_st_by_name_halves_main_board_limit_but_not_chinext():
    assert parse_symbol("600200.SH", name="*ST 示范").price_limit == 0.05
    assert parse_symbol("600200.SH", name="ST Demo").st
    assert parse_symbol("300001.SZ", name="*ST 创业").price_limit == 0.20
    assert parse_symbol("600519.SH", name="贵州茅台").price_limit == 0.10


def test_tick_and_lot():
    a = parse_symbol("600519.SH")
    assert a.tick_size(1500) == 0.01 and a.lot_size == 100 and a.price_decimals == 2
    hk = parse_symbol("00700.HK")
    assert hk.tick_size(0.2) == 0.001
    assert hk.tick_size(5) == 0.01
    assert hk.tick_size(450) == 0.2
    assert hk.tick_size(600) == 0.5
    assert parse_symbol("AAPL.US").lot_size == 1
    assert parse_symbol("USDCNY").tick_size() == 0.0001
    assert parse_symbol("USDJPY").tick_size() == 0.001


@pytest.mark.parametrize(
    "prev,limit_code,expect",
    [
        (10.00, "600519.SH", (9.00, 11.00)),
        (10.05, "600519.SH", (9.05, 11.06)),  # 11.055 rounds half up to 11.06; 9.045 → 9.05
        (12.35, "300750.SZ", (9.88, 14.82)),
        (1.01, "688981.SH", (0.81, 1.21)),
    ],
)
def test_price_limits_round_half_up(prev, limit_code, expect):
    assert parse_symbol(limit_code).price_limits(prev) == expect


def test_st_limit_prices():
    st = parse_symbol("600200.SH", name="*ST Demo")
    assert st.price_limits(3.33) == (3.16, 3.50)  # 3.1635 → 3.16, 3.4965 → 3.50


def test_no_limits_outside_mainland():
    assert parse_symbol("00700.HK").price_limits(400) is None
    assert parse_symbol("BTCUSDT").price_limits(60000) is None


@pytest.mark.parametrize(
    "typed,suggestion",
    [
        ("700.HK", "00700.HK"),
        ("0700.HK", "00700.HK"),
        ("000700.HK", "00700.HK"),
        ("600519.SZ", "600519.SH"),
        ("000001.SH", "000001.SZ"),
        ("600519", "600519.SH"),
        ("300750", "300750.SZ"),
        ("SH600519", "600519.SH"),
        ("sz000001", "000001.SZ"),
        ("600519.SS", "600519.SH"),
        ("AAPL", "AAPL.US"),
        ("AAPL.O", "AAPL.US"),
        ("TSLA.NASDAQ", "TSLA.US"),
    ],
)
def test_typos_suggest_the_right_form(typed, suggestion):
    with pytest.raises(InvalidSymbolError) as ei:
        parse_symbol(typed)
    assert ei.value.suggestion == suggestion
    assert f"Did you mean {suggestion!r}" in str(ei.value)
    assert repr(typed) in str(ei.value)


@pytest.mark.parametrize(
    "typed,code",
    [
        ("btc/usdt", "BTCUSDT"),
        ("BTC-USDT", "BTCUSDT"),
        ("aapl.us", "AAPL.US"),
        ("usd/cny", "USDCNY"),
        (" 600519.sh ", "600519.SH"),
    ],
)
def test_harmless_forms_are_normalised(typed, code):
    assert parse_symbol(typed).code == code


@pytest.mark.parametrize(
    "bad", ["", "   ", "12345678", "60051.SH", "<img src=x onerror=alert(1)>", "A" * 200, "1234.XX"]
)
def test_garbage_is_refused_clearly(bad):
    with pytest.raises(InvalidSymbolError) as ei:
        parse_symbol(bad)
    assert "not a valid Infoway code" in str(ei.value)


def test_non_string_refused():
    with pytest.raises(InvalidSymbolError, match="must be a string"):
        parse_symbol(600519)  # type: ignore[arg-type]


def test_parse_symbols_dedupes_and_keeps_order():
    assert [i.code for i in parse_symbols("600519.SH, btcusdt,600519.SH")] == [
        "600519.SH",
        "BTCUSDT",
    ]


def test_numpy_scalars_are_accepted():
    import numpy as np

    assert parse_symbol("600519.SH").price_limits(np.float64(10.0)) == (9.0, 11.0)
    assert parse_symbol("600519.SH").round_price(np.float64(10.004)) == 10.0
