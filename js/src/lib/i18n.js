// Labels in English and Chinese. Keys are what the widgets need, nothing more.

const LABELS = {
  en: {
    open: "O", high: "H", low: "L", close: "C", volume: "Vol", turnover: "Amt", change: "Chg",
    last: "Last", changePct: "Chg %", symbol: "Symbol", name: "Name", highLow: "High / Low",
    spark: "Trend", bid: "Bid", ask: "Ask", size: "Size", price: "Price", time: "Time",
    spread: "Spread", mid: "Mid", imbalance: "Imbalance", ladder: "Ladder", depth: "Depth",
    prevClose: "Prev close", limitUp: "Limit up", limitDown: "Limit down", vwap: "VWAP",
    ma: "MA", buy: "B", sell: "S", neutral: "N", trades: "Trades", noData: "Waiting for data…",
    bidAskRatio: "Bid/ask ratio", bidAskDiff: "Bid/ask diff", buyVolume: "Buy volume",
    sellVolume: "Sell volume", buySellRatio: "Buy/sell ratio", volumeRatio: "Volume ratio",
    amplitude: "Amplitude", openPx: "Open", highPx: "High", lowPx: "Low", changeAmt: "Change",
    pctShort: "Chg %", lots: "lots", volLots: "Volume", sinceWatching: "Counted since this symbol was first watched in this kernel",
    lotsNote: "A-shares in lots of 100 shares",
    status: {
      simulated: "Simulated", live: "Live", connecting: "Connecting", reconnecting: "Reconnecting",
      stale: "Stale", error: "Error", closed: "Closed",
    },
  },
  zh: {
    open: "开", high: "高", low: "低", close: "收", volume: "成交量", turnover: "成交额", change: "涨跌",
    last: "最新", changePct: "涨跌幅", symbol: "代码", name: "名称", highLow: "最高 / 最低",
    spark: "走势", bid: "买", ask: "卖", size: "数量", price: "价格", time: "时间",
    spread: "价差", mid: "中间价", imbalance: "委比", ladder: "盘口", depth: "深度",
    prevClose: "昨收", limitUp: "涨停", limitDown: "跌停", vwap: "均价",
    ma: "MA", buy: "买", sell: "卖", neutral: "中", trades: "成交", noData: "等待数据…",
    bidAskRatio: "委比", bidAskDiff: "委差", buyVolume: "外盘", sellVolume: "内盘", buySellRatio: "外内比",
    volumeRatio: "量比", amplitude: "振幅", openPx: "今开", highPx: "最高", lowPx: "最低", changeAmt: "涨跌额",
    pctShort: "涨幅", lots: "手", volLots: "成交量", sinceWatching: "自本内核开始订阅该代码起累计",
    lotsNote: "A 股以手计（1 手 = 100 股）",
    status: {
      simulated: "模拟", live: "实时", connecting: "连接中", reconnecting: "重连中",
      stale: "延迟", error: "错误", closed: "已关闭",
    },
  },
};

const ZH_DIGITS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/** @param {string} locale */
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
