// @ts-check
// The headers and columns of every frame Python sends (infoway_widgets/widgets/_wire.py and the
// widgets' _full / _delta / _snapshot_frame), typed in this one place. tests/widgets/
// test_frame_contract.py parses these typedefs and checks them against the frames the Python
// widgets really send, so the two sides cannot drift apart silently: keep one `@property` per
// line, `[name]` for a field that only some frames carry.

/**
 * What every data frame's header carries.
 * @typedef {object} FrameBase
 * @property {number} v schema version (1)
 * @property {number} seq the widget's frame number: rises by one per frame sent
 * @property {number} n length of each column
 * @property {boolean} [reset] a full frame: replaces what the front-end holds
 * @property {string[]} [b64] the columns base64 (float64 LE), for a front-end that drops buffers
 */

/** @typedef {"t"|"open"|"high"|"low"|"close"|"volume"|"turnover"} BarsColumn */
/**
 * A study's output, one value per bar, named "<study>.<output>" ("macd.dif") as the chart's
 * `_study_meta` trait lists them, in full frames (tests/widgets/test_frame_contract.py checks the
 * form). A delta carries them all in one column named "studies" instead: per bar, its values in
 * the order of the last full frame's study columns (the names travel once).
 * @typedef {string} StudyColumn
 */
/**
 * One of the user's lines as a full frame and the saved state hold it.
 * @typedef {object} SavedLine
 * @property {string} id
 * @property {string} name
 * @property {string} color CSS colour, or "" for the palette's
 * @property {string} pane "main", "volume", "new" or the name of a pane shown
 * @property {string} style "solid", "dashed" or "dotted"
 * @property {number[]} t point times (UTC ms)
 * @property {Array<number|null>|number[]} v point values
 */
/**
 * One of the user's marker sets: per marker its time and four strings.
 * @typedef {object} SavedMarkers
 * @property {string} id
 * @property {number[]} t
 * @property {string[]} shape "arrowUp", "arrowDown", "circle" or "square"
 * @property {string[]} position "above", "below" or "inBar"
 * @property {string[]} color CSS colour, "buy" / "sell" (the rise / fall colour), or ""
 * @property {string[]} text
 */
/**
 * CandleChart: bars by open time (UTC ms), and the values of its studies.
 * @typedef {object} BarsFields
 * @property {"bars"} kind
 * @property {Array<BarsColumn|StudyColumn>} cols
 * @property {string} interval
 * @property {string} symbol
 * @property {boolean} [keep_range] a full frame after the feed's store started over: keep the scroll position
 * @property {SavedLine[]} [lines] a full frame (and the saved state): every line of the user's
 * @property {SavedMarkers[]} [markers] a full frame (and the saved state): every marker set
 * @property {Record<string, Array<number|null>>} [line_points] a delta: points appended to lines since the last frame, by id (t, value, t, value, ...)
 * @property {import("./vprofile.js").Profile} [vp] the day's volume by price band, when the chart shows it
 * @typedef {FrameBase & BarsFields} BarsHeader
 */

/** @typedef {"t"|"value"} LineColumn */
/**
 * A change of one of the user's lines: `set` (all its points and settings), `append` (new
 * points only) or `remove`.
 * @typedef {object} LineFields
 * @property {"line"} kind
 * @property {LineColumn[]} cols
 * @property {string} id
 * @property {"set"|"append"|"remove"} op
 * @property {string} [name]
 * @property {string} [color]
 * @property {string} [pane]
 * @property {string} [style]
 * @typedef {FrameBase & LineFields} LineHeader
 */

/** @typedef {"t"} MarkersColumn */
/**
 * A change of one of the user's marker sets (`set`, `append` or `remove`); per marker a time
 * in the column and four strings in the header.
 * @typedef {object} MarkersFields
 * @property {"markers"} kind
 * @property {MarkersColumn[]} cols
 * @property {string} id
 * @property {"set"|"append"|"remove"} op
 * @property {string[]} [shape]
 * @property {string[]} [position]
 * @property {string[]} [color]
 * @property {string[]} [text]
 * @typedef {FrameBase & MarkersFields} MarkersHeader
 */

