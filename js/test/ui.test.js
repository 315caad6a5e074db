// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import { flash, hidpiContext, legendItem, onResize, toggleButtons } from "../src/lib/ui.js";

describe("ui helpers", () => {
  it("toggle buttons: one pressed, a click picks its value", () => {
    const box = document.createElement("span");
    const pick = vi.fn();
    toggleButtons(box, [{ value: "1m", label: "1m" }, { value: "5m", label: "5 min" }], "5m", "interval", pick);
    const [a, b] = /** @type {HTMLButtonElement[]} */ ([...box.querySelectorAll("button")]);
    expect([a.getAttribute("aria-pressed"), b.getAttribute("aria-pressed")]).toEqual(["false", "true"]);
    expect(b.dataset.interval).toBe("5m");
    expect(b.textContent).toBe("5 min");
    a.click();
    expect(pick).toHaveBeenCalledWith("1m");
    toggleButtons(box, [{ value: "x", label: "x" }], "x", "mode", pick);
    expect(box.children.length).toBe(1); // replaced, not appended
  });
  it("legend items: muted label, classed or coloured value, text only", () => {
    const item = legendItem("<b>O</b>", "1.00", { cls: "iw-up" });
    expect(item.children[0].className).toBe("iw-muted");
    expect(item.children[0].textContent).toBe("<b>O</b> ");
    expect(item.querySelector("b")).toBeNull();
    expect(item.children[1].className).toBe("iw-up");
    const coloured = /** @type {HTMLElement} */ (legendItem("Avg", "2", { color: "#e0a100" }).children[1]);
    expect(coloured.style.color).not.toBe("");
  });
  it("a HiDPI canvas: backing store at the device pixel ratio, CSS size on request", () => {
    const canvas = document.createElement("canvas");
    window.devicePixelRatio = 2;
    hidpiContext(canvas, 80, 22, { width: true, height: true });
    expect([canvas.width, canvas.height]).toEqual([160, 44]);
    expect([canvas.style.width, canvas.style.height]).toEqual(["80px", "22px"]);
    window.devicePixelRatio = 1;
  });
  it("flash restarts the animation of the direction", () => {
    const el = document.createElement("td");
    const reads = vi.fn(() => 0);
    // restarting must not force a layout (a read of the element's geometry)
    Object.defineProperty(el, "offsetWidth", { get: reads });
    flash(el, "up");
    expect(el.dataset.flash).toBe("a");
    flash(el, "up");
    // the same class under the other data-flash value: the CSS names another copy of the keyframes
    expect([...el.classList]).toEqual(["iw-flash-up"]);
    expect(el.dataset.flash).toBe("b");
    flash(el, "down");
    expect([...el.classList]).toEqual(["iw-flash-down"]);
    expect(el.dataset.flash).toBe("a");
    flash(el, "");
    expect([...el.classList]).toEqual(["iw-flash-down"]);
    expect(el.dataset.flash).toBe("a");
    expect(reads).not.toHaveBeenCalled();
  });
  it("resize observation disconnects; a no-op without ResizeObserver", () => {
    const disconnect = vi.fn();
    const observe = vi.fn();
    const saved = globalThis.ResizeObserver;
    // @ts-ignore a stand-in
    globalThis.ResizeObserver = class { observe = observe; disconnect = disconnect; };
    const stop = onResize(document.createElement("div"), () => {});
    expect(observe).toHaveBeenCalledTimes(1);
    stop();
    expect(disconnect).toHaveBeenCalledTimes(1);
    // @ts-ignore
    globalThis.ResizeObserver = undefined;
    expect(() => onResize(document.createElement("div"), () => {})()).not.toThrow();
    globalThis.ResizeObserver = saved;
  });
});
