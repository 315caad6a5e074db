// @vitest-environment happy-dom
// The legend's study tools: ⚙ opens a popover with the study's parameters, Enter applies what was
// typed (the `studies` trait, saved), Escape closes, × removes, "+" adds a built-in not shown; a
// refusal from Python shows as text beside the study.
import { afterEach, describe, expect, it, vi } from "vitest";
import { StudySettings, parseParam, studyName, withParams, without } from "../src/lib/studysettings.js";
import { FakeModel } from "./fake-model.js";

const MACD = { key: "macd", label: "MACD(12,26,9)", pane: "new", outputs: ["dif", "dea", "macd"], styles: ["line", "line", "histogram"],
  params: { fast: 12, slow: 26, signal: 9 }, error: "" };
const EMA = { key: "ema", label: "EMA(12,50)", pane: "main", outputs: ["ema12", "ema50"], styles: ["line", "line"],
  params: { periods: [12, 50] }, error: "" };
const CATALOG = [
  { name: "ema", title: ["指数平均线", "Exponential moving averages"], pane: "price" },
  { name: "macd", title: ["平滑异同移动平均线", "Moving average convergence divergence"], pane: "own" },
  { name: "kdj", title: ["随机指标", "Stochastic KDJ"], pane: "own" },
];

/** @type {Array<() => void>} */
let cleanups = [];
afterEach(() => { cleanups.forEach((c) => c()); cleanups = []; document.body.replaceChildren(); });

/** A host with one legend box per study, as ChartExtras.legend builds them. @param {Record<string, any>} [traits] */
function setup(traits = {}, locale = "en", editable = () => true) {
  const model = new FakeModel({ studies: ["macd", { name: "ema", periods: [12, 50] }], _study_meta: [MACD, EMA], _study_catalog: CATALOG, _study_refused: {}, ...traits });
  const saves = vi.spyOn(model, "save_changes");
  const host = document.createElement("div");
  document.body.append(host);
  const tools = new StudySettings({ host, model, locale: () => locale, editable });
  cleanups.push(() => tools.dispose());
  const legend = () => {
    const boxes = model.get("_study_meta").map((/** @type {any} */ m) => {
      const box = document.createElement("span");
      box.className = "iw-study";
      box.dataset.study = m.key;
      const name = document.createElement("span");
      name.textContent = m.label;
      box.append(name);
      return box;
    });
    tools.decorate([boxes]);
    host.replaceChildren(...boxes, ...tools.addTools());
  };
  legend();
  /** @param {string} sel */
  const q = (sel) => /** @type {HTMLElement} */ (host.querySelector(sel));
  return { model, host, tools, saves, legend, q };
}

/** @param {Element} el @param {string} key */
const press = (el, key) => el.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));

describe("the studies list", () => {
  it("names, replaced parameters in place, removal, parsed inputs", () => {
    expect(studyName(" MACD ")).toBe("macd");
    expect(studyName({ name: "KDJ", n: 14 })).toBe("kdj");
    const items = ["macd", { name: "kdj", n: 14 }];
    expect(withParams(items, "kdj", { n: 5, m1: 3 })).toEqual(["macd", { name: "kdj", n: 5, m1: 3 }]);
    expect(withParams(items, "rsi", { periods: [6] })).toEqual([...items, { name: "rsi", periods: [6] }]);
    expect(without(items, "macd")).toEqual([{ name: "kdj", n: 14 }]);
    expect(parseParam("5", 12)).toBe(5);
    expect(parseParam("0.02", 0.2)).toBe(0.02);
    expect(parseParam("", 12)).toBeNull();
    expect(parseParam("abc", 12)).toBeNull();
    expect(parseParam("7, 21 30", [12, 50])).toEqual([7, 21, 30]);
    expect(parseParam("7,x", [12, 50])).toBeNull();
    expect(parseParam(" ", [12, 50])).toBeNull();
  });
});

