"""A view's study settings (the legend's gear, × and add menu set ``studies`` from the page): what
the chart refuses leaves the old studies, puts the views back and says why on the chart; what it
accepts is drawn with the new parameters from the next full frame on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.widgets import CandleChart

from .test_sync import SYM, settle


class Comm:
    """The comm messages a chart sends its front-ends (state updates and echoes)."""

    def __init__(self, chart: CandleChart, monkeypatch: pytest.MonkeyPatch) -> None:
        self.msgs: list[dict[str, Any]] = []
        monkeypatch.setattr(chart, "_send", lambda msg, buffers=None: self.msgs.append(msg))

    def updates(self, trait: str) -> list[Any]:
        """Values of ``trait`` sent as plain updates (what every view then shows)."""
        return [
            m["state"][trait] for m in self.msgs if m["method"] == "update" and trait in m["state"]
        ]


def from_view(chart: CandleChart, **state: Any) -> None:
    """What ipykernel does with a view's ``model.set(...); model.save_changes()``."""
    msg = {
        "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
        "buffers": [],
    }
    chart._handle_msg(msg)


@pytest.mark.parametrize(
    ("bad", "key", "reason"),
    [
        ([{"name": "macd", "fast": 30, "slow": 26, "signal": 9}], "macd", "shorter than slow"),
        ([{"name": "macd", "fast": 0, "slow": 26, "signal": 9}], "macd", "fast=0"),
        (["macd", {"name": "kdj", "n": 0}], "kdj", "n=0"),
        ([{"name": "macd", "fast": None}], "macd", "fast=None"),
        ([{"name": "macd", "fast": [1, {"x": 2}]}], "macd", "fast="),
        (["nope"], "nope", "no study 'nope'"),
        ([7], "", "a study is a name"),
    ],
)
async def test_a_refused_change_from_a_view_keeps_the_old_studies_and_says_why(
    feed, sent, monkeypatch, bad, key, reason
) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd"])
    await settle(chart)
    comm = Comm(chart, monkeypatch)
    frames = len(sent.frames(chart))
    from_view(chart, studies=bad)  # no exception escapes into the kernel
    assert chart.studies == ["macd"]
    assert [m["params"] for m in chart._study_meta] == [{"fast": 12, "slow": 26, "signal": 9}]
    # the views are put back on the kernel's value (after the echo of what they sent) ...
    assert comm.updates("studies") == [["macd"]]
    # ... and told why, on the chart
    refused = chart._study_refused
    assert refused["key"] == key and reason in refused["message"]
    assert comm.updates("_study_refused") == [refused]
    await settle(chart)
    assert not any(h.get("reset") for h, _ in sent.frames(chart)[frames:])  # nothing redrawn
    # the next change that lands clears it
    from_view(chart, studies=[{"name": "macd", "fast": 5, "slow": 26, "signal": 9}])
    assert chart._study_refused == {}
    assert comm.updates("_study_refused")[-1] == {}
    chart.close()


async def test_a_change_from_a_view_is_drawn_with_its_parameters(feed, sent, monkeypatch) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd"])
    await settle(chart)
    comm = Comm(chart, monkeypatch)
    frames = len(sent.frames(chart))
    wanted = {"name": "macd", "fast": 5, "slow": 26, "signal": 9}
    from_view(chart, studies=[wanted])
    assert chart.studies == [wanted]
    assert comm.updates("studies") == []  # the view has it already: no echo of the same value
    meta = chart._study_meta[0]
    assert meta["label"] == "MACD(5,26,9)" and meta["params"]["fast"] == 5
    await settle(chart)
    cols = next(c for h, c in sent.frames(chart)[frames:] if h.get("reset"))
    expected = iw.studies.REGISTRY["macd"].compute(chart.bars, "cn", fast=5)
    np.testing.assert_allclose(cols["macd.dif"], expected["dif"].to_numpy()[-len(cols["t"]) :])
    # × in the legend: the study goes, its pane with it
    from_view(chart, studies=[])
    assert chart.studies == [] and chart._study_meta == []
    # the add menu: a built-in by name, on its defaults; a list parameter as a list
    from_view(chart, studies=["kdj", {"name": "ema", "periods": [7, 21]}])
    assert chart.studies == ["kdj", {"name": "ema", "periods": [7, 21]}]
    assert [m["label"] for m in chart._study_meta] == ["KDJ(9,3,3)", "EMA(7,21)"]
    chart.close()


async def test_the_add_menu_lists_every_built_in_study(feed) -> None:
    chart = CandleChart(SYM, feed=feed)
    catalog = chart.get_state()["_study_catalog"]
    assert [c["name"] for c in catalog] == list(iw.studies.REGISTRY)
    macd = next(c for c in catalog if c["name"] == "macd")
    assert macd["pane"] == "own" and macd["title"][0] == "平滑异同移动平均线"
    chart.close()


async def test_python_changes_still_raise_and_clear_a_views_refusal(feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed, studies=["macd"])
    from_view(chart, studies=[{"name": "macd", "fast": 40}])
    assert chart._study_refused["key"] == "macd"
    with pytest.raises(iw.errors.BadParameterError, match="fast=40"):
        chart.studies = [{"name": "macd", "fast": 40}]
    chart.studies = ["rsi"]  # lands: the view's old refusal is stale
    assert chart._study_refused == {}
    chart.close()