/** @typedef {"bid_px"|"bid_vol"|"ask_px"|"ask_vol"} BookColumn */
/**
 * The 盘口 panel's numbers (STATS_KEYS in infoway_widgets/widgets/book.py); null where unknown.
 * @typedef {object} BookStats
 * @property {number|null} last
 * @property {number|null} change
 * @property {number|null} change_pct
 * @property {number|null} open
 * @property {number|null} prev_close
 * @property {number|null} high
 * @property {number|null} low
 * @property {number|null} volume
 * @property {number|null} volume_lots
 * @property {number|null} turnover
 * @property {number|null} amplitude
 * @property {number|null} bid_ask_ratio
 * @property {number|null} bid_ask_diff
 * @property {number|null} buy_volume
 * @property {number|null} sell_volume
 * @property {number|null} buy_sell_ratio
 * @property {number|null} volume_ratio
 * @property {number|null} limit_up
 * @property {number|null} limit_down
 * @property {"up"|"down"|null} at_limit
 * @property {number|null} [flow_incomplete_since] UTC ms since which 外盘 / 内盘 miss the trades of a disconnect
 */
/**
 * OrderBook: the levels of both sides, best first, NaN-padded to one length.
 * @typedef {object} BookFields
 * @property {"book"} kind
 * @property {BookColumn[]} cols
 * @property {string} symbol
 * @property {number|null} prev_close
 * @property {BookStats} stats
 * @property {number|null} t time of the depth snapshot (UTC ms); null before the first
 * @typedef {FrameBase & BookFields} BookHeader
 */

/** @typedef {"t"|"price"|"volume"|"direction"} TapeColumn */
/**
 * TradeTape: trades oldest first.
 * @typedef {object} TapeFields
 * @property {"tape"} kind
 * @property {TapeColumn[]} cols
 * @property {number} total trades ever seen, this frame's included
 * @property {string} symbol
 * @typedef {FrameBase & TapeFields} TapeHeader
 */

/**
 * @typedef {"last"|"prev_close"|"open"|"high"|"low"|"volume"|"turnover"|"change"|"change_pct"|"t"
 *   |"amplitude"|"volume_ratio"|"limit_up"|"limit_down"|"volume_lots"|"at_limit"|"decimals"|"red_up"
 *   |"spark_len"|"spark"|"main_net"} QuotesColumn
 */
/**
 * QuoteBoard: one row per symbol in `symbols`; `spark` holds every row's sparkline, `spark_len`
 * points each.
 * @typedef {object} QuotesFields
 * @property {"quotes"} kind
 * @property {QuotesColumn[]} cols
 * @property {string[]} symbols
 * @property {string[]} names
 * @typedef {FrameBase & QuotesFields} QuotesHeader
 */

/** @typedef {"t"|"close"|"avg"|"volume"|"up"} IntradayColumn */
/**
 * IntradayChart: the day's minute slots from `offset` on.
 * @typedef {object} IntradayFields
 * @property {"intraday"} kind
 * @property {IntradayColumn[]} cols
 * @property {string} symbol
 * @property {string|null} day
 * @property {number|null} prev_close
 * @property {number|null} limit_up
 * @property {number|null} limit_down
 * @property {number} filled slots with data
 * @property {number} slots minutes of the session axis
 * @property {Array<[number, string]>} ticks slot index and label of each time tick
 * @property {number} offset slot of the first value in the columns
 * @typedef {FrameBase & IntradayFields} IntradayHeader
 */