describe("the study settings popover", () => {
  it("opens from the ⚙ with the current parameters; Enter applies what was typed", () => {
    const { model, q, saves } = setup();
    const gear = q('[data-study-settings="macd"]');
    expect(gear.tagName).toBe("BUTTON");
    expect(gear.getAttribute("aria-label")).toBe("Settings MACD(12,26,9)");
    gear.click();
    const pop = q('[data-study-popover="macd"]');
    expect(pop.getAttribute("role")).toBe("dialog");
    expect(gear.getAttribute("aria-expanded")).toBe("true");
    const inputs = /** @type {HTMLInputElement[]} */ ([...pop.querySelectorAll("input")]);
    // one labelled input per parameter, the current values in it, the first focused
    expect(inputs.map((i) => [i.closest("label")?.textContent, i.value])).toEqual([["fast", "12"], ["slow", "26"], ["signal", "9"]]);
    expect(document.activeElement).toBe(inputs[0]);
    expect(pop.querySelector(".iw-popover-title")?.textContent).toBe("MACD · Moving average convergence divergence");
    inputs[0].value = "5";
    press(inputs[0], "Enter");
    expect(model.get("studies")).toEqual([{ name: "macd", fast: 5, slow: 26, signal: 9 }, { name: "ema", periods: [12, 50] }]);
    expect(saves).toHaveBeenCalledTimes(1);
    expect(q("[data-study-popover]")).toBeNull();
  });

  it("Escape and Cancel close it, nothing changed, the focus back on the ⚙", () => {
    const { model, q, saves } = setup();
    q('[data-study-settings="macd"]').click();
    const input = /** @type {HTMLInputElement} */ (q('[data-study-popover="macd"] input'));
    input.value = "99";
    press(input, "Escape");
    expect(q("[data-study-popover]")).toBeNull();
    expect(document.activeElement).toBe(q('[data-study-settings="macd"]'));
    q('[data-study-settings="macd"]').click();
    q('[data-study-cancel="macd"]').click();
    expect(q("[data-study-popover]")).toBeNull();
    expect(saves).not.toHaveBeenCalled();
    expect(model.get("studies")).toEqual(["macd", { name: "ema", periods: [12, 50] }]);
    // a click elsewhere closes it too
    q('[data-study-settings="macd"]').click();
    document.body.dispatchEvent(new Event("pointerdown", { bubbles: true }));
    expect(q("[data-study-popover]")).toBeNull();
  });

  it("a list parameter in one input; what is not a number stays in the popover, marked", () => {
    const { model, q, saves } = setup();
    q('[data-study-settings="ema"]').click();
    const input = /** @type {HTMLInputElement} */ (q('[data-study-popover="ema"] input'));
    expect([input.value, input.type]).toEqual(["12, 50", "text"]);
    input.value = "7, x";
    q('[data-study-apply="ema"]').click();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(q('[data-study-popover="ema"]')).not.toBeNull();
    expect(saves).not.toHaveBeenCalled();
    input.value = "7 21";
    q('[data-study-apply="ema"]').click();
    expect(model.get("studies")).toEqual(["macd", { name: "ema", periods: [7, 21] }]);
  });

  it("× removes the study; a study gone closes its popover", () => {
    const { model, q, tools, legend } = setup();
    q('[data-study-settings="ema"]').click();
    q('[data-study-remove="macd"]').click();
    expect(model.get("studies")).toEqual([{ name: "ema", periods: [12, 50] }]);
    expect(q('[data-study-popover="ema"]')).not.toBeNull();
    model.set("_study_meta", [MACD]);
    tools.metasChanged();
    legend();
    expect(q("[data-study-popover]")).toBeNull();
    expect(q('[data-study-settings="ema"]')).toBeNull();
  });

  it("+ lists the built-ins not shown and adds one on its defaults", () => {
    const { model, q, host } = setup();
    q("[data-study-add]").click();
    const menu = q("[data-study-menu]");
    expect(menu.getAttribute("role")).toBe("menu");
    const items = /** @type {HTMLElement[]} */ ([...menu.querySelectorAll("[data-study-add-item]")]);
    expect(items.map((b) => b.dataset.studyAddItem)).toEqual(["kdj"]);
    expect(items[0].textContent).toBe("KDJStochastic KDJ");
    expect(document.activeElement).toBe(items[0]);
    press(items[0], "Escape");
    expect(host.querySelector("[data-study-menu]")).toBeNull();
    q("[data-study-add]").click();
    /** @type {HTMLElement} */ (host.querySelector('[data-study-add-item="kdj"]')).click();
    expect(model.get("studies")).toEqual(["macd", { name: "ema", periods: [12, 50] }, "kdj"]);
    expect(host.querySelector("[data-study-menu]")).toBeNull();
  });

  it("a refusal from Python shows as text beside its study, or in the main legend", () => {
    const { model, q, legend } = setup({ _study_refused: { key: "macd", message: "macd: fast=30 must be shorter than slow=26 <b>" } });
    const box = q('[data-study="macd"]');
    const note = /** @type {HTMLElement} */ (box.querySelector("[data-study-refused]"));
    expect(note.textContent).toBe(" Not applied: macd: fast=30 must be shorter than slow=26 <b>");
    expect(note.querySelector("b")).toBeNull();
    expect(note.className).toContain("iw-row-error");
    // label, ⚙, ×, then the reason
    expect([...box.children].map((e) => e.tagName)).toEqual(["SPAN", "BUTTON", "BUTTON", "SPAN"]);
    model.set("_study_refused", { key: "nope", message: "no study 'nope'" });
    legend();
    expect(q('[data-study="macd"] [data-study-refused]')).toBeNull();
    expect(q("[data-study-add] + [data-study-refused]").textContent).toBe(" Not applied: no study 'nope'");
  });

  it("Chinese labels; with no kernel behind the model nothing opens or saves", () => {
    const zh = setup({}, "zh");
    expect(zh.q('[data-study-settings="macd"]').getAttribute("aria-label")).toBe("设置 MACD(12,26,9)");
    expect(zh.q("[data-study-add]").textContent).toBe("+ 指标");
    zh.q('[data-study-settings="macd"]').click();
    expect(zh.q('[data-study-apply="macd"]').textContent).toBe("确定");
    expect(zh.q('[data-study-cancel="macd"]').textContent).toBe("取消");
    const saved = setup({}, "en", () => false);
    saved.q('[data-study-settings="macd"]').click();
    expect(saved.q("[data-study-popover]")).toBeNull();
    saved.q('[data-study-remove="macd"]').click();
    expect(saved.saves).not.toHaveBeenCalled();
  });

  it("dispose takes its listeners and the popover away", () => {
    const { q, tools, host } = setup();
    q('[data-study-settings="macd"]').click();
    tools.dispose();
    expect(host.querySelector("[data-study-popover]")).toBeNull();
    q('[data-study-settings="macd"]').click();
    expect(host.querySelector("[data-study-popover]")).toBeNull();
  });
});
