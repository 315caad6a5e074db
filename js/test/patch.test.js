// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { legendItem } from "../src/lib/ui.js";
import { patchChildren } from "../src/lib/patch.js";

describe("legend nodes patched in place", () => {
  it("keeps the elements when only texts and attribute values differ", () => {
    const box = document.createElement("div");
    patchChildren(box, [legendItem("O", "1.00", { cls: "iw-up" }), legendItem("C", "2.00")]);
    const first = box.firstChild;
    patchChildren(box, [legendItem("O", "1.50", { cls: "iw-down" }), legendItem("C", "2.50")]);
    expect(box.firstChild).toBe(first); // the same element, new content
    expect(box.textContent).toBe("O 1.50C 2.50");
    expect(/** @type {HTMLElement} */ (box.firstChild).lastElementChild?.className).toBe("iw-down");
  });

  it("replaces them when the elements differ", () => {
    const box = document.createElement("div");
    patchChildren(box, [legendItem("O", "1.00")]);
    const first = box.firstChild;
    const plain = document.createElement("span");
    plain.textContent = "no data";
    patchChildren(box, [plain]);
    expect(box.firstChild).not.toBe(first);
    expect(box.textContent).toBe("no data");
    patchChildren(box, [legendItem("O", "1.00", { color: "red" }), legendItem("H", "2")]);
    expect(box.childNodes).toHaveLength(2);
    patchChildren(box, []);
    expect(box.childNodes).toHaveLength(0);
  });
});