/** @typedef {"t"|"bid_px"|"bid_vol"|"ask_px"|"ask_vol"|"tr_t"|"tr_px"|"tr_vol"|"tr_dir"} HeatmapColumn */
/**
 * DepthHeatmap: `t` holds the start of each bin sent (UTC ms); the four book columns hold
 * `levels` values per bin, row-major, NaN-padded; the `tr_*` columns the trades of those bins
 * (or, in a delta, the trades since the last frame) summed per bin, price and side.
 * @typedef {object} HeatmapFields
 * @property {"heatmap"} kind
 * @property {HeatmapColumn[]} cols
 * @property {string} symbol
 * @property {number} bin_ms exchange time per bin
 * @property {number} window_ms the time the heatmap shows and keeps
 * @property {number} capacity bins kept
 * @property {number} levels values per bin in each book column
 * @property {number} now start of the newest bin (UTC ms; 0 before any data)
 * @property {number} market_ms the feed's latest exchange time
 * @typedef {FrameBase & HeatmapFields} HeatmapHeader
 */

/** @typedef {"t"|"main_net"} MoneyFlowColumn */
/**
 * MoneyFlow: 主力净流入 (running total) at each minute of the day from `offset` on; the classes'
 * turnover in the header (small, medium, large, xlarge).
 * @typedef {object} MoneyFlowFields
 * @property {"moneyflow"} kind
 * @property {MoneyFlowColumn[]} cols
 * @property {string} symbol
 * @property {number} offset minute of the first value in the columns
 * @property {number[]} inflow turnover of buyer-initiated trades per class
 * @property {number[]} outflow turnover of seller-initiated trades per class
 * @property {number} main_net_total 主力净流入 (large + xlarge)
 * @property {number} neutral turnover of neutral prints (td = 0), in no class
 * @property {string} preset
 * @property {Record<string, any>} thresholds name, turnover and volume bounds (medium, large, xlarge)
 * @property {number|null} day_open
 * @property {number|null} since the first trade counted today (UTC ms)
 * @property {number|null} gap_since trades missed since then (a disconnect)
 * @typedef {FrameBase & MoneyFlowFields} MoneyFlowHeader
 */

/**
 * A message that changes no state; it bypasses the seq check. "loaded": older bars asked for
 * with `load_more` have come (`count` of them, before `before`); "screenshot": Python asks a
 * view for a picture of the chart (`save_png`), the view answers with the same `id`;
 * "crosshair" / "range": a linked chart's crosshair time or visible time span (`iw.link`).
 * `count` and `before` are 0 but for "loaded".
 * @typedef {object} ControlHeader
 * @property {"control"} kind
 * @property {"loaded"|"screenshot"|"crosshair"|"range"} what
 * @property {number} count
 * @property {number} before
 * @property {string} [id] a screenshot request's id
 * @property {number|null} [t] crosshair: the time it points at (UTC ms), null when it left the chart
 * @property {number|null} [from_t] range: first time shown (UTC ms)
 * @property {number|null} [to_t] range: last time shown (UTC ms)
 */

/**
 * The answer to the first `resync` (`probe: true`): one float64 buffer holding `values`, so the
 * front-end can tell whether binary buffers reach it (Colab's widget manager drops them).
 * @typedef {object} ProbeHeader
 * @property {"probe"} kind
 * @property {number[]} values
 */

/**
 * A decoded frame: its header and one float64 array per column.
 * @template {FrameBase & {kind: string, cols: string[]}} H
 * @typedef {{header: H, cols: Record<H["cols"][number], Float64Array>}} Frame
 */

/**
 * @typedef {Frame<BarsHeader>} BarsFrame
 * @typedef {Frame<BookHeader>} BookFrame
 * @typedef {Frame<TapeHeader>} TapeFrame
 * @typedef {Frame<QuotesHeader>} QuotesFrame
 * @typedef {Frame<IntradayHeader>} IntradayFrame
 * @typedef {Frame<LineHeader>} LineFrame
 * @typedef {Frame<MarkersHeader>} MarkersFrame
 * @typedef {Frame<HeatmapHeader>} HeatmapFrame
 * @typedef {Frame<MoneyFlowHeader>} MoneyFlowFrame
 * @typedef {BarsFrame|BookFrame|TapeFrame|QuotesFrame|IntradayFrame|LineFrame|MarkersFrame|HeatmapFrame|MoneyFlowFrame} AnyFrame
 */

export {};
