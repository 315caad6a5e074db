"""Everything a live CandleChart sends on its comm, by who is looking at it.

A chart on the embedded simulated market (real protocol on 127.0.0.1, time compressed by
``--speed``) runs for ``--seconds`` of real time in three situations:

* **headless**: no front-end ever reported (nbclient, a script): the widget pushes its
  ``_snapshot`` trait itself, so a saved notebook has the last state;
* **one view**: a front-end reported one view of the model: that front-end keeps the saved-state
  snapshot from the frames it has, Python pushes no ``_snapshot`` any more;
* **no view**: the front-end reported its last view gone: after ``pause_after`` nothing is sent.

Every comm message is counted (custom frames with their binary buffers and every trait update),
from the first report on; the first full frame of the chart is reported apart.

    python benchmarks/comm_traffic.py [--seconds 20] [--speed 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from widget_bytes import REC, _install


async def _one(mode: str, seconds: float, speed: float) -> dict[str, Any]:
    import infoway_widgets as iw

    feed = iw.connect(speed=speed, new=True)
    try:
        await feed.ready()
        chart = iw.CandleChart("600519.SH", feed=feed)
        ready = asyncio.Event()
        off = feed.on_change(lambda _changed: ready.set())
        await asyncio.wait_for(ready.wait(), 60)
        off()
        if mode != "headless":
            chart._handle_custom_msg({"type": "views", "id": "bench-page", "n": 1}, [])
        if mode == "no view":
            chart._handle_custom_msg({"type": "views", "id": "bench-page", "n": 0}, [])
            await asyncio.sleep(chart.pause_after + 0.5)  # the grace the widget keeps sending
        start = REC.mark()
        await asyncio.sleep(seconds)  # the measurement window itself: real time on purpose
        n, body, buf = REC.since(start)
        chart.close()
        return {
            "mode": mode,
            "messages": n,
            "messages_per_s": n / seconds,
            "bytes": body + buf,
            "bytes_per_message": (body + buf) / n if n else 0.0,
            "bytes_per_s": (body + buf) / seconds,
        }
    finally:
        await feed.aclose()


async def main_async(seconds: float, speed: float) -> list[dict[str, Any]]:
    _install()
    return [await _one(m, seconds, speed) for m in ("headless", "one view", "no view")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--speed", type=float, default=10.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = asyncio.run(main_async(a.seconds, a.speed))
    if a.json:
        print(json.dumps(rows))
        return
    print(f"CandleChart 600519.SH, simulated market at speed {a.speed:g}, {a.seconds:g} s each\n")
    print(f"{'who looks':<10} {'msgs':>6} {'msgs/s':>8} {'B/msg':>9} {'B/s':>10}")
    for r in rows:
        print(
            f"{r['mode']:<10} {r['messages']:>6} {r['messages_per_s']:>8.1f} "
            f"{r['bytes_per_message']:>9.0f} {r['bytes_per_s']:>10.0f}"
        )


if __name__ == "__main__":
    main()
