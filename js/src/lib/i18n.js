// @ts-check
// Labels in English and Chinese, side by side so that no key can miss a locale. Keys are what
// the widgets need, nothing more.

/** @type {Record<string, [string, string]>} key: [en, zh] */
const PAIRS = {
  open: ["O", "开"], high: ["H", "高"], low: ["L", "低"], close: ["C", "收"],
  volume: ["Vol", "成交量"], turnover: ["Amt", "成交额"], change: ["Chg", "涨跌"],
  last: ["Last", "最新"], changePct: ["Chg %", "涨跌幅"], symbol: ["Symbol", "代码"], name: ["Name", "名称"],
  highLow: ["High / Low", "最高 / 最低"], spark: ["Trend", "走势"], bid: ["Bid", "买"], ask: ["Ask", "卖"],
  size: ["Size", "数量"], price: ["Price", "价格"], time: ["Time", "时间"],
  spread: ["Spread", "价差"], mid: ["Mid", "中间价"], imbalance: ["Imbalance", "委比"],
  ladder: ["Ladder", "盘口"], depth: ["Depth", "深度"],
  prevClose: ["Prev close", "昨收"], limitUp: ["Limit up", "涨停"], limitDown: ["Limit down", "跌停"],
  vwap: ["VWAP", "均价"], avgPrice: ["Avg price", "均价"], intraday: ["Intraday", "分时"],
  ma: ["MA", "MA"], buy: ["B", "买"], sell: ["S", "卖"], neutral: ["N", "中"], trades: ["Trades", "成交"],
  noData: ["Waiting for data…", "等待数据…"],
  bidAskRatio: ["Bid/ask ratio", "委比"], bidAskDiff: ["Bid/ask diff", "委差"],
  buyVolume: ["Buy volume", "外盘"], sellVolume: ["Sell volume", "内盘"], buySellRatio: ["Buy/sell ratio", "外内比"],
  volumeRatio: ["Volume ratio", "量比"], amplitude: ["Amplitude", "振幅"],
  openPx: ["Open", "今开"], highPx: ["High", "最高"], lowPx: ["Low", "最低"], changeAmt: ["Change", "涨跌额"],
  pctShort: ["Chg %", "涨幅"], lots: ["lots", "手"], shares: ["shares", "股"], units: ["units", "单位"],
  volLots: ["Volume", "成交量"],
  liveEdge: ["Live", "实时"], restingSize: ["Resting size (log)", "挂单量（对数）"],
  resting: ["Resting", "挂单"], traded: ["Traded", "成交"],
  moneyFlow: ["Money flow", "资金流向"], inflow: ["Inflow", "流入"], outflow: ["Outflow", "流出"],
  mainNet: ["Main net inflow", "主力净流入"], small: ["Small", "小单"], medium: ["Medium", "中单"],
  large: ["Large", "大单"], xlarge: ["Extra large", "特大单"],
  flowEstimate: ["Estimate from the trade direction · preset {p}", "估算（按成交方向）· 口径 {p}"],
  flowEstimateHint: ["Trades are classified by size, not orders; the side is the service's trade direction (td). Neutral prints are left out.",
    "按单笔成交金额分类（非委托单），买卖方向取自成交方向（td），中性成交不计入。"],
  heatHint: ["Wheel: zoom time · Shift+wheel: zoom price · drag: pan · double-click or Live: back to now",
    "滚轮：缩放时间 · Shift+滚轮：缩放价格 · 拖动：平移 · 双击或“实时”：回到最新"],
  sinceWatching: ["Counted since this symbol was first watched in this kernel", "自本内核开始订阅该代码起累计"],
  lotsNote: ["A-shares in lots of 100 shares", "A 股以手计（1 手 = 100 股）"],
  flowGap: ["Incomplete since {t}: the trades missed while reconnecting are not counted",
    "自 {t} 起不完整：重连期间的成交未计入"],
  disconnectedHint: ["The kernel restarted or stopped: these numbers are frozen. Run the cell again for live data.",
    "内核已重启或停止：数据已冻结。重新运行该单元格以获取实时数据。"],
  // a CandleChart's study tools (lib/studysettings.js)
  studySettings: ["Settings", "设置"], studyRemove: ["Remove", "删除"], studyAdd: ["Add a study", "添加指标"],
  studyAddShort: ["+ Study", "+ 指标"], ok: ["OK", "确定"], cancel: ["Cancel", "取消"],
  studyRefused: ["Not applied: {m}", "未应用：{m}"], allStudiesShown: ["Every study is shown", "指标已全部显示"],
  savedHint: ["Saved with the notebook, no kernel behind it: run the cell for live data.",
    "随笔记本保存的状态，没有连接内核：运行该单元格以获取实时数据。"],
};

/** @type {Record<string, [string, string]>} the status badge, by the `status` trait */
const STATUS = {
  simulated: ["Simulated", "模拟"], live: ["Live", "实时"], connecting: ["Connecting", "连接中"],
  reconnecting: ["Reconnecting", "重连中"], stale: ["Stale", "延迟"], error: ["Error", "错误"],
  closed: ["Closed", "已关闭"], disconnected: ["Disconnected", "已断开"],
  // a chart of the user's own DataFrame: no feed behind it
  data: ["Your data", "自有数据"],
  // the state the widget had when saved (a notebook, or a page written by iw.export_html): no kernel
  saved: ["Saved state", "已保存状态"],
};

/**
 * @typedef {Record<keyof typeof PAIRS, string> & {status: Record<string, string>}} Labels
 */

/** @param {0|1} i @returns {Labels} */
function build(i) {
  /** @param {Record<string, [string, string]>} table @returns {Record<string, string>} */
  const pick = (table) =>
    Object.fromEntries(Object.entries(table).map(([k, v]) => [k, v[i]]));
  return /** @type {Labels} */ ({ ...pick(PAIRS), status: pick(STATUS) });
}

const LABELS = { en: build(0), zh: build(1) };

const ZH_DIGITS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/** The labels of `locale` ("zh", else English). @param {string} locale */
export function labels(locale) {
  return locale === "zh" ? LABELS.zh : LABELS.en;
}

/**
 * Name of book level `i` (1-based) on a side: 买一 / 卖五 in zh, "Bid 1" / "Ask 5" in en.
 * @param {"bid"|"ask"} side @param {number} i @param {string} locale
 */
export function levelName(side, i, locale) {
  if (locale === "zh") return `${side === "bid" ? "买" : "卖"}${ZH_DIGITS[i - 1] || i}`;
  return `${side === "bid" ? "Bid" : "Ask"} ${i}`;
}
