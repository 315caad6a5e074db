import asyncio

import numpy as np
import pandas as pd

import infoway_widgets as iw


async def wait_for(pred, timeout: float, what: str, poll_event: asyncio.Event | None = None):
    """Await ``pred()`` becoming true, woken by ``poll_event`` (set by a feed callback)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        left = end - loop.time()
        if left <= 0:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        if poll_event is not None:
            poll_event.clear()
            try:
                await asyncio.wait_for(poll_event.wait(), left)
            except asyncio.TimeoutError:
                pass
        else:
            await asyncio.sleep(0.02)


def compare_with_truth(
    feed, server, symbol: str, interval: str, complete_by: int | None = None
) -> dict:
    """Every completed ground-truth bar must be in the feed with equal OHLCV.

    ``complete_by`` (simulated ms, taken before ``feed.settle()``): compare only the bars complete
    by then. The market goes on while the test compares, so a bar that completes during or after
    settle() is complete in the ground truth before the feed has ingested its last trades.
    Returns counts: compared, lost, wrong (with examples)."""
    gt = server.ground_truth.bars(symbol, interval)
    gt = gt.iloc[:-1]  # the newest bar may still be forming
    if complete_by is not None:
        span = iw.parse_interval(interval).ms
        gt = gt[gt.t + span <= complete_by]
    st = feed.bar_store(symbol, interval)
    a = st.arrays()
    mine = pd.DataFrame(
        {
            "o": a["open"],
            "h": a["high"],
            "l": a["low"],
            "c": a["close"],
            "v": a["volume"],
            "vw": a["turnover"],
        },
        index=a["t"],
    )
    lost, wrong = [], []
    for row in gt.itertuples(index=False):
        if row.t not in mine.index:
            lost.append(int(row.t))
            continue
        m = mine.loc[row.t]
        exp = np.array([row.o, row.h, row.l, row.c, row.v, row.vw])
        got = m[["o", "h", "l", "c", "v", "vw"]].to_numpy(dtype=float)
        if not np.allclose(got, exp, rtol=1e-9, atol=1e-6):
            wrong.append((int(row.t), got.tolist(), exp.tolist()))
    assert len(np.unique(st.t)) == len(st), "a bar open time appears twice"
    return {"compared": len(gt), "lost": lost, "wrong": wrong}
